// parse_cluster_address(): which Service (and pod) an in-cluster host name stands for.

#include <catch2/catch.hpp>

#include "common/tunnel/cluster_address.hpp"

using namespace mirrord::tunnel;

namespace {

std::string parsed(std::string_view host) {
    auto address = parse_cluster_address(host, "default");
    if (!address)
        return "-";
    return address->pod.empty() ? address->namespace_ + "/" + address->service
                                : address->namespace_ + "/" + address->service + "/" + address->pod;
}

} // namespace

TEST_CASE("tunnel cluster address", "[tunnel]") {
    SECTION("a headless Service's pod names that pod") {
        CHECK(parsed("kafka-0.kafka.default.svc.cluster.local") == "default/kafka/kafka-0");
        CHECK(parsed("kafka-0.kafka.shop.svc") == "shop/kafka/kafka-0");
        CHECK(parsed("Kafka-0.KAFKA.shop.svc.cluster.local.") == "shop/kafka/kafka-0");
    }
    SECTION("Service names, fully qualified or bare") {
        CHECK(parsed("kafka.shop.svc.cluster.local") == "shop/kafka");
        CHECK(parsed("kafka.shop.svc") == "shop/kafka");
        CHECK(parsed("kafka") == "default/kafka");
    }
    SECTION("anything else is not an in-cluster name") {
        CHECK(parsed("kafka.shop") == "-"); // could be a public host
        CHECK(parsed("example.com") == "-");
        CHECK(parsed("broker.example.com") == "-");
        CHECK(parsed("a.b.c.d.svc.cluster.local") == "-");
        CHECK(parsed("kafka..svc") == "-");
        CHECK(parsed("") == "-");
    }
    SECTION("another cluster domain") {
        auto address = parse_cluster_address("kafka.shop.svc.corp.example", "default",
                                             "corp.example");
        REQUIRE(address);
        CHECK(address->service == "kafka");
        CHECK(address->namespace_ == "shop");
    }
}

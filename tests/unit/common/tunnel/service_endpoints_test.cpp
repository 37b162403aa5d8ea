// ready_endpoints() on canned Service and EndpointSlice objects, shaped as the apiserver returns
// them: which pods and port numbers a connection to a Service port goes to.

#include <catch2/catch.hpp>

#include "common/tunnel/service_endpoints.hpp"

using namespace mirrord;
using namespace mirrord::tunnel;
using json = nlohmann::json;

namespace {

json kafka_service() {
    return json::parse(R"({
      "metadata": {"name": "kafka", "namespace": "shop"},
      "spec": {"ports": [
        {"name": "client", "port": 9092, "targetPort": "kafka"},
        {"name": "metrics", "port": 9404, "targetPort": 9404},
        {"name": "jmx", "port": 5555}
      ]}
    })");
}

// Two slices: pods kafka-0 (ready), kafka-1 (not ready), kafka-2 (ready, no condition),
// kafka-3 (terminating); a non-pod endpoint; the named port resolves to 19092 in one slice
// and 29092 in the other (pods may name different numbers).
json kafka_slices() {
    return json::parse(R"({"items": [
      {"ports": [{"name": "client", "port": 19092}, {"name": "metrics", "port": 9404}],
       "endpoints": [
         {"addresses": ["10.0.0.1"], "conditions": {"ready": true},
          "targetRef": {"kind": "Pod", "name": "kafka-0", "namespace": "shop"}},
         {"addresses": ["10.0.0.2"], "conditions": {"ready": false},
          "targetRef": {"kind": "Pod", "name": "kafka-1", "namespace": "shop"}},
         {"addresses": ["10.0.0.9"], "conditions": {"ready": true}}
       ]},
      {"ports": [{"name": "client", "port": 29092}],
       "endpoints": [
         {"addresses": ["10.0.0.3"],
          "targetRef": {"kind": "Pod", "name": "kafka-2", "namespace": "shop"}},
         {"addresses": ["10.0.0.4"], "conditions": {"ready": true, "terminating": true},
          "targetRef": {"kind": "Pod", "name": "kafka-3", "namespace": "shop"}}
       ]}
    ]})");
}

std::vector<std::string> described(const std::vector<PodPort>& endpoints) {
    std::vector<std::string> out;
    for (const auto& endpoint : endpoints)
        out.push_back(endpoint.describe());
    return out;
}

} // namespace

TEST_CASE("tunnel service endpoints", "[tunnel]") {
    SECTION("a named targetPort takes each slice's number; not-ready, terminating and non-pod "
            "endpoints are left out") {
        auto endpoints = ready_endpoints(kafka_service(), kafka_slices(), 9092);
        REQUIRE(endpoints);
        CHECK(described(*endpoints) == std::vector<std::string>{"pod shop/kafka-0 port 19092",
                                                                "pod shop/kafka-2 port 29092"});
    }
    SECTION("a numeric targetPort is used when a slice lists no port of that name") {
        auto endpoints = ready_endpoints(kafka_service(), kafka_slices(), 9404);
        REQUIRE(endpoints);
        CHECK(described(*endpoints) ==
              std::vector<std::string>{"pod shop/kafka-0 port 9404", "pod shop/kafka-2 port 9404"});
    }
    SECTION("without targetPort the service port is the pod port") {
        auto endpoints = ready_endpoints(kafka_service(), kafka_slices(), 5555);
        REQUIRE(endpoints);
        CHECK(described(*endpoints) ==
              std::vector<std::string>{"pod shop/kafka-0 port 5555", "pod shop/kafka-2 port 5555"});
    }
    SECTION("a port the service does not have is an error listing its ports") {
        auto endpoints = ready_endpoints(kafka_service(), kafka_slices(), 80);
        REQUIRE_FALSE(endpoints);
        CHECK(endpoints.error().message() ==
              "service shop/kafka port 80: the service has no such port (it has 9092, 9404, 5555)");
    }
    SECTION("a headless Service's pods are dialled at the port asked for") {
        auto service = kafka_service();
        service["spec"]["clusterIP"] = "None";
        auto endpoints = ready_endpoints(service, kafka_slices(), 7000);
        REQUIRE(endpoints);
        CHECK(described(*endpoints) ==
              std::vector<std::string>{"pod shop/kafka-0 port 7000", "pod shop/kafka-2 port 7000"});
    }
    SECTION("no ready endpoint is an error naming service and port") {
        auto endpoints = ready_endpoints(kafka_service(), json::parse(R"({"items": []})"), 9092);
        REQUIRE_FALSE(endpoints);
        CHECK(endpoints.error().message() == "service shop/kafka port 9092: no ready endpoint pod");
    }
}

// plan_tunnels(): which addresses of the target's env get local tunnels, against canned
// Services. The tunnels themselves run against the real apiserver in tests/e2e/tunnel.

#include <catch2/catch.hpp>

#include <set>

#include <fmt/format.h>

#include "cli/exec_tunnels.hpp"
#include "common/config/parse.hpp"

using namespace mirrord;
using nlohmann::json;

namespace {

// Services that exist, as "namespace/name" -> clusterIP ("None" for headless).
struct Cluster {
    std::map<std::string, std::string> services;
    std::set<std::string> forbidden_namespaces;
    mutable std::vector<std::string> asked;

    cli::ServiceLookup lookup() const {
        return [this](const std::string& ns, const std::string& name)
                   -> Result<std::optional<json>> {
            asked.push_back(ns + "/" + name);
            if (forbidden_namespaces.count(ns))
                return Error(fmt::format("GET services {}: 403 Forbidden", name), 403, "Forbidden");
            auto found = services.find(ns + "/" + name);
            if (found == services.end())
                return std::optional<json>{};
            return std::optional<json>{json{{"spec", {{"clusterIP", found->second}}}}};
        };
    }
};

// "VAR host:port -> ns/service[/pod]" for each planned tunnel.
std::vector<std::string> planned(const config::EnvMap& env, const Cluster& cluster,
                                 const config::OutgoingConfig& outgoing = {},
                                 std::vector<std::string>* warnings = nullptr) {
    auto plan = cli::plan_tunnels(env, outgoing, "shop", cluster.lookup());
    if (warnings)
        *warnings = plan.warnings;
    std::vector<std::string> out;
    for (const auto& tunnel : plan.tunnels)
        out.push_back(fmt::format("{} {}:{} -> {}/{}{}", tunnel.var, tunnel.where.host,
                                  tunnel.where.port, tunnel.address.namespace_,
                                  tunnel.address.service,
                                  tunnel.address.pod.empty() ? "" : "/" + tunnel.address.pod));
    return out;
}

config::OutgoingConfig outgoing_from(const char* text) {
    auto parsed = config::parse_network(json::parse(text), "feature.network");
    REQUIRE(parsed);
    return parsed->outgoing;
}

using Strings = std::vector<std::string>;

} // namespace

TEST_CASE("exec tunnels: which env addresses are in-cluster", "[tunnel]") {
    Cluster cluster;
    cluster.services = {{"shop/kafka-bootstrap", "10.96.0.10"},
                        {"shop/kafka", "None"},
                        {"shop/db", "10.96.0.11"},
                        {"data/cache", "10.96.0.12"}};
    SECTION("every spelling the pod would resolve") {
        CHECK(planned({{"A", "kafka-bootstrap:9092"},
                       {"B", "kafka-bootstrap.shop:9092"},
                       {"C", "kafka-bootstrap.shop.svc:9092"},
                       {"D", "kafka-bootstrap.shop.svc.cluster.local:9092"},
                       {"E", "kafka-0.kafka.shop.svc.cluster.local:9092"},
                       {"F", "redis://cache.data"}},
                      cluster) == Strings{"A kafka-bootstrap:9092 -> shop/kafka-bootstrap",
                                          "B kafka-bootstrap.shop:9092 -> shop/kafka-bootstrap",
                                          "C kafka-bootstrap.shop.svc:9092 -> shop/kafka-bootstrap",
                                          "D kafka-bootstrap.shop.svc.cluster.local:9092 -> "
                                          "shop/kafka-bootstrap",
                                          "E kafka-0.kafka.shop.svc.cluster.local:9092 -> "
                                          "shop/kafka/kafka-0",
                                          "F cache.data:6379 -> data/cache"});
    }
    SECTION("names that are not the cluster's are left alone, quietly") {
        std::vector<std::string> warnings;
        CHECK(planned({{"LOCAL", "localhost:9092"},
                       {"PUBLIC", "https://api.github.com/v3"},
                       {"TWO", "example.com:443"},
                       {"IP", "10.96.0.10:9092"},
                       {"NOTHING", "nosuchservice:80"},
                       {"TEXT", "hello"}},
                      cluster, {}, &warnings)
                  .empty());
        CHECK(warnings.empty());
        // One lookup per Service; api.github.com (3 labels, no .svc) is never asked about.
        CHECK(cluster.asked == Strings{"shop/nosuchservice", "com/example"});
    }
    SECTION("a .svc name whose Service is missing is worth a warning") {
        std::vector<std::string> warnings;
        CHECK(planned({{"DB", "postgres://u:pw@gone.shop.svc:5432/app"}}, cluster, {}, &warnings)
                  .empty());
        CHECK(warnings == Strings{"DB: gone.shop.svc:5432 names Service gone in namespace shop, "
                                  "which does not exist; left as it is"});
    }
    SECTION("a Role that may not read Services in the pod's namespace is said once") {
        cluster.forbidden_namespaces = {"shop", "com"};
        std::vector<std::string> warnings;
        CHECK(planned({{"A", "db:5432"}, {"B", "db:5433"}, {"C", "example.com:443"}}, cluster, {},
                      &warnings)
                  .empty());
        REQUIRE(warnings.size() == 1);
        CHECK(warnings[0].find("403 Forbidden (reading Services needs get on services") !=
              std::string::npos);
    }
    SECTION("outgoing: false, and filters in mirrord's syntax") {
        config::EnvMap env{{"KAFKA", "kafka-bootstrap:9092"}, {"DB", "db:5432"},
                           {"CACHE", "cache.data:6379"}};
        CHECK(planned(env, cluster, outgoing_from(R"({"outgoing": false})")).empty());
        CHECK(planned(env, cluster, outgoing_from(R"({"outgoing": {"filter": {"local":
                  ["db.shop.svc.cluster.local"]}}})")) ==
              Strings{"CACHE cache.data:6379 -> data/cache",
                      "KAFKA kafka-bootstrap:9092 -> shop/kafka-bootstrap"});
        CHECK(planned(env, cluster, outgoing_from(R"({"outgoing": {"filter": {"local":
                  [":9092", "10.96.0.11"]}}})")) == Strings{"CACHE cache.data:6379 -> data/cache"});
        CHECK(planned(env, cluster, outgoing_from(R"({"outgoing": {"filter": {"local":
                  ["10.96.0.8/30"]}}})")) == Strings{"CACHE cache.data:6379 -> data/cache"});
        CHECK(planned(env, cluster, outgoing_from(R"({"outgoing": {"filter": {"remote":
                  ["tcp://kafka-bootstrap:9092"]}}})")) ==
              Strings{"KAFKA kafka-bootstrap:9092 -> shop/kafka-bootstrap"});
        CHECK(planned(env, cluster, outgoing_from(R"({"outgoing": {"filter": {"remote":
                  ["udp://kafka-bootstrap:9092"]}}})")).empty());
    }
}

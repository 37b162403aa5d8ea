#include <catch2/catch.hpp>

#include "common/kube/resources.hpp"
#include "common/kube/targets.hpp"

using namespace mirrord::kube;

namespace {

json pod(std::vector<std::string> containers, std::string phase = "Running",
         std::string ready = "True") {
    json spec_containers = json::array();
    for (auto& name : containers)
        spec_containers.push_back({{"name", name}});
    return {{"metadata", {{"name", "api-1"}}},
            {"spec", {{"containers", spec_containers}}},
            {"status", {{"phase", phase}, {"conditions", {{{"type", "Ready"}, {"status", ready}}}}}}};
}

} // namespace

TEST_CASE("pod targets") {
    SECTION("one app container plus mesh sidecars gives pod/<name>") {
        CHECK(pod_target_paths(pod({"app", "istio-proxy", "linkerd-proxy"})) ==
              std::vector<std::string>{"pod/api-1"});
    }
    SECTION("several app containers give one path per container") {
        CHECK(pod_target_paths(pod({"app", "worker", "vault-agent"})) ==
              std::vector<std::string>{"pod/api-1/container/app", "pod/api-1/container/worker"});
    }
    SECTION("only Running pods with Ready=True count as ready") {
        CHECK(pod_is_ready(pod({"app"})));
        CHECK_FALSE(pod_is_ready(pod({"app"}, "Pending")));
        CHECK_FALSE(pod_is_ready(pod({"app"}, "Running", "False")));
    }
}

TEST_CASE("ResourceKind paths") {
    CHECK(kinds::pod.object("ns", "p") == "/api/v1/namespaces/ns/pods/p");
    CHECK(kinds::deployment.subresource("ns", "d", "scale") ==
          "/apis/apps/v1/namespaces/ns/deployments/d/scale");
    CHECK(kinds::lease.collection("ns") == "/apis/coordination.k8s.io/v1/namespaces/ns/leases");
    CHECK(kinds::pod.collection("") == "/api/v1/pods");
    CHECK(kinds::namespace_.object("ignored", "x") == "/api/v1/namespaces/x");
    CHECK(custom_resource("queues.mirrord.metalbear.co", "v1alpha", "mirrordkafkatopicsconsumers")
              .collection("ns") ==
          "/apis/queues.mirrord.metalbear.co/v1alpha/namespaces/ns/mirrordkafkatopicsconsumers");
    CHECK(find_kind("Deployment")->plural == "deployments");
    CHECK(find_kind("cronjobs")->group == "batch");
    CHECK_FALSE(find_kind("widgets"));
}

TEST_CASE("pod targets from malformed objects") {
    // Each of these threw nlohmann::type_error (value() on a non-object or a mismatched type).
    SECTION("status, conditions and containers of the wrong type read as absent") {
        CHECK_FALSE(pod_is_ready(json::parse(R"({"status":"Running"})")));
        CHECK_FALSE(pod_is_ready(json::parse(R"({"status":{"phase":1}})")));
        CHECK_FALSE(pod_is_ready(json::parse(R"({"status":{"phase":"Running","conditions":{"type":"Ready"}}})")));
        CHECK_FALSE(pod_is_ready(json::parse(R"({"status":{"phase":"Running","conditions":["Ready"]}})")));
        CHECK_FALSE(pod_is_ready(json::parse(R"({"status":{"phase":"Running","conditions":[{"type":"Ready","status":true}]}})")));
        CHECK_FALSE(pod_is_ready(json::parse("[]")));
    }
    SECTION("containers without a usable name are left out") {
        auto malformed = json::parse(
            R"({"metadata":{"name":"api-1"},"spec":{"containers":[{"name":7},"app",{"name":"web"}]}})");
        CHECK(pod_target_paths(malformed) == std::vector<std::string>{"pod/api-1"});
        CHECK(pod_target_paths(json::parse(R"({"metadata":"x","spec":{"containers":"app"}})"))
                  .empty());
    }
}

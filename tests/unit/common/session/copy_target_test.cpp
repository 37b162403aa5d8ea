#include <catch2/catch.hpp>

#include <algorithm>

#include "common/session/copy_target.hpp"
#include "common/session/lease.hpp"

using namespace mirrord;
using json = nlohmann::json;

namespace {

// A Deployment's live pod the way the apiserver returns it: selector labels, the
// pod-template-hash a ReplicaSet adds, probes, a node, and a sidecar beside the target.
json live_pod() {
    return json::parse(R"({
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {
        "name": "kafka-consumer-7d9f8-abcde", "namespace": "team",
        "labels": {"app": "kafka-consumer", "tier": "backend", "pod-template-hash": "7d9f8",
                   "team": "payments"},
        "annotations": {"note": "kept"},
        "ownerReferences": [{"kind": "ReplicaSet", "name": "kafka-consumer-7d9f8",
                             "controller": true}]
      },
      "spec": {
        "nodeName": "node-1", "hostname": "consumer-0", "subdomain": "consumers",
        "priorityClassName": "high", "priority": 1000, "preemptionPolicy": "PreemptLowerPriority",
        "runtimeClassName": "fast", "overhead": {"cpu": "10m"},
        "ephemeralContainers": [{"name": "debugger", "image": "busybox", "stdin": true}],
        "volumes": [
          {"name": "data", "emptyDir": {}},
          {"name": "kube-api-access-x7k2p", "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt"}}]}}
        ],
        "initContainers": [{"name": "migrate", "image": "app:1"},
                           {"name": "wait-for-kafka", "image": "busybox"}],
        "containers": [
          {"name": "consumer", "image": "app:1", "command": ["python3"], "args": ["app.py"],
           "env": [{"name": "KAFKA_TOPIC", "value": "test-topic"}],
           "volumeMounts": [{"name": "data", "mountPath": "/data"},
                            {"name": "kube-api-access-x7k2p",
                             "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
           "livenessProbe": {"httpGet": {"path": "/"}}, "readinessProbe": {"exec": {}},
           "startupProbe": {"exec": {}}, "lifecycle": {"preStop": {"exec": {}}}},
          {"name": "metrics", "image": "exporter:2", "readinessProbe": {"exec": {}}},
          {"name": "logger", "image": "fluent:3"}
        ]
      },
      "status": {"phase": "Running"}
    })");
}

json deployment() {
    return json::parse(R"({
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "kafka-consumer", "namespace": "team"},
      "spec": {"replicas": 3,
               "selector": {"matchLabels": {"app": "kafka-consumer"},
                            "matchExpressions": [{"key": "tier", "operator": "In",
                                                  "values": ["backend"]}]}}
    })");
}

session::ResolvedTarget resolved(json workload = deployment(), json pod = live_pod()) {
    config::Target target;
    target.kind = config::TargetKind::deployment;
    target.name = workload["metadata"]["name"];
    target.container = "consumer";
    return {target, "team", kube::kinds::deployment, std::move(workload), std::move(pod), false,
            "consumer"};
}

const json owner = {{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"},
                    {"name", "mirrord-session-1a2b3c4d"}, {"uid", "u-1"}, {"controller", true}};

const json* find_named(const json& list, const std::string& name) {
    auto found = std::find_if(list.begin(), list.end(),
                              [&](const json& item) { return item.value("name", "") == name; });
    return found == list.end() ? nullptr : &*found;
}

} // namespace

TEST_CASE("build_copy_pod", "[session]") {
    config::CopyTargetConfig copy;
    copy.enabled = true;
    auto pod = session::build_copy_pod(resolved(), copy, "agent:9", "1a2b3c4d", owner);
    const auto& labels = pod["metadata"]["labels"];
    const auto& containers = pod["spec"]["containers"];

    SECTION("probes are removed from every container") {
        for (const auto& container : containers)
            for (const auto* probe : {"livenessProbe", "readinessProbe", "startupProbe"})
                CHECK_FALSE(container.contains(probe));
    }
    SECTION("selector labels and controller labels are removed, others kept") {
        CHECK_FALSE(labels.contains("app"));
        CHECK_FALSE(labels.contains("tier")); // matched by a matchExpression
        CHECK_FALSE(labels.contains("pod-template-hash"));
        CHECK(labels["team"] == "payments");
    }
    SECTION("the copy carries session, copy-of and managed-by labels") {
        CHECK(labels[session::session_label] == "1a2b3c4d");
        CHECK(labels[session::copy_of_label] == "deployment.kafka-consumer");
        CHECK(labels[session::managed_by_label] == "mirrord");
    }
    SECTION("the only owner is the session Lease, as controller") {
        REQUIRE(pod["metadata"]["ownerReferences"].size() == 1);
        CHECK(pod["metadata"]["ownerReferences"][0] == owner);
    }
    SECTION("the target container idles in the agent image without the app's args") {
        const json* target = find_named(containers, "consumer");
        REQUIRE(target != nullptr);
        CHECK((*target)["image"] == "agent:9");
        CHECK((*target)["command"] == json::array({"sleep", "infinity"}));
        CHECK_FALSE(target->contains("args"));
        CHECK_FALSE(target->contains("lifecycle"));
        CHECK((*target)["env"][0]["value"] == "test-topic"); // env resolution reads it
        CHECK((*find_named(containers, "metrics"))["image"] == "exporter:2");
    }
    SECTION("the node is left to the scheduler and the name, namespace and status are the copy's") {
        CHECK_FALSE(pod["spec"].contains("nodeName"));
        CHECK(pod["metadata"]["name"] == "mirrord-copy-kafka-consumer-1a2b3c4d");
        CHECK(pod["metadata"]["namespace"] == "team");
        CHECK(pod["metadata"]["annotations"]["note"] == "kept");
        CHECK_FALSE(pod.contains("status"));
    }
    SECTION("fields only a live pod has, which the apiserver refuses or computes, are removed") {
        const auto& spec = pod["spec"];
        for (const auto* field :
             {"ephemeralContainers", "priority", "preemptionPolicy", "overhead"})
            CHECK_FALSE(spec.contains(field));
        // The classes they come from stay: admission computes the values from them again.
        CHECK(spec["priorityClassName"] == "high");
        CHECK(spec["runtimeClassName"] == "fast");
        CHECK(spec["hostname"] == "consumer-0");
        CHECK(spec["subdomain"] == "consumers");
    }
    SECTION("the admission plugin's service account volume is removed, the app's kept") {
        const auto& volumes = pod["spec"]["volumes"];
        REQUIRE(volumes.size() == 1);
        CHECK(volumes[0]["name"] == "data");
        const auto& mounts = (*find_named(containers, "consumer"))["volumeMounts"];
        REQUIRE(mounts.size() == 1);
        CHECK(mounts[0]["name"] == "data");
    }
    SECTION("exclude_containers drops containers but never the target one") {
        copy.exclude_containers = {"logger", "consumer"};
        copy.exclude_init_containers = {"wait-for-kafka"};
        auto excluded = session::build_copy_pod(resolved(), copy, "agent:9", "1a2b3c4d", owner);
        const auto& kept = excluded["spec"]["containers"];
        CHECK(find_named(kept, "logger") == nullptr);
        CHECK(find_named(kept, "consumer") != nullptr);
        CHECK(find_named(kept, "metrics") != nullptr);
        const auto& init = excluded["spec"]["initContainers"];
        CHECK(find_named(init, "wait-for-kafka") == nullptr);
        CHECK(find_named(init, "migrate") != nullptr);
    }
    SECTION("a long workload name gives a valid name of at most 63 characters") {
        auto workload = deployment();
        workload["metadata"]["name"] = std::string(70, 'a') + "-b";
        auto long_pod = session::build_copy_pod(resolved(workload), copy, "agent:9", "1a2b3c4d",
                                                owner);
        std::string name = long_pod["metadata"]["name"];
        CHECK(name.size() <= 63);
        CHECK(name.ends_with("-1a2b3c4d"));
        CHECK(name.find("--") == std::string::npos);
        std::string value = long_pod["metadata"]["labels"][session::copy_of_label];
        CHECK(value.size() <= 63); // label values are limited to 63 characters too
    }
}

TEST_CASE("service_selected_labels", "[session]") {
    const json labels = {{"app", "web"},
                         {"tier", "backend"},
                         {"team", "payments"},
                         {session::managed_by_label, "mirrord"}};
    auto service = [](json selector) { return json{{"spec", {{"selector", selector}}}}; };

    SECTION("a Service whose selector the labels match names all its keys") {
        auto keys = session::service_selected_labels(
            labels, json::array({service({{"app", "web"}, {"tier", "backend"}})}));
        CHECK(keys == std::vector<std::string>{"app", "tier"});
    }
    SECTION("a Service that does not select the pod names nothing") {
        auto keys = session::service_selected_labels(
            labels, json::array({service({{"app", "web"}, {"tier", "frontend"}}),
                                 service({{"app", "web"}, {"zone", "a"}})}));
        CHECK(keys.empty());
    }
    SECTION("a Service without a selector selects no pod") {
        auto keys = session::service_selected_labels(
            labels, json::array({json{{"spec", json::object()}}, service(json::object())}));
        CHECK(keys.empty());
    }
    SECTION("keys of several Services are named once, mirrord's own labels never") {
        auto keys = session::service_selected_labels(
            labels, json::array({service({{"team", "payments"}}),
                                 service({{"team", "payments"}, {"app", "web"}}),
                                 service({{session::managed_by_label, "mirrord"}})}));
        CHECK(keys == std::vector<std::string>{"team", "app"});
    }
}

#include "common/kube/targets.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "common/kube/resources.hpp"
#include "common/kube/status_error.hpp"

namespace mirrord::kube {
namespace {

// mirrord kube/src/api/container.rs SKIP_NAMES, plus telepresence's injected agent.
constexpr std::array<std::string_view, 11> mesh_containers{
    "istio-proxy",      "istio-init",  "linkerd-proxy", "linkerd-init",
    "kuma-sidecar",     "kuma-init",   "vault-agent",   "vault-agent-init",
    "queue-proxy",      "traffic-agent", "tel-agent-init"};

// mirrord's listing order; each type's API kind and the readiness rule for the rich output.
struct ListedType {
    std::string_view type;
    ResourceKind kind;
};

std::vector<ListedType> listed_types() {
    return {{"deployment", kinds::deployment},
            {"rollout", custom_resource("argoproj.io", "v1alpha1", "rollouts", "Rollout")},
            {"statefulset", kinds::statefulset},
            {"cronjob", kinds::cronjob},
            {"job", kinds::job},
            {"service", kinds::service},
            {"replicaset", kinds::replicaset},
            {"pod", kinds::pod}};
}

bool wanted(const TargetQuery& query, std::string_view type) {
    if (query.types.empty())
        return type == "deployment" || type == "rollout" || type == "pod";
    return std::find(query.types.begin(), query.types.end(), type) != query.types.end();
}

bool workload_available(std::string_view type, const json& object) {
    const json status = object.value("status", json::object());
    if (type == "deployment" || type == "rollout")
        return status.value("availableReplicas", 0) >= 1;
    if (type == "statefulset" || type == "replicaset")
        return status.value("readyReplicas", 0) >= 1;
    return true;
}

void add_entries(std::string_view type, const json& object, bool include_unavailable,
                 std::vector<TargetEntry>& out) {
    const std::string name = object.value("metadata", json::object()).value("name", "");
    if (type == "pod") {
        const bool ready = pod_is_ready(object);
        if (!ready && !include_unavailable)
            return;
        for (auto& path : pod_target_paths(object))
            out.push_back({std::move(path), ready});
        return;
    }
    const bool available = workload_available(type, object);
    if (available || include_unavailable)
        out.push_back({fmt::format("{}/{}", type, name), available});
}

} // namespace

bool is_mesh_container(const std::string& name) {
    return std::find(mesh_containers.begin(), mesh_containers.end(), name) !=
           mesh_containers.end();
}

bool pod_is_ready(const json& pod) {
    const json status = pod.value("status", json::object());
    if (status.value("phase", "") != "Running")
        return false;
    for (const auto& condition : status.value("conditions", json::array()))
        if (condition.value("type", "") == "Ready")
            return condition.value("status", "") == "True";
    return false;
}

std::vector<std::string> pod_target_paths(const json& pod) {
    const std::string name = pod.value("metadata", json::object()).value("name", "");
    std::vector<std::string> containers;
    for (const auto& container :
         pod.value("spec", json::object()).value("containers", json::array())) {
        std::string container_name = container.value("name", "");
        if (!is_mesh_container(container_name))
            containers.push_back(std::move(container_name));
    }
    if (containers.size() == 1)
        return {"pod/" + name};
    std::vector<std::string> paths;
    for (const auto& container : containers)
        paths.push_back(fmt::format("pod/{}/container/{}", name, container));
    return paths;
}

Result<std::vector<TargetEntry>> list_targets(Client& client, const TargetQuery& query) {
    std::vector<TargetEntry> entries;
    for (const auto& listed : listed_types()) {
        if (!wanted(query, listed.type))
            continue;
        const std::string path = listed.kind.collection(query.namespace_);
        if (listed.kind.group == "argoproj.io") {
            MIRRORD_TRY_ASSIGN(auto probe, client.call({"GET", path, {{"limit", "1"}}, "", ""}));
            if (probe.status == 404)
                continue; // no Argo Rollouts CRD in this cluster
        }
        MIRRORD_TRY_ASSIGN(auto list, client.list(path, {not_mirrord_selector, "", 500, "0"}));
        for (const auto& object : list.value("items", json::array()))
            add_entries(listed.type, object, query.include_unavailable, entries);
    }
    return entries;
}

Result<std::vector<std::string>> list_namespace_names(Client& client) {
    MIRRORD_TRY_ASSIGN(auto response, client.call({"GET", kinds::namespace_.collection(""),
                                                   {}, "", ""}));
    std::vector<std::string> names;
    if (response.status == 403)
        return names;
    if (response.status / 100 != 2)
        return status_error("GET", kinds::namespace_.collection(""), response.status,
                            response.raw);
    for (const auto& item : response.body.value("items", json::array()))
        names.push_back(item.value("metadata", json::object()).value("name", ""));
    return names;
}

} // namespace mirrord::kube

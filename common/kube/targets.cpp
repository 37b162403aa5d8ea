#include "common/kube/targets.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "common/kube/json_fields.hpp"
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
    const json& status = object_member(object, "status");
    if (type == "deployment" || type == "rollout")
        return integer_member(status, "availableReplicas") >= 1;
    if (type == "statefulset" || type == "replicaset")
        return integer_member(status, "readyReplicas") >= 1;
    return true;
}

void add_entries(std::string_view type, const json& object, bool include_unavailable,
                 std::vector<TargetEntry>& out) {
    const std::string name = string_member(object_member(object, "metadata"), "name");
    if (name.empty())
        return; // not an object we can name as a target
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
    const json& status = object_member(pod, "status");
    if (string_member(status, "phase") != "Running")
        return false;
    for (const auto& condition : array_member(status, "conditions"))
        if (string_member(condition, "type") == "Ready")
            return string_member(condition, "status") == "True";
    return false;
}

std::vector<std::string> pod_target_paths(const json& pod) {
    const std::string name = string_member(object_member(pod, "metadata"), "name");
    std::vector<std::string> containers;
    for (const auto& container : array_member(object_member(pod, "spec"), "containers")) {
        std::string container_name = string_member(container, "name");
        if (!container_name.empty() && !is_mesh_container(container_name))
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
        for (const auto& object : array_member(list, "items"))
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
    for (const auto& item : array_member(response.body, "items"))
        if (auto name = string_member(object_member(item, "metadata"), "name"); !name.empty())
            names.push_back(std::move(name));
    return names;
}

} // namespace mirrord::kube

#pragma once
// The targets `mirrord ls` offers (spec 2.3, mirrord's seeker.rs): workloads and pods in one
// namespace, as target paths ("deployment/api", "pod/api-7d/container/app").

#include <string>
#include <vector>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"

namespace mirrord::kube {

// Hides our own resources: mirrord's selector plus the label our sessions put on what they make.
inline constexpr const char* not_mirrord_selector =
    "app!=mirrord,!operator.metalbear.co/owner,app.kubernetes.io/managed-by!=mirrord";

struct TargetQuery {
    std::string namespace_;
    // "pod", "deployment", "rollout", "statefulset", "cronjob", "job", "replicaset", "service";
    // empty = mirrord's open-source set: deployments, rollouts, pods.
    std::vector<std::string> types;
    // Also list targets that are not ready (copy_target makes its own pod, so readiness of the
    // original does not matter).
    bool include_unavailable = false;
};

// One listed target. `available` is false for a not-Ready pod or a deployment without
// available replicas (only listed with include_unavailable).
struct TargetEntry {
    std::string path;
    bool available = true;
};

// Lists targets in mirrord's order (deployments, rollouts, statefulsets, cronjobs, jobs,
// services, replicasets, then pods). Kinds the cluster does not serve (no Argo Rollouts CRD)
// are skipped; other errors name the kind and namespace.
Result<std::vector<TargetEntry>> list_targets(Client& client, const TargetQuery& query);

// Namespace names the user may list; empty (not an error) when forbidden.
Result<std::vector<std::string>> list_namespace_names(Client& client);

// True for service-mesh and injected sidecar containers that are never a target.
bool is_mesh_container(const std::string& name);

// The paths one pod contributes: pod/<name> with one candidate container, else one
// pod/<name>/container/<c> per candidate.
std::vector<std::string> pod_target_paths(const json& pod);

// True when the pod is Running with condition Ready=True.
bool pod_is_ready(const json& pod);

} // namespace mirrord::kube

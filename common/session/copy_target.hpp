#pragma once
// copy_target: a pod built from the target's pod spec stands in for it during a session. It is
// owned (controller ownerReference) by the session Lease, so garbage collection deletes it with
// the Lease and no ReplicaSet can adopt it; the workload's selector labels, and the labels any
// Service of the namespace selects by, are removed so no controller counts it and no Service
// routes to it; probes and the fields only a live pod has (node, ephemeral containers, ...) are
// removed; the target container runs the agent image idle instead of the app (the app runs
// locally).

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/config/config.hpp"
#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/target.hpp"

namespace mirrord::session {

inline constexpr const char* copy_of_label = "mirrord.dev/copy-of";

// "mirrord-copy-<target name>-<session id>", cut to a valid object name.
std::string copy_pod_name(const ResolvedTarget& target, const std::string& session_id);

// The keys of `labels` by which some Service in `services` (a list's items) selects a pod with
// these labels: every key of each non-empty selector that `labels` matches. mirrord's own
// labels are never named (reset finds copies by them).
std::vector<std::string> service_selected_labels(const json& labels, const json& services);

// The copy pod object for `target`, owned by `owner` (the session Lease's ownerReference).
json build_copy_pod(const ResolvedTarget& target, const config::CopyTargetConfig& copy,
                    const std::string& agent_image, const std::string& session_id,
                    const json& owner);

// Called while waiting, with a short status ("Pending: ContainerCreating").
using WaitProgress = std::function<void(const std::string&)>;
// Checked while waiting; true aborts the wait (Ctrl+C).
using ShouldStop = std::function<bool()>;

// Creates `pod`, without the labels a Service of its namespace selects it by (a Service that
// selects a pod target's labels, or labels beside a workload's selector), and waits until it
// is Running, up to `timeout`. On failure or timeout the error
// carries the pod's conditions and events, and the pod is deleted.
Result<json> create_copy_pod(kube::Client& client, const json& pod,
                             std::chrono::seconds timeout, const WaitProgress& progress,
                             const ShouldStop& stop);

// Deletes the copy pods of `session_id` in `namespace_` and returns the names of those it
// deleted (for `reset`'s report); already-gone pods are fine and not listed.
Result<std::vector<std::string>> delete_copy_pods(kube::Client& client,
                                                  const std::string& namespace_,
                                                  const std::string& session_id);

// Deletes the pods `names` in `namespace_`; returns those that still existed.
Result<std::vector<std::string>> delete_pods_named(kube::Client& client,
                                                   const std::string& namespace_,
                                                   const std::vector<std::string>& names);

} // namespace mirrord::session

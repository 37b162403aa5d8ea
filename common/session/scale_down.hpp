#pragma once
// scale_down: the target workload runs zero replicas for the length of a session, so the local
// process is the only consumer. The original replica count lives in the cluster, in a ledger
// annotation written by the same atomic PATCH (resourceVersion precondition) that sets
// spec.replicas to 0:
//   mirrord.dev/scale-down: {"replicas":3,"session":"1a2b3c4d","owner":"ann@laptop","since":"..."}
// A ledger is never overwritten with 0 by a later session: its value is kept (Okteto's
// second-run bug in reference/field-anchors.md 4.2).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"
#include "common/kube/resources.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/lease.hpp"
#include "common/session/target.hpp"

namespace mirrord::session {

inline constexpr const char* scale_down_annotation = "mirrord.dev/scale-down";

// The ledger annotation's content.
struct Ledger {
    int replicas = 0;
    std::string session;
    std::string owner;
    std::string since;
};

// Parses the ledger annotation of `workload`; nullopt when absent. Anyone may edit it, so an
// unreadable one (bad JSON, wrong types, missing or huge values) is an error naming `what` (the
// workload, "deployment ns/x") and the annotation.
Result<std::optional<Ledger>> parse_ledger(const json& workload, const std::string& what);
// parse_ledger, with a malformed ledger read as nullopt (for callers that only look).
std::optional<Ledger> read_ledger(const json& workload);

// The workload whose replicas a scale-down changes.
struct ScaleTarget {
    kube::ResourceKind kind;
    std::string namespace_;
    std::string name;
    // "deployment default/kafka-consumer".
    std::string describe() const;
};

// The kinds scale_down accepts, Argo Rollouts included: what the reaper, `reset` and
// `operator status` scan for ledgers.
const std::vector<kube::ResourceKind>& scalable_kinds();
// The argoproj.io Rollout kind.
const kube::ResourceKind& rollout_kind();

// Every workload in `namespace_` (all when empty) that carries a scale-down ledger, and one
// message per malformed ledger. A kind whose API is not installed (no Rollout CRD) has none.
struct LedgerList {
    std::vector<std::pair<ScaleTarget, Ledger>> ledgers;
    std::vector<std::string> malformed;
};
Result<LedgerList> list_ledgers(kube::Client& client, const std::string& namespace_);

// Deployment, StatefulSet and Rollout scale themselves; a ReplicaSet owned by a Deployment
// scales the Deployment (its controller would undo a direct change). Other targets are an error
// that says why.
Result<ScaleTarget> scale_target_for(kube::Client& client, const ResolvedTarget& target);

// Warnings about things that may scale the workload back up behind mirrord's back: an HPA that
// targets it, Argo CD or Flux labels/annotations.
std::vector<std::string> scale_back_risks(kube::Client& client, const ScaleTarget& target,
                                          const json& workload);

// Decides what to do when another session's ledger is on the workload: true when that session
// is gone or stale (so its ledger may be taken over).
using HolderIsGone = std::function<bool(const std::string& session_id)>;

// Scales `target` to 0 and writes the ledger for `session`. Idempotent for the same session.
// When another live session holds it, fails naming the holder; when the holder is gone, takes
// the ledger over and keeps its original replica count. Returns the ledger now in place.
Result<Ledger> scale_down(kube::Client& client, const ScaleTarget& target,
                          const SessionRecord& session, const HolderIsGone& holder_is_gone);

// What restoring did: whether a ledger of the session was found, the count put back, or why not.
struct RestoreOutcome {
    bool found = false;
    int replicas = 0;
    std::optional<std::string> warning;
};

// restore_scale with the whole outcome.
Result<RestoreOutcome> restore_scale_outcome(kube::Client& client, const ScaleTarget& target,
                                             const std::string& session_id);

// Restores the replicas recorded by `session_id` and removes its ledger. Does nothing when the
// workload is gone or carries no ledger of that session. When someone changed spec.replicas
// meanwhile, leaves it, removes the ledger, and returns a warning.
Result<std::optional<std::string>> restore_scale(kube::Client& client, const ScaleTarget& target,
                                                 const std::string& session_id);

// Number of pods, terminating ones included, that the workload's selector still matches.
Result<int> count_workload_pods(kube::Client& client, const ScaleTarget& target,
                                const json& workload);

} // namespace mirrord::session

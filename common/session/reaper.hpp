#pragma once
// Undoing sessions ("reaping"): restoring scaled-down workloads, deleting copy pods and the
// session Lease. Every step is idempotent and tolerates objects that are already gone, so exec,
// its guardian, a later exec, `ls` and `reset` can all run it for the same session safely.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/lease.hpp"
#include "common/session/scale_down.hpp"

namespace mirrord::session {

// What a reap did, for `reset` and logs.
struct ReapReport {
    std::vector<std::string> actions;  // "restored deployment default/x to 3 replicas"
    std::vector<std::string> warnings; // e.g. replicas changed by someone else
    std::optional<std::string> error;  // set when the session could not be fully undone
};

// What the caller knows a session changed (exec knows what it did): lets reap_session skip
// scanning the namespace's workloads and pods.
struct SessionChanges {
    std::vector<ScaleTarget> scaled;
    std::vector<std::string> copy_pods;
    bool keep_lease = false; // the Lease was taken over: it is no longer ours to delete
};

// Undoes what a session left outside Kubernetes (the temporary Kafka topics and groups of
// queue splitting), read from its Lease object before the Lease is deleted. common/ knows
// nothing of Kafka splitting, so the agent layer installs it (agent/split_cleanup.hpp); a
// failure is reported as a warning and the Lease is deleted anyway (`mirrord reset` removes
// temporary topics whose Lease is gone).
using ExternalCleanup =
    std::function<Status(kube::Client& client, const nlohmann::json& lease, ReapReport& report)>;
void set_external_cleanup(ExternalCleanup cleanup);

// Undoes everything session `id` changed in `namespace_`, then deletes its Lease. API failures
// are retried with backoff before they are reported. Without `known`, finds the changes by
// scanning for the session's ledgers and copy pods.
Result<ReapReport> reap_session(kube::Client& client, const std::string& namespace_,
                                const std::string& id,
                                const std::optional<SessionChanges>& known = std::nullopt);

// Which sessions to reap: stale ones only, or every one (reset --all on dead machines).
enum class ReapScope { stale, all };

// What reap_sessions did: one report per session reaped, and what could not be read.
struct ReapResult {
    std::vector<std::pair<SessionRecord, ReapReport>> reaped;
    std::vector<std::string> malformed; // Leases and ledgers left alone, named with their key
};

// Reaps the sessions of `namespace_` (all namespaces when empty) in `scope`, whose target is
// `target` (any target when empty), and restores scale-down ledgers whose session Lease no
// longer exists (liveness.hpp is the rule). With ReapScope::stale each candidate's Lease is read
// again by name first. A session that cannot be undone does not stop the others: its report
// carries the error.
Result<ReapResult> reap_sessions(kube::Client& client, const std::string& namespace_,
                                 const std::string& target, ReapScope scope);

} // namespace mirrord::session

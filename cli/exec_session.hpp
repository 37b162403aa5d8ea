#pragma once
// What `exec` changes in the cluster for one run, in the order that keeps a crash harmless:
//   1. undo stale sessions of the same target (their owners died);
//   2. the session Lease; 3. the guardian (from here on, a SIGKILL of exec is undone);
//   4. copy_target: the copy pod, owned by the Lease; 5. scale_down: replicas 0 + ledger, then
//      wait until the original pods are gone.
// finish() undoes all of it; the guardian, a later exec, `ls` or `reset` do the same if exec
// cannot.

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/config/config.hpp"
#include "common/core/progress.hpp"
#include "common/core/result.hpp"
#include "common/kube/connection.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/lease.hpp"
#include "common/session/reaper.hpp"
#include "common/session/target.hpp"

namespace mirrord::cli {

class ExecSession {
public:
    // Sets the session up, reporting on `progress`. On failure (or Ctrl+C, seen through
    // InterruptGuard) it undoes what it did before returning the error.
    static Result<std::unique_ptr<ExecSession>>
    start(kube::Client& client, const kube::KubeOptions& kube, const config::Config& config,
          const session::ResolvedTarget& target, ProgressTask& progress);

    ~ExecSession();
    ExecSession(const ExecSession&) = delete;
    ExecSession& operator=(const ExecSession&) = delete;

    // The pod whose environment the local process gets: the copy pod, else the target's pod.
    const nlohmann::json& env_pod() const;
    const std::string& id() const { return lease_->record().id; }
    // Renews the Lease; failures are logged and retried at the next call.
    void renew();
    // Notes the local app's pid in the Lease (for the guardian); failures are logged.
    void child_started(int pid);
    // Undoes everything (idempotent); warnings (replicas changed meanwhile) go to `progress`.
    Status finish(ProgressTask& progress);

private:
    ExecSession(kube::Client& client, session::ResolvedTarget target)
        : client_(client), target_(std::move(target)) {}
    Status create_copy(const config::Config& config, ProgressTask& progress);
    Status scale_down(ProgressTask& progress);

    kube::Client& client_;
    session::ResolvedTarget target_; // a copy: the caller's may move while the session lives
    std::optional<session::SessionLease> lease_;
    std::optional<nlohmann::json> copy_pod_;
    session::SessionChanges changes_; // what finish() undoes, so it needs no scans
    bool finished_ = false;
};

} // namespace mirrord::cli

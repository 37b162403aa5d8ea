#pragma once
// What `exec` changes in the cluster for one run, in the order that keeps a crash harmless:
//   1. session::Session::start: undo dead sessions of the same target, create the Lease;
//   2. the guardian (from here on, a SIGKILL of exec is undone);
//   3. copy_target: the copy pod, owned by the Lease; 4. scale_down: replicas 0 + ledger, then
//      wait until the original pods are gone.
// finish() undoes all of it; the guardian, a later exec, `ls` or `reset` do the same if exec
// cannot. The session's life itself is common/session/session.hpp; this file adds the progress
// display and the steps only exec takes.

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/config/config.hpp"
#include "common/core/progress.hpp"
#include "common/core/result.hpp"
#include "common/kube/connection.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/session.hpp"
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
    const std::string& id() const { return session_->id(); }
    // True once the Lease was lost (deleted, taken over, or not renewable for its duration).
    bool lost() const { return session_->lost(); }
    std::string lost_reason() const { return session_->lost_reason(); }
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
    std::unique_ptr<session::Session> session_;
    std::optional<nlohmann::json> copy_pod_;
    bool finished_ = false;
};

} // namespace mirrord::cli

#pragma once
// What `exec` changes in the cluster for one run, in the order that keeps a crash harmless:
//   1. session::Session::start: undo dead sessions of the same target, create the Lease;
//   2. the guardian (from here on, a SIGKILL of exec is undone);
//   3. copy_target: the copy pod, owned by the Lease; 4. scale_down: replicas 0 + ledger, then
//      wait until the original pods are gone;
//   5. split_queues (after the env is known): session topics, registration, the splitter.
// finish() undoes all of it; the guardian, a later exec, `ls` or `reset` do the same if exec
// cannot. The session's life itself is common/session/session.hpp; this file adds the progress
// display and the steps only exec takes.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/split_session.hpp"
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
    // feature.split_queues (agent/split_session.hpp): for each entry, resolves its plan from the
    // target container's env, sets up the session topic and waits for the splitter; then points
    // `child_env` at the session topics. On failure the splits made so far are undone.
    // `route_brokers` maps a client config's bootstrap.servers (and the namespace its bare names
    // resolve in) to the addresses this process reaches them at: local tunnels for in-cluster
    // brokers (DESIGN.md s8).
    using BrokerRoute = std::function<Result<std::string>(const std::string& servers,
                                                          const std::string& namespace_,
                                                          bool secret)>;
    Status start_splits(const config::Config& config,
                        const std::map<std::string, std::string>& container_env,
                        std::vector<std::string>& child_env, ProgressTask& progress,
                        const BrokerRoute& route_brokers = {});
    // "kafka: test-topic -> mirrord-tmp-... (source=^test-)", one per split.
    std::vector<std::string> split_summaries() const;
    // Notes the local app's pid in the Lease (for the guardian); failures are logged.
    void child_started(int pid);
    // Undoes everything (idempotent); warnings (replicas changed meanwhile) go to `progress`.
    Status finish(ProgressTask& progress);

private:
    ExecSession(kube::Client& client, session::ResolvedTarget target)
        : client_(client), target_(std::move(target)) {}
    Status create_copy(const config::Config& config, ProgressTask& progress);
    Status scale_down(ProgressTask& progress);
    void finish_splits(ProgressTask& task);

    kube::Client& client_;
    session::ResolvedTarget target_; // a copy: the caller's may move while the session lives
    std::unique_ptr<session::Session> session_;
    std::optional<nlohmann::json> copy_pod_;
    std::vector<std::unique_ptr<agent::SessionSplit>> splits_;
    bool finished_ = false;
};

} // namespace mirrord::cli

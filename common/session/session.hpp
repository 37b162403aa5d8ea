#pragma once
// One session's life in the cluster (DESIGN.md section 3), for every process that runs one:
// `exec`, the guardian and later the standalone agent.
//   start:    undo dead sessions of the same target (liveness.hpp is the rule; each is read
//             again by name first), refuse when a live session scaled the target down, create
//             the Lease with the apiserver's clock;
//   takeover: holder_is_gone() tells scale_down whether another session's ledger may be taken;
//   renew:    a thread of its own renews the Lease every 2 s, so a slow apiserver never delays
//             the caller's loop; a Lease that was deleted or taken over is "lost", and so is one
//             that could not be renewed for its whole duration (others may undo it from then on);
//   undo:     finish() restores what the session recorded it changed and deletes the Lease.
// Progress goes through SessionEvents, so this layer knows nothing of terminals.

#include <atomic>
#include <condition_variable>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/api_clock.hpp"
#include "common/session/lease.hpp"
#include "common/session/reaper.hpp"
#include "common/session/scale_down.hpp"
#include "common/session/target.hpp"

namespace mirrord::session {

// Where a session reports what it does; either may be empty.
struct SessionEvents {
    std::function<void(const std::string&)> info;    // "undid stale session 1a2b3c4d of ..."
    std::function<void(const std::string&)> warning; // could not undo, replicas changed, ...
};

class Session {
public:
    // Starts a session on `target`: undoes dead sessions of it, checks (with `scale_down`) that
    // no live session holds its scale-down ledger, and creates the Lease, named after `id`
    // (new_session_id() when empty; exec picks it first, so its guardian knows it before the
    // Lease exists).
    static Result<std::unique_ptr<Session>> start(kube::Client& client,
                                                  const ResolvedTarget& target,
                                                  const SessionSpec& spec, bool scale_down,
                                                  const SessionEvents& events = {},
                                                  std::string id = {});
    // The session `id` whose Lease exists in `namespace_` (a guardian's view of its exec's
    // session); nullptr when the Lease is gone. finish() then finds its changes by scanning.
    static Result<std::unique_ptr<Session>> adopt(kube::Client& client,
                                                  const std::string& namespace_,
                                                  const std::string& id);

    // Stops the renewal thread (waits for a renewal in flight: at most its 5 s timeout).
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const SessionRecord& record() const { return lease_.record(); }
    const std::string& id() const { return lease_.record().id; }
    // A controller ownerReference to the Lease, for objects that must die with the session.
    nlohmann::json owner_reference() const { return lease_.owner_reference(); }
    // The apiserver's clock as this session learnt it.
    ApiClock& clock() { return clock_; }

    // For scale_down(): true when the holder of a ledger is gone or dead, read fresh by name.
    HolderIsGone holder_is_gone();
    // Records a change before making it, so finish() undoes it even if the call fails halfway.
    void will_scale(const ScaleTarget& workload);
    void created_copy_pod(const std::string& name);
    // Notes the local app's pid in the Lease, for the guardian. While renewing, the write is
    // handed to the renewal thread (at once, not at the next period), so a slow apiserver does
    // not hold up the caller; before that it is written here.
    Status record_child(int pid);

    // Renews every `period` on a thread of its own until finish() or the destructor.
    // `on_lost(reason)` runs once, on that thread, when the Lease is lost; keep it short.
    void start_renewing(std::function<void(const std::string&)> on_lost = {},
                        std::chrono::milliseconds period = std::chrono::seconds(2));
    // True once the Lease was lost; lost_reason() says why ("session lease ...: it was deleted").
    bool lost() const { return lost_.load(); }
    std::string lost_reason() const;

    // Stops renewing and undoes everything recorded (idempotent). Without records (adopt), finds
    // the session's ledgers and copy pods by scanning. A Lease taken over is left in place.
    Result<ReapReport> finish();

private:
    Session(kube::Client& client, SessionLease lease, bool scanned)
        : client_(client), lease_(std::move(lease)), scan_on_finish_(scanned) {}
    void renew_loop(std::stop_token stop, std::chrono::milliseconds period);
    void mark_lost(const std::string& reason, bool taken_over);
    void stop_renewing();

    kube::Client& client_;
    ApiClock clock_;
    SessionLease lease_;
    SessionChanges changes_;
    bool scan_on_finish_ = false;
    bool finished_ = false;
    std::unique_ptr<kube::Client> renew_client_; // short timeouts: see start_renewing
    std::function<void(const std::string&)> on_lost_;
    std::atomic<bool> lost_{false};
    std::atomic<bool> taken_over_{false};
    std::atomic<int> pending_child_{0}; // a pid for the renewal thread to record
    mutable std::mutex mutex_; // guards lost_reason_
    std::string lost_reason_;
    std::mutex wake_mutex_;
    std::condition_variable_any wake_; // a stop request ends the wait between renewals
    std::jthread renewer_; // last: joined first on destruction
};

} // namespace mirrord::session

#pragma once
// Who runs the splitter of one split (DESIGN.md section 5): the holder of the splitter Lease
// `mirrord-splitter-<split-key>` in the target's namespace. Every `exec` of the split runs a
// SplitLeader: the first one creates the Lease and starts the Splitter in-process (the embedded
// agent); the others stand by, checking the Lease every second, and take it over (an update
// guarded by resourceVersion, so only one standby wins) when it is stale by the apiserver's
// clock or its holder's session is gone or dead. A SIGKILLed leader's guardian deletes its
// session Lease at once, so a standby takes over within about a second, not a lease duration.
// The new leader's Splitter fences the old one through the shared transactional.id, so even a
// leader that lost its Lease but still runs cannot commit a copy twice.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/lease_registry.hpp"
#include "agent/splitter.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/api_clock.hpp"

namespace mirrord::agent {

struct LeaderOptions {
    std::string namespace_;
    std::string session_id; // the holder identity: the exec's session
    SplitterOptions splitter;
    std::chrono::milliseconds check_period{1000}; // standby: how often to look at the Lease
    std::chrono::milliseconds renew_period{2000};
    int lease_seconds = 10;
    // "took over split ...": called on the election thread, for as long as it runs.
    std::function<void(const std::string&)> info;
};

class SplitLeader {
public:
    // Starts the election thread; its first round runs at once (the first session must not wait
    // a check period for its splitter).
    static std::unique_ptr<SplitLeader> start(kube::Client& client, LeaderOptions options);
    ~SplitLeader();
    SplitLeader(const SplitLeader&) = delete;
    SplitLeader& operator=(const SplitLeader&) = delete;

    bool leading() const { return leading_.load(); }
    // The last reason this process could not lead (Splitter::start failed, ...), for exec's
    // wait: an unreachable broker is then reported as such, not as a timeout.
    std::optional<std::string> last_error() const;
    // What the in-process Splitter delivered, per session (empty on a standby); after stop(),
    // what it had delivered when it stopped.
    std::map<std::string, uint64_t> delivered() const;
    // Stops the Splitter if it runs here (it commits its open transaction and leaves its group)
    // and releases the Lease, so a standby takes over at its next check. Idempotent.
    void stop();

private:
    SplitLeader(kube::Client& client, LeaderOptions options);
    void run(std::stop_token stop);
    void round();
    bool try_acquire();
    void renew();
    void lead();
    void abdicate(const std::string& why, bool release);
    Status release_lease();

    kube::Client& client_;
    LeaderOptions options_;
    std::string lease_name_;
    session::ApiClock clock_;
    LeaseRegistry registry_;
    std::unique_ptr<Splitter> splitter_;
    std::atomic<bool> leading_{false};
    std::chrono::steady_clock::time_point last_renewed_;
    mutable std::mutex mutex_; // guards last_error_, splitter_ (for delivered())
    std::optional<std::string> last_error_;
    std::map<std::string, uint64_t> stopped_delivered_; // guarded by mutex_
    std::mutex wake_mutex_;
    std::condition_variable_any wake_;
    std::jthread thread_; // last: joined first
};

} // namespace mirrord::agent

#pragma once
// The session registry of a split, kept on the session Leases themselves (SPLIT-INTERFACES.md
// part 2): a session registers by annotating its own Lease, the splitter finds it by listing the
// namespace's session Leases and acknowledges by annotating it back. So the splitter needs no
// connection to the other `exec` processes, and a session whose Lease goes stale (its exec died)
// drops out of routing by the same rule that reaps it (common/session/liveness.hpp).

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "agent/registration.hpp"
#include "agent/split_names.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/api_clock.hpp"

namespace mirrord::agent {

class LeaseRegistry : public SessionRegistry {
public:
    // The sessions of split `key` in `namespace_`; `splitter` names the writer in split-start.
    LeaseRegistry(kube::Client& client, std::string ns, std::string key, std::string splitter)
        : client_(client), namespace_(std::move(ns)), key_(std::move(key)),
          splitter_(std::move(splitter)) {}

    Result<std::vector<SplitSession>> sessions() override;
    Status acknowledge(const std::string& session_id,
                       const std::map<int32_t, int64_t>& start_offsets) override;
    // Written at most every 2 s per session (the apiserver is shared; the count is for humans).
    void delivered(const std::string& session_id, uint64_t count) override;
    // The split-released annotation, with the final count.
    void released(const std::string& session_id, uint64_t count) override;

private:
    kube::Client& client_;
    std::string namespace_, key_, splitter_;
    session::ApiClock clock_;
    std::mutex mutex_; // guards last_written_
    std::map<std::string, std::pair<std::chrono::steady_clock::time_point, uint64_t>>
        last_written_;
};

// Writes the registration (split-key label and annotation, split, split-kafka) on session `id`'s
// Lease. `kafka` is the non-secret part of the client properties (for the reaper).
Status register_session(kube::Client& client, const std::string& namespace_,
                        const std::string& id, const std::string& key,
                        const Registration& registration, const nlohmann::json& kafka);
// Removes the registration, so every splitter stops routing to the session.
Status unregister_session(kube::Client& client, const std::string& namespace_,
                          const std::string& id);

// What a session's Lease says about its split, read with the non-throwing readers.
struct SessionSplitState {
    std::optional<SplitStart> start;
    uint64_t delivered = 0;
    bool released = false; // a splitter no longer routes to it (split-released)
};
Result<SessionSplitState> read_split_state(kube::Client& client, const std::string& namespace_,
                                           const std::string& id);

// After unregister_session: waits (up to `timeout`) until no splitter routes to session `id`
// any more (split-released), or it was never routed to. A splitter in another exec learns of
// the unregistration at its next look at the registry (every 500 ms) and may still have copies
// to the session topic in an open transaction; deleting the topic under them stalls or fails
// that transaction for every session. Bounded by release_timeout (the registry interval, a
// commit and two apiserver round trips, with margin): a splitter that is gone or hung never
// says so, and the topic goes anyway (its producer cannot re-create it).
inline constexpr std::chrono::seconds release_timeout{5};
void await_release(kube::Client& client, const std::string& namespace_, const std::string& id);

} // namespace mirrord::agent

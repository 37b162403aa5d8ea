#pragma once
// The session Lease (DESIGN.md section 3): `mirrord-session-<id>` in the target's namespace,
// labelled app.kubernetes.io/managed-by=mirrord, with the session's spec in annotations. `exec`
// renews it every 2 s; it is stale once renewTime + leaseDurationSeconds has passed. Everything
// a session changes in the cluster points back at it, so any mirrord process can undo the work
// of a session that died.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/api_clock.hpp"

namespace mirrord::session {

using json = nlohmann::json;

inline constexpr const char* managed_by_label = "app.kubernetes.io/managed-by";
inline constexpr const char* session_label = "mirrord.dev/session";
inline constexpr int default_lease_seconds = 15;
// The session's spec, in annotations of its Lease (written by create, read by record_from_lease).
inline constexpr const char* annotation_target = "mirrord.dev/target";
inline constexpr const char* annotation_owner = "mirrord.dev/owner";
inline constexpr const char* annotation_pid = "mirrord.dev/pid";
inline constexpr const char* annotation_host = "mirrord.dev/host";
inline constexpr const char* annotation_features = "mirrord.dev/features";
inline constexpr const char* annotation_child_pid = "mirrord.dev/child-pid";

// What a new session records about itself.
struct SessionSpec {
    std::string target;  // "deployment/x/container/c"
    std::string owner;   // user@host
    int pid = 0;
    std::vector<std::string> features; // "copy_target", "scale_down", "split_queues"
    int lease_seconds = default_lease_seconds;
};

// A session as read back from its Lease.
struct SessionRecord {
    std::string id;
    std::string namespace_;
    std::string lease_name;
    std::string uid;
    std::string target;
    std::string owner;
    std::string host;
    int pid = 0;
    int child_pid = 0; // the local app, once started
    std::vector<std::string> features;
    Clock::time_point started;
    Clock::time_point renewed;
    int lease_seconds = default_lease_seconds;

    // True when the Lease has not been renewed within its duration. `now` must be the
    // apiserver's time (ApiClock::now()), never this machine's clock (api_clock.hpp says why).
    bool stale(Clock::time_point now) const;
};

// A fresh random session id: 8 lowercase hex digits (valid in object names and labels).
std::string new_session_id();
// "mirrord-session-<id>".
std::string lease_name(const std::string& id);
// "user@host" of this process.
std::string local_owner();
// Kubernetes MicroTime ("2026-11-25T15:20:00.123456Z") and back.
std::string micro_time(Clock::time_point time);
std::optional<Clock::time_point> parse_time(const std::string& text);

// True for a session id this mirrord could have made: 1-63 of [a-z0-9-], so lease_name() is a
// valid object name and no edited annotation can turn it into another API path.
bool valid_session_id(const std::string& id);

// Reads a Lease object into a record; nullopt when it is not a mirrord session Lease. An edited
// or broken one (wrong types, missing times, huge values) is an error naming the Lease and key.
Result<std::optional<SessionRecord>> parse_session_lease(const json& lease);
// parse_session_lease, with malformed Leases read as nullopt (for callers that only look).
std::optional<SessionRecord> record_from_lease(const json& lease);

// How a renewal went.
struct RenewOutcome {
    enum class Kind { renewed, lost, failed } kind = Kind::renewed;
    std::string message; // lost: why ("deleted", "now held by ..."); failed: the error
    bool taken_over = false; // lost to another holder (the Lease is theirs now: keep it)
};

// The session Lease of a running `exec`: created on start, renewed, deleted at the end.
class SessionLease {
public:
    // Creates the Lease in `namespace_`. The id is new unless `id` is given.
    // Times come from `clock` (the apiserver's), else from the local clock.
    static Result<SessionLease> create(kube::Client& client, const std::string& namespace_,
                                       const SessionSpec& spec, std::string id = {},
                                       ApiClock* clock = nullptr);
    // The Lease of an existing session (the guardian's view); nullopt when it is gone.
    static Result<std::optional<SessionLease>> open(kube::Client& client,
                                                    const std::string& namespace_,
                                                    const std::string& id);

    const SessionRecord& record() const { return record_; }
    // An ownerReference (controller) to this Lease: dependents are deleted with it.
    json owner_reference() const;
    // renew_checked with this machine's clock and the Lease's own client, as a Status (for
    // tests and tools; a running session renews through session::Session).
    Status renew();
    // Moves renewTime to clock.now() through `client` (which may be a second client with a short
    // timeout), provided the Lease is still this one (same uid) and names this holder: a Lease
    // that was deleted (404) or taken over is `lost`, any other failure `failed` (transient).
    RenewOutcome renew_checked(kube::Client& client, ApiClock& clock);
    // Records the local child's pid, so a guardian can stop the app when exec dies; through
    // `via` when given (the renewal thread's client).
    Status record_child(int pid, kube::Client* via = nullptr);

private:
    SessionLease(kube::Client& client, SessionRecord record, std::string holder)
        : client_(&client), record_(std::move(record)), holder_(std::move(holder)) {}
    kube::Client* client_;
    SessionRecord record_;
    std::string holder_; // spec.holderIdentity as we wrote it
};

// Deletes the Lease of session `id`; succeeds when it is already gone.
Status delete_lease(kube::Client& client, const std::string& namespace_, const std::string& id);

// Session Leases as listed: the readable ones, and one message per malformed one.
struct SessionList {
    std::vector<SessionRecord> records;
    std::vector<std::string> malformed; // "session lease ns/x: spec.renewTime: ..."
};

// Every session Lease in `namespace_` (all namespaces when empty), read fresh (not from the
// watch cache: a judgement needs the current renewTime), learning the apiserver's clock.
Result<SessionList> list_session_leases(kube::Client& client, const std::string& namespace_,
                                        ApiClock& clock);
// The readable records of list_session_leases.
Result<std::vector<SessionRecord>> list_sessions(kube::Client& client,
                                                 const std::string& namespace_,
                                                 bool from_cache = false);

} // namespace mirrord::session

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

namespace mirrord::session {

using json = nlohmann::json;
using Clock = std::chrono::system_clock;

inline constexpr const char* managed_by_label = "app.kubernetes.io/managed-by";
inline constexpr const char* session_label = "mirrord.dev/session";
inline constexpr int default_lease_seconds = 15;

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

    // True when the Lease has not been renewed within its duration.
    bool stale(Clock::time_point now = Clock::now()) const;
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

// Reads a Lease object into a record; nullopt when it is not a mirrord session Lease.
std::optional<SessionRecord> record_from_lease(const json& lease);

// The session Lease of a running `exec`: created on start, renewed, deleted at the end.
class SessionLease {
public:
    // Creates the Lease in `namespace_`. The id is new unless `id` is given.
    static Result<SessionLease> create(kube::Client& client, const std::string& namespace_,
                                       const SessionSpec& spec, std::string id = {});

    const SessionRecord& record() const { return record_; }
    // An ownerReference (controller) to this Lease: dependents are deleted with it.
    json owner_reference() const;
    // Moves renewTime to now. Tolerates transient API errors (the caller retries next tick).
    Status renew();
    // Records the local child's pid, so a guardian can stop the app when exec dies.
    Status record_child(int pid);

private:
    SessionLease(kube::Client& client, SessionRecord record) : client_(&client), record_(std::move(record)) {}
    kube::Client* client_;
    SessionRecord record_;
};

// Deletes the Lease of session `id`; succeeds when it is already gone.
Status delete_lease(kube::Client& client, const std::string& namespace_, const std::string& id);

// Every session Lease in `namespace_` (all namespaces when empty). `from_cache` reads the
// apiserver's watch cache: faster, possibly a moment old (fine for finding stale sessions).
Result<std::vector<SessionRecord>> list_sessions(kube::Client& client,
                                                 const std::string& namespace_,
                                                 bool from_cache = false);

} // namespace mirrord::session

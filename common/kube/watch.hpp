#pragma once
// Watching a collection the way client-go's Reflector does: list, then watch from the list's
// resourceVersion; on a dropped connection resume from the last resourceVersion seen (events
// and BOOKMARKs both advance it); on 410 Gone list again.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"

namespace mirrord::kube {

// One event for the caller. `type` is ADDED, MODIFIED, DELETED, or RELISTED: after a (re)list,
// `object` is the whole list (its items replace anything the caller knew).
struct WatchEvent {
    std::string type;
    json object;
};

// Receives events in order; returns false to end the watch.
using WatchHandler = std::function<bool(const WatchEvent&)>;

struct WatchOptions {
    std::string label_selector;
    std::string field_selector;
    // Start here without listing; empty = list first and deliver RELISTED.
    std::string resource_version;
    // Asked of the server so it ends quiet streams; we then resume at once.
    std::chrono::seconds server_timeout{std::chrono::seconds(290)};
    // Checked at least every 200 ms, also while waiting to reconnect.
    const std::atomic<bool>* stop = nullptr;
    std::chrono::milliseconds max_backoff{std::chrono::seconds(5)};
    // How long the apiserver may stay unreachable before watch() gives up.
    std::chrono::milliseconds give_up_after{std::chrono::minutes(5)};
};

// Watches `collection_path` until the handler returns false or `stop` is set (both return ok).
// Errors: a non-retryable status (403...) or the server unreachable past give_up_after.
Status watch(Client& client, const std::string& collection_path, const WatchOptions& options,
             const WatchHandler& handler);

// A decoded watch line: type and object. ERROR events carry a Status object.
struct RawWatchEvent {
    std::string type;
    json object;
};

// Parses one line of a watch stream.
Result<RawWatchEvent> parse_watch_line(std::string_view line);

// The error an ERROR event's object (a Status) stands for, with its code as the HTTP status and
// its reason; fields of the wrong type read as absent.
Error watch_event_error(const json& status);

} // namespace mirrord::kube

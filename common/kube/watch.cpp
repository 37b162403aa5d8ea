#include "common/kube/watch.hpp"

#include <algorithm>
#include <thread>

#include "common/core/log.hpp"
#include "common/kube/json_fields.hpp"
#include "common/kube/line_splitter.hpp"
#include "common/kube/status_error.hpp"

namespace mirrord::kube {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

bool stopped(const WatchOptions& options) {
    return options.stop != nullptr && options.stop->load();
}

void wait(milliseconds delay, const WatchOptions& options) {
    const auto until = Clock::now() + delay;
    while (Clock::now() < until && !stopped(options))
        std::this_thread::sleep_for(std::min(milliseconds(100), delay));
}

// What one watch connection ended with.
enum class StreamEnd { closed, gone, handler_stopped, failed, fatal };

struct StreamResult {
    StreamEnd end = StreamEnd::closed;
    Error error;
    bool progressed = false; // saw at least one event: the server is healthy again
};

Query watch_query(const WatchOptions& options, const std::string& resource_version) {
    Query query{{"watch", "true"},
                {"allowWatchBookmarks", "true"},
                {"resourceVersion", resource_version},
                {"timeoutSeconds", std::to_string(options.server_timeout.count())}};
    if (!options.label_selector.empty())
        query.emplace_back("labelSelector", options.label_selector);
    if (!options.field_selector.empty())
        query.emplace_back("fieldSelector", options.field_selector);
    return query;
}

// Handles one decoded line; false ends the stream (handler said stop, or an ERROR event).
bool on_event(RawWatchEvent event, std::string& resource_version, StreamResult& result,
              const WatchHandler& handler) {
    if (event.type == "ERROR") {
        result.error = watch_event_error(event.object);
        result.end = result.error.http_status() == 410 ? StreamEnd::gone : StreamEnd::failed;
        return false;
    }
    result.progressed = true;
    const std::string version =
        string_member(object_member(event.object, "metadata"), "resourceVersion");
    if (!version.empty())
        resource_version = version;
    if (event.type == "BOOKMARK")
        return true; // only moves the resume point forward
    if (!handler(WatchEvent{std::move(event.type), std::move(event.object)})) {
        result.end = StreamEnd::handler_stopped;
        return false;
    }
    return true;
}

StreamResult run_stream(Client& client, const std::string& path, const WatchOptions& options,
                        std::string& resource_version, const WatchHandler& handler) {
    StreamResult result;
    LineSplitter splitter;
    auto sink = [&](std::string_view chunk) {
        return splitter.feed(chunk, [&](std::string_view line) {
            auto event = parse_watch_line(line);
            if (!event) {
                result.end = StreamEnd::failed;
                result.error = std::move(event).error();
                return false;
            }
            return on_event(std::move(*event), resource_version, result, handler);
        });
    };
    auto response = client.stream({"GET", path, watch_query(options, resource_version), "", ""},
                                  sink, options.stop);
    if (result.end != StreamEnd::closed)
        return result;
    if (!response) {
        result.end = StreamEnd::failed;
        result.error = std::move(response).error();
    } else if (response->status == 410) {
        result.end = StreamEnd::gone;
    } else if (response->status / 100 != 2) {
        const long s = response->status;
        result.end = (s == 429 || s >= 500) ? StreamEnd::failed : StreamEnd::fatal;
        result.error = status_error("WATCH", path, s, response->raw);
    }
    return result;
}

Status relist(Client& client, const std::string& path, const WatchOptions& options,
              std::string& resource_version, const WatchHandler& handler, bool& handler_stopped) {
    MIRRORD_TRY_ASSIGN(auto list,
                       client.list(path, {options.label_selector, options.field_selector, 500, ""}));
    resource_version = string_member(object_member(list, "metadata"), "resourceVersion");
    handler_stopped = !handler(WatchEvent{"RELISTED", std::move(list)});
    return {};
}

} // namespace

Result<RawWatchEvent> parse_watch_line(std::string_view line) {
    try {
        auto document = json::parse(line);
        std::string type = string_member(document, "type");
        if (type.empty())
            return fail("watch stream: event without a type");
        const json& object = member(document, "object");
        if (!object.is_object())
            return fail("watch stream: {} event without an object", type);
        return RawWatchEvent{std::move(type), object};
    } catch (const json::exception& e) {
        return fail("watch stream: invalid JSON event: {}", e.what());
    }
}

Error watch_event_error(const json& status) {
    // The object is a Status; its code is the HTTP status the request would have had.
    const long code = static_cast<long>(integer_member(status, "code"));
    return Error(fmt::format("watch error {}: {}", code, string_member(status, "message")), code,
                 string_member(status, "reason"));
}

Status watch(Client& client, const std::string& path, const WatchOptions& options,
             const WatchHandler& handler) {
    std::string resource_version = options.resource_version;
    bool need_list = resource_version.empty();
    milliseconds backoff{100};
    auto failing_since = Clock::time_point::max();
    while (!stopped(options)) {
        StreamResult result;
        if (need_list) {
            bool handler_stopped = false;
            if (auto listed = relist(client, path, options, resource_version, handler,
                                     handler_stopped);
                !listed) {
                result.end = StreamEnd::failed;
                result.error = std::move(listed).error();
            } else if (handler_stopped) {
                return {};
            } else {
                need_list = false;
                result.progressed = true;
            }
        }
        if (!need_list)
            result = run_stream(client, path, options, resource_version, handler);
        switch (result.end) {
        case StreamEnd::handler_stopped:
            return {};
        case StreamEnd::fatal:
            return std::move(result.error).wrap("watching " + path);
        case StreamEnd::gone:
            log::info("watch {}: resourceVersion {} expired (410 Gone); listing again", path,
                      resource_version);
            need_list = true;
            continue;
        case StreamEnd::closed:
        case StreamEnd::failed:
            break;
        }
        if (result.progressed || result.end == StreamEnd::closed) {
            failing_since = Clock::time_point::max();
            backoff = milliseconds(100);
        }
        if (result.end == StreamEnd::closed) {
            // The server ended a healthy stream (timeoutSeconds): resume at once, but never spin
            // on a server that closes empty streams immediately.
            if (!result.progressed)
                wait(milliseconds(100), options);
            continue;
        }
        const auto now = Clock::now();
        failing_since = std::min(failing_since, now);
        if (now - failing_since > options.give_up_after)
            return std::move(result.error).wrap("watching " + path + ": giving up");
        log::info("watch {}: {}; resuming from resourceVersion {} in {} ms", path,
                  result.error.message(), resource_version, backoff.count());
        wait(backoff, options);
        backoff = std::min(backoff * 2, options.max_backoff);
    }
    return {};
}

} // namespace mirrord::kube

// Reading session Leases back from the cluster, where anyone with access may have edited them
// (see fields.hpp): every field through a non-throwing accessor, every problem named by key.

#include "common/session/lease.hpp"

#include <cerrno>
#include <cstdlib>

#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "common/session/fields.hpp"

namespace mirrord::session {

bool valid_session_id(const std::string& id) {
    return !id.empty() && id.size() <= 63 &&
           id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

namespace {

// A decimal pid from an annotation; 0 when absent, not a number or out of range.
int pid_from(const json& notes, const char* key) {
    auto text = fields::string_or(notes, key);
    char* end = nullptr;
    errno = 0;
    long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || errno != 0 || *end != '\0' || value <= 1 || value > 4194304)
        return 0; // pid 1 is init: never a process of ours (kernel pid_max is at most 2^22)
    return static_cast<int>(value);
}

// "session lease ns/name: key: expected ..., got ...".
Error malformed(const json& meta, const std::string& key, const std::string& problem) {
    return Error(fmt::format("session lease {}/{}: {}: {}", fields::string_or(meta, "namespace"),
                             fields::string_or(meta, "name"), key, problem));
}

} // namespace

Result<std::optional<SessionRecord>> parse_session_lease(const json& lease) {
    const json& meta = fields::object_at(lease, "metadata");
    const json& labels = fields::object_at(meta, "labels");
    if (fields::string_or(labels, managed_by_label) != "mirrord" ||
        fields::find(labels, session_label) == nullptr)
        return std::optional<SessionRecord>{};
    const json& notes = fields::object_at(meta, "annotations");
    const json& spec = fields::object_at(lease, "spec");
    SessionRecord record;
    record.id = fields::string_or(labels, session_label);
    if (!valid_session_id(record.id))
        return malformed(meta, std::string("metadata.labels.") + session_label,
                         "not a mirrord session id: " +
                             fields::shown(*fields::find(labels, session_label)));
    record.namespace_ = fields::string_or(meta, "namespace");
    record.lease_name = fields::string_or(meta, "name");
    if (record.lease_name != lease_name(record.id)) // undo finds a session's Lease by its id
        return malformed(meta, "metadata.name",
                         fmt::format("does not match its session id {}", record.id));
    record.uid = fields::string_or(meta, "uid");
    record.target = fields::string_or(notes, annotation_target);
    record.owner = fields::string_or(notes, annotation_owner);
    record.host = fields::string_or(notes, annotation_host);
    record.pid = pid_from(notes, annotation_pid);
    record.child_pid = pid_from(notes, annotation_child_pid);
    auto features = fields::string_or(notes, annotation_features);
    if (!features.empty())
        record.features = split(features, ',');
    if (const json* duration = fields::find(spec, "leaseDurationSeconds")) {
        auto seconds = fields::integer_at(spec, "leaseDurationSeconds");
        if (!seconds || *seconds < 1 || *seconds > 86400)
            return malformed(meta, "spec.leaseDurationSeconds",
                             "expected 1 to 86400 seconds, got " + fields::shown(*duration));
        record.lease_seconds = static_cast<int>(*seconds);
    }
    // An empty or null time is an unset one (the apiserver drops neither).
    auto present = [&](const char* key) {
        const json* value = fields::find(spec, key);
        return value != nullptr && !value->is_null() && *value != "";
    };
    for (const char* key : {"acquireTime", "renewTime"}) {
        if (!present(key))
            continue;
        const json* value = fields::find(spec, key);
        auto time = value->is_string() ? parse_time(value->get_ref<const std::string&>())
                                       : std::nullopt;
        if (!time)
            return malformed(meta, std::string("spec.") + key,
                             "expected a UTC timestamp, got " + fields::shown(*value));
        (std::string(key) == "acquireTime" ? record.started : record.renewed) = *time;
    }
    if (!present("renewTime")) {
        if (!present("acquireTime"))
            return malformed(meta, "spec.renewTime", "missing (and no spec.acquireTime)");
        record.renewed = record.started;
    }
    return std::optional<SessionRecord>(std::move(record));
}

std::optional<SessionRecord> record_from_lease(const json& lease) {
    auto parsed = parse_session_lease(lease);
    if (!parsed) {
        log::debug("{}", parsed.error().message());
        return std::nullopt;
    }
    return std::move(*parsed);
}

} // namespace mirrord::session

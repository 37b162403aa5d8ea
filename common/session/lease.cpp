#include "common/session/lease.hpp"

#include <cerrno>
#include <ctime>
#include <random>

#include <pwd.h>
#include <unistd.h>

#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "common/kube/resources.hpp"
#include "common/kube/status_error.hpp"
#include "common/session/fields.hpp"

namespace mirrord::session {
namespace {

std::string host_name() {
    char buffer[256] = {};
    if (gethostname(buffer, sizeof(buffer) - 1) != 0)
        return "unknown-host";
    return buffer;
}

} // namespace

bool SessionRecord::stale(Clock::time_point now) const {
    return now > renewed + std::chrono::seconds(lease_seconds);
}

std::string new_session_id() {
    std::random_device device;
    return fmt::format("{:08x}", device());
}

std::string lease_name(const std::string& id) { return "mirrord-session-" + id; }

std::string local_owner() {
    std::string user;
    if (const char* env = std::getenv("USER"); env != nullptr && *env != '\0')
        user = env;
    else if (const passwd* entry = getpwuid(getuid()); entry != nullptr && entry->pw_name != nullptr)
        user = entry->pw_name; // CI jobs and containers often run without USER
    else
        user = "uid" + std::to_string(getuid());
    return fmt::format("{}@{}", user, host_name());
}

std::string micro_time(Clock::time_point time) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch());
    std::time_t seconds = micros.count() / 1000000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
    return fmt::format("{}.{:06d}Z", text, micros.count() % 1000000);
}

std::optional<Clock::time_point> parse_time(const std::string& text) {
    std::tm utc{};
    const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &utc);
    if (rest == nullptr)
        return std::nullopt;
    long micros = 0;
    if (*rest == '.') {
        int digits = 0;
        for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits)
            if (digits < 6)
                micros = micros * 10 + (*rest - '0');
        for (; digits < 6; ++digits)
            micros *= 10;
    }
    if (*rest != 'Z')
        return std::nullopt; // the apiserver always writes UTC
    return Clock::from_time_t(timegm(&utc)) + std::chrono::microseconds(micros);
}

Result<SessionLease> SessionLease::create(kube::Client& client, const std::string& namespace_,
                                          const SessionSpec& spec, std::string id,
                                          ApiClock* clock) {
    if (id.empty())
        id = new_session_id();
    auto now = micro_time(clock != nullptr ? clock->now() : ApiClock::local_now());
    auto holder = fmt::format("{}/{}", spec.owner, spec.pid);
    json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata",
         {{"name", lease_name(id)},
          {"namespace", namespace_},
          {"labels", {{managed_by_label, "mirrord"}, {session_label, id}}},
          {"annotations",
           {{annotation_target, spec.target},
            {annotation_owner, spec.owner},
            {annotation_host, host_name()},
            {annotation_pid, std::to_string(spec.pid)},
            {annotation_features, join(spec.features, ",")}}}}},
        {"spec",
         {{"holderIdentity", holder},
          {"leaseDurationSeconds", spec.lease_seconds},
          {"acquireTime", now},
          {"renewTime", now}}}};
    auto created = client.create(kube::kinds::lease.collection(namespace_), lease);
    if (!created)
        return std::move(created).error().wrap(
            fmt::format("creating session lease {}/{}", namespace_, lease_name(id)));
    auto record = record_from_lease(*created);
    if (!record)
        return fail("creating session lease {}/{}: the apiserver returned an unexpected object",
                    namespace_, lease_name(id));
    return SessionLease(client, std::move(*record), holder);
}

Result<std::optional<SessionLease>> SessionLease::open(kube::Client& client,
                                                       const std::string& namespace_,
                                                       const std::string& id) {
    auto path = kube::kinds::lease.object(namespace_, lease_name(id));
    MIRRORD_TRY_ASSIGN(auto lease, client.get_optional(path));
    if (!lease)
        return std::optional<SessionLease>{};
    MIRRORD_TRY_ASSIGN(auto record, parse_session_lease(*lease));
    if (!record)
        return fail("{}/{} is not a mirrord session lease", namespace_, lease_name(id));
    auto holder = fields::string_or(fields::object_at(*lease, "spec"), "holderIdentity");
    return std::optional<SessionLease>(SessionLease(client, std::move(*record), holder));
}

json SessionLease::owner_reference() const {
    return {{"apiVersion", "coordination.k8s.io/v1"},
            {"kind", "Lease"},
            {"name", record_.lease_name},
            {"uid", record_.uid},
            {"controller", true}};
}

Status SessionLease::renew() {
    ApiClock clock;
    auto outcome = renew_checked(*client_, clock);
    if (outcome.kind == RenewOutcome::Kind::renewed)
        return {};
    return fail("renewing session lease {}: {}", record_.lease_name, outcome.message);
}

RenewOutcome SessionLease::renew_checked(kube::Client& client, ApiClock& clock) {
    auto now = clock.known() ? clock.now() : ApiClock::local_now();
    // JSON Patch "test" ops make the write conditional: a Lease that was deleted and made again
    // (another uid) or taken over (another holder) is not ours to keep alive.
    json operations = json::array(
        {{{"op", "test"}, {"path", "/metadata/uid"}, {"value", record_.uid}},
         {{"op", "test"}, {"path", "/spec/holderIdentity"}, {"value", holder_}},
         {{"op", "replace"}, {"path", "/spec/renewTime"}, {"value", micro_time(now)}}});
    auto path = kube::kinds::lease.object(record_.namespace_, record_.lease_name);
    auto response = clock.call(client, {"PATCH", path, {}, operations.dump(),
                                        "application/json-patch+json"});
    if (!response)
        return {RenewOutcome::Kind::failed, response.error().message()};
    if (response->status == 404)
        return {RenewOutcome::Kind::lost, "it was deleted (mirrord reset, or another machine "
                                          "undid the session)"};
    if (response->status == 422 || response->status == 409) {
        // A failed test op: read it to say who holds it now (or that it is a new Lease).
        auto current = client.get_optional(path);
        if (current && !*current)
            return {RenewOutcome::Kind::lost, "it was deleted"};
        if (current) {
            auto holder = fields::string_or(fields::object_at(**current, "spec"), "holderIdentity");
            auto uid = fields::string_or(fields::object_at(**current, "metadata"), "uid");
            if (uid != record_.uid)
                return {RenewOutcome::Kind::lost, "it was deleted and made again by someone else",
                        true};
            if (holder != holder_)
                return {RenewOutcome::Kind::lost,
                        fmt::format("it is now held by {}", fields::shown(holder)), true};
        }
    }
    if (response->status < 200 || response->status > 299)
        return {RenewOutcome::Kind::failed,
                kube::status_error("PATCH", path, response->status, response->raw).message()};
    if (auto renewed = parse_time(
            fields::string_or(fields::object_at(response->body, "spec"), "renewTime")))
        record_.renewed = *renewed;
    return {};
}

Status SessionLease::record_child(int pid, kube::Client* via) {
    json patch = {{"metadata", {{"annotations", {{annotation_child_pid, std::to_string(pid)}}}}}};
    auto patched =
        (via != nullptr ? via : client_)
            ->merge_patch(kube::kinds::lease.object(record_.namespace_, record_.lease_name), patch);
    if (!patched)
        return std::move(patched).error().wrap("recording the app's pid in " + record_.lease_name);
    record_.child_pid = pid;
    return {};
}

Status delete_lease(kube::Client& client, const std::string& namespace_, const std::string& id) {
    auto removed = client.remove(kube::kinds::lease.object(namespace_, lease_name(id)));
    if (!removed)
        return std::move(removed).error().wrap("deleting session lease " + lease_name(id));
    return {};
}

namespace {

SessionList read_list(const json& leases) {
    SessionList list;
    const json* items = fields::find(leases, "items");
    if (items == nullptr || !items->is_array())
        return list;
    for (const auto& lease : *items) {
        auto record = parse_session_lease(lease);
        if (!record)
            list.malformed.push_back(record.error().message());
        else if (*record)
            list.records.push_back(std::move(**record));
    }
    return list;
}

kube::ListOptions session_selector() {
    kube::ListOptions options;
    options.label_selector = fmt::format("{}=mirrord,{}", managed_by_label, session_label);
    return options;
}

} // namespace

Result<SessionList> list_session_leases(kube::Client& client, const std::string& namespace_,
                                        ApiClock& clock) {
    // One page without `continue`: a namespace holds a handful of sessions, and one response
    // gives both the Leases and the Date they are judged against.
    kube::Query query = {{"labelSelector", session_selector().label_selector}};
    auto leases = clock.get(client, kube::kinds::lease.collection(namespace_), query);
    if (!leases)
        return std::move(leases).error().wrap("listing mirrord sessions");
    return read_list(*leases);
}

Result<std::vector<SessionRecord>> list_sessions(kube::Client& client,
                                                 const std::string& namespace_, bool from_cache) {
    auto options = session_selector();
    if (from_cache)
        options.resource_version = "0";
    auto leases = client.list(kube::kinds::lease.collection(namespace_), options);
    if (!leases)
        return std::move(leases).error().wrap("listing mirrord sessions");
    return read_list(*leases).records;
}

} // namespace mirrord::session

#include "common/session/lease.hpp"

#include <ctime>
#include <random>

#include <pwd.h>
#include <unistd.h>

#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "common/kube/resources.hpp"

namespace mirrord::session {
namespace {

constexpr const char* annotation_target = "mirrord.dev/target";
constexpr const char* annotation_owner = "mirrord.dev/owner";
constexpr const char* annotation_pid = "mirrord.dev/pid";
constexpr const char* annotation_host = "mirrord.dev/host";
constexpr const char* annotation_features = "mirrord.dev/features";
constexpr const char* annotation_child_pid = "mirrord.dev/child-pid";

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

std::optional<SessionRecord> record_from_lease(const json& lease) {
    const auto& meta = lease.value("metadata", json::object());
    auto labels = meta.value("labels", json::object());
    if (labels.value(managed_by_label, "") != "mirrord" || !labels.contains(session_label))
        return std::nullopt;
    auto notes = meta.value("annotations", json::object());
    const auto& spec = lease.value("spec", json::object());
    SessionRecord record;
    record.id = labels.value(session_label, "");
    record.namespace_ = meta.value("namespace", "");
    record.lease_name = meta.value("name", "");
    record.uid = meta.value("uid", "");
    record.target = notes.value(annotation_target, "");
    record.owner = notes.value(annotation_owner, "");
    record.host = notes.value(annotation_host, "");
    record.pid = std::atoi(notes.value(annotation_pid, "0").c_str());
    record.child_pid = std::atoi(notes.value(annotation_child_pid, "0").c_str());
    auto features = notes.value(annotation_features, "");
    if (!features.empty())
        record.features = split(features, ',');
    record.lease_seconds = spec.value("leaseDurationSeconds", default_lease_seconds);
    auto acquired = parse_time(spec.value("acquireTime", ""));
    auto renewed = parse_time(spec.value("renewTime", ""));
    record.started = acquired.value_or(Clock::time_point{});
    record.renewed = renewed.value_or(record.started);
    return record;
}

Result<SessionLease> SessionLease::create(kube::Client& client, const std::string& namespace_,
                                          const SessionSpec& spec, std::string id) {
    if (id.empty())
        id = new_session_id();
    auto now = micro_time(Clock::now());
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
         {{"holderIdentity", fmt::format("{}/{}", spec.owner, spec.pid)},
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
    return SessionLease(client, std::move(*record));
}

json SessionLease::owner_reference() const {
    return {{"apiVersion", "coordination.k8s.io/v1"},
            {"kind", "Lease"},
            {"name", record_.lease_name},
            {"uid", record_.uid},
            {"controller", true}};
}

Status SessionLease::renew() {
    auto now = Clock::now();
    json patch = {{"spec", {{"renewTime", micro_time(now)}}}};
    auto patched =
        client_->merge_patch(kube::kinds::lease.object(record_.namespace_, record_.lease_name), patch);
    if (!patched)
        return std::move(patched).error().wrap("renewing session lease " + record_.lease_name);
    record_.renewed = now;
    return {};
}

Status SessionLease::record_child(int pid) {
    json patch = {{"metadata", {{"annotations", {{annotation_child_pid, std::to_string(pid)}}}}}};
    auto patched =
        client_->merge_patch(kube::kinds::lease.object(record_.namespace_, record_.lease_name), patch);
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

Result<std::vector<SessionRecord>> list_sessions(kube::Client& client,
                                                 const std::string& namespace_, bool from_cache) {
    kube::ListOptions options;
    if (from_cache)
        options.resource_version = "0";
    options.label_selector = fmt::format("{}=mirrord,{}", managed_by_label, session_label);
    auto leases = client.list(kube::kinds::lease.collection(namespace_), options);
    if (!leases)
        return std::move(leases).error().wrap("listing mirrord sessions");
    std::vector<SessionRecord> records;
    for (const auto& lease : (*leases)["items"])
        if (auto record = record_from_lease(lease))
            records.push_back(std::move(*record));
    return records;
}

} // namespace mirrord::session

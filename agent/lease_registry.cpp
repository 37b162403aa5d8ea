#include "agent/lease_registry.hpp"

#include <thread>

#include "common/core/log.hpp"
#include "common/kube/resources.hpp"
#include "common/session/fields.hpp"
#include "common/session/lease.hpp"

namespace mirrord::agent {
namespace {

namespace fields = session::fields;
using json = nlohmann::json;

std::string lease_path(const std::string& namespace_, const std::string& id) {
    return kube::kinds::lease.object(namespace_, session::lease_name(id));
}

} // namespace

Result<std::vector<SplitSession>> LeaseRegistry::sessions() {
    // Listed with the split-key label: a namespace may hold many sessions of other targets.
    kube::Query query = {{"labelSelector", fmt::format("{}=mirrord,{}={}",
                                                       session::managed_by_label,
                                                       split_key_label, key_)}};
    auto leases = clock_.get(client_, kube::kinds::lease.collection(namespace_), query);
    if (!leases)
        return std::move(leases).error().wrap("listing the sessions of split " + key_);
    std::vector<SplitSession> found;
    const json* items = fields::find(*leases, "items");
    for (const auto& lease : items && items->is_array() ? *items : json::array()) {
        auto record = session::record_from_lease(lease);
        if (!record || record->stale(clock_.now()))
            continue; // a dead session's exec is gone: its topic is being reaped
        const auto& annotations =
            fields::object_at(fields::object_at(lease, "metadata"), "annotations");
        if (fields::string_or(annotations, split_key_annotation) != key_)
            continue;
        auto text = fields::string_at(annotations, split_annotation);
        if (!text)
            continue; // unregistered: the session is ending
        auto registration = parse_registration(*text);
        if (!registration) {
            log::warn("session lease {}/{}: {}", namespace_, record->lease_name,
                      registration.error().message());
            continue;
        }
        SplitSession session{record->id, registration->session_topic, registration->filter, {}};
        if (auto count = fields::string_at(annotations, split_delivered_annotation))
            session.delivered = std::strtoull(count->c_str(), nullptr, 10);
        if (auto start = fields::string_at(annotations, split_start_annotation)) {
            auto parsed = parse_split_start(*start);
            if (parsed)
                session.start_offsets = std::move(parsed->offsets);
        }
        found.push_back(std::move(session));
    }
    return found;
}

Status LeaseRegistry::acknowledge(const std::string& session_id,
                                  const std::map<int32_t, int64_t>& start_offsets) {
    json patch = {{"metadata",
                   {{"annotations",
                     {{split_start_annotation,
                       split_start_text({start_offsets, splitter_})}}}}}};
    auto patched = client_.merge_patch(lease_path(namespace_, session_id), patch);
    if (!patched)
        return std::move(patched).error().wrap("acknowledging session " + session_id);
    return {};
}

void LeaseRegistry::delivered(const std::string& session_id, uint64_t count) {
    auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        auto& [when, written] = last_written_[session_id];
        if (written == count || (written != 0 && now - when < std::chrono::seconds(2)))
            return;
        when = now;
        written = count;
    }
    json patch = {
        {"metadata", {{"annotations", {{split_delivered_annotation, std::to_string(count)}}}}}};
    if (auto patched = client_.merge_patch(lease_path(namespace_, session_id), patch); !patched)
        log::debug("recording the delivered count of session {}: {}", session_id,
                   patched.error().message());
}

void LeaseRegistry::released(const std::string& session_id, uint64_t count) {
    {
        std::lock_guard lock(mutex_);
        last_written_.erase(session_id);
    }
    json patch = {{"metadata",
                   {{"annotations",
                     {{split_released_annotation, splitter_},
                      {split_delivered_annotation, std::to_string(count)}}}}}};
    // A 404 is a session whose Lease is gone already (reaped): nobody waits for the answer.
    if (auto patched = client_.merge_patch(lease_path(namespace_, session_id), patch); !patched)
        log::debug("releasing session {}: {}", session_id, patched.error().message());
}

Status register_session(kube::Client& client, const std::string& namespace_,
                        const std::string& id, const std::string& key,
                        const Registration& registration, const json& kafka) {
    json patch = {{"metadata",
                   {{"labels", {{split_key_label, key}}},
                    {"annotations",
                     {{split_key_annotation, key},
                      {split_annotation, to_json(registration).dump()},
                      {split_kafka_annotation, kafka.dump()}}}}}};
    auto patched = client.merge_patch(lease_path(namespace_, id), patch);
    if (!patched)
        return std::move(patched).error().wrap("registering session " + id + " with split " + key);
    return {};
}

Status unregister_session(kube::Client& client, const std::string& namespace_,
                          const std::string& id) {
    json patch = {{"metadata", {{"annotations", {{split_annotation, nullptr}}}}}};
    auto patched = client.merge_patch(lease_path(namespace_, id), patch);
    if (!patched && patched.error().reason() != "NotFound")
        return std::move(patched).error().wrap("unregistering session " + id);
    return {};
}

Result<SessionSplitState> read_split_state(kube::Client& client, const std::string& namespace_,
                                           const std::string& id) {
    MIRRORD_TRY_ASSIGN(auto lease, client.get_optional(lease_path(namespace_, id)));
    SessionSplitState state;
    if (!lease)
        return state;
    const auto& annotations =
        fields::object_at(fields::object_at(*lease, "metadata"), "annotations");
    if (auto start = fields::string_at(annotations, split_start_annotation)) {
        MIRRORD_TRY_ASSIGN(auto parsed, parse_split_start(*start));
        state.start = std::move(parsed);
    }
    if (auto count = fields::string_at(annotations, split_delivered_annotation))
        state.delivered = std::strtoull(count->c_str(), nullptr, 10);
    state.released = fields::string_at(annotations, split_released_annotation).has_value();
    return state;
}

void await_release(kube::Client& client, const std::string& namespace_, const std::string& id) {
    auto deadline = std::chrono::steady_clock::now() + release_timeout;
    while (true) {
        auto state = read_split_state(client, namespace_, id);
        if (!state) {
            log::debug("waiting for the splitter to release session {}: {}", id,
                       state.error().message());
            return;
        }
        if (!state->start || state->released)
            return; // never routed to, or released
        if (std::chrono::steady_clock::now() >= deadline) {
            log::debug("no splitter released session {} within {} s; deleting its topic anyway",
                       id, release_timeout.count());
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

} // namespace mirrord::agent

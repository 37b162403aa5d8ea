#include "agent/split_status.hpp"

#include <map>

#include "agent/split_names.hpp"
#include "common/kube/resources.hpp"
#include "common/session/api_clock.hpp"
#include "common/session/fields.hpp"
#include "common/session/lease.hpp"

namespace mirrord::agent {
namespace {

namespace fields = session::fields;
using json = nlohmann::json;

std::string state_of(const json& annotations, bool stale) {
    if (stale)
        return "stale";
    if (!fields::string_at(annotations, split_annotation))
        return "ending";
    return fields::string_at(annotations, split_start_annotation) ? "routing" : "waiting";
}

} // namespace

Result<std::vector<SplitRow>> list_splits(kube::Client& client, const std::string& namespace_) {
    session::ApiClock clock;
    kube::Query query = {{"labelSelector", fmt::format("{}=mirrord,{}", session::managed_by_label,
                                                       split_key_label)}};
    MIRRORD_TRY_ASSIGN(auto leases,
                       clock.get(client, kube::kinds::lease.collection(namespace_), query)
                           .wrap("listing mirrord split leases"));
    std::map<std::string, SplitRow> splits; // by "namespace/key"
    const json* items = fields::find(leases, "items");
    for (const auto& lease : items && items->is_array() ? *items : json::array()) {
        const auto& meta = fields::object_at(lease, "metadata");
        const auto& labels = fields::object_at(meta, "labels");
        const auto& annotations = fields::object_at(meta, "annotations");
        auto key = fields::string_or(labels, split_key_label);
        auto ns = fields::string_or(meta, "namespace");
        auto& row = splits[ns + "/" + key];
        row.key = key;
        row.namespace_ = ns;
        if (fields::string_or(meta, "name") == splitter_lease_name(key)) {
            const auto& spec = fields::object_at(lease, "spec");
            row.leader = fields::string_or(spec, "holderIdentity");
            auto renewed = session::parse_time(fields::string_or(spec, "renewTime"));
            auto seconds = fields::integer_at(spec, "leaseDurationSeconds").value_or(10);
            bool stale = !renewed || clock.now() > *renewed + std::chrono::seconds(seconds);
            row.leader_state = stale ? "stale" : "active";
            continue;
        }
        auto record = session::record_from_lease(lease);
        if (!record)
            continue;
        SplitMember member{record->id, record->target, record->owner, {}, {}, {}, 0};
        member.state = state_of(annotations, record->stale(clock.now()));
        if (auto text = fields::string_at(annotations, split_annotation))
            if (auto registration = parse_registration(*text)) {
                member.session_topic = registration->session_topic;
                member.filter = registration->filter;
                row.topic_id = registration->topic_id;
                row.original_topic = registration->original_topic;
            }
        if (auto count = fields::string_at(annotations, split_delivered_annotation))
            member.delivered = std::strtoull(count->c_str(), nullptr, 10);
        row.sessions.push_back(std::move(member));
    }
    std::vector<SplitRow> rows;
    for (auto& [name, row] : splits)
        rows.push_back(std::move(row));
    return rows;
}

} // namespace mirrord::agent

#include "agent/split_cleanup.hpp"

#include <algorithm>
#include <thread>

#include "agent/client_config.hpp"
#include "agent/lease_registry.hpp"
#include "agent/split_objects.hpp"
#include "agent/split_names.hpp"
#include "agent/split_session.hpp"
#include "agent/splitter.hpp"
#include "common/core/log.hpp"
#include "common/kafka/admin.hpp"
#include "common/kube/resources.hpp"
#include "common/session/fields.hpp"
#include "common/session/lease.hpp"
#include "common/session/liveness.hpp"
#include "common/session/reaper.hpp"

namespace mirrord::agent {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
namespace fields = session::fields;

// Deletes `groups`, waiting while a consumer that is closing still counts as a member.
Status delete_groups(kafka::Admin& admin, const std::vector<std::string>& groups,
                     std::vector<std::string>& actions) {
    if (groups.empty())
        return {};
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (true) {
        auto deleted = admin.delete_consumer_groups(groups, 10s);
        if (deleted) {
            for (const auto& group : groups)
                actions.push_back("deleted kafka consumer group " + group);
            return {};
        }
        if (std::chrono::steady_clock::now() > deadline)
            return Error(deleted.error()).wrap("deleting kafka consumer groups");
        std::this_thread::sleep_for(250ms);
    }
}

} // namespace

Result<std::map<std::string, std::string>> resolve_broker(kube::Client& client,
                                                          const std::string& namespace_,
                                                          const std::string& name) {
    KubeSplitObjects objects(client);
    MIRRORD_TRY_ASSIGN(auto resolved, resolve_client_config(objects, namespace_, name));
    return std::move(resolved.properties);
}

Status end_split_if_last(kube::Client& client, const std::string& namespace_,
                         const std::string& key,
                         const std::map<std::string, std::string>& properties,
                         const std::string& self, std::vector<std::string>& actions) {
    LeaseRegistry registry(client, namespace_, key, self);
    MIRRORD_TRY_ASSIGN(auto sessions, registry.sessions());
    if (std::any_of(sessions.begin(), sessions.end(),
                    [&](const SplitSession& session) { return session.id != self; }))
        return {};
    auto path = kube::kinds::lease.object(namespace_, splitter_lease_name(key));
    MIRRORD_TRY_ASSIGN(auto lease, client.get_optional(path));
    if (lease) {
        auto holder = fields::string_or(fields::object_at(*lease, "spec"), "holderIdentity");
        if (holder != self && session::valid_session_id(holder)) {
            session::ApiClock clock;
            MIRRORD_TRY_ASSIGN(auto verdict,
                               session::recheck(client, clock, namespace_, holder));
            if (!session::may_undo(verdict))
                return {}; // a live session leads: it ends the split itself
        }
        MIRRORD_TRY(
            client.remove(path).wrap("deleting splitter lease " + splitter_lease_name(key)));
        actions.push_back("deleted splitter lease " + splitter_lease_name(key));
    }
    if (properties.empty())
        return {};
    MIRRORD_TRY_ASSIGN(auto admin,
                       kafka::Admin::create(
                           kafka::Properties(properties.begin(), properties.end())));
    MIRRORD_TRY_ASSIGN(auto groups, admin.list_consumer_groups(10s));
    if (std::find(groups.begin(), groups.end(), splitter_group(key)) == groups.end())
        return {};
    return delete_groups(admin, {splitter_group(key)}, actions);
}

std::map<std::string, std::string> recorded_properties(const json& lease) {
    const auto& annotations =
        fields::object_at(fields::object_at(lease, "metadata"), "annotations");
    std::map<std::string, std::string> properties;
    auto text = fields::string_at(annotations, split_kafka_annotation);
    if (!text)
        return properties;
    auto value = json::parse(*text, nullptr, false);
    if (value.is_discarded())
        return properties;
    const auto& recorded = fields::object_at(value, "properties");
    for (auto it = recorded.begin(); it != recorded.end(); ++it)
        if (it->is_string())
            properties[it.key()] = it->get<std::string>();
    return properties;
}

// The client config (namespace, name) of a Lease whose properties included secrets.
static std::optional<std::pair<std::string, std::string>> recorded_client_config(
    const json& lease) {
    const auto& annotations =
        fields::object_at(fields::object_at(lease, "metadata"), "annotations");
    auto text = fields::string_at(annotations, split_kafka_annotation);
    if (!text)
        return std::nullopt;
    auto value = json::parse(*text, nullptr, false);
    const json* secrets = value.is_discarded() ? nullptr : fields::find(value, "has_secrets");
    if (secrets == nullptr || !secrets->is_boolean() || !secrets->get<bool>())
        return std::nullopt;
    auto ns = fields::string_or(value, "namespace");
    auto name = fields::string_or(value, "client_config");
    if (ns.empty() || name.empty())
        return std::nullopt;
    return std::pair{ns, name};
}

namespace {
BrokerRoute& broker_route() {
    static BrokerRoute route;
    return route;
}
} // namespace

void set_broker_route(BrokerRoute route) { broker_route() = std::move(route); }

Result<std::map<std::string, std::string>> route_broker(
    kube::Client& client, const std::map<std::string, std::string>& properties) {
    if (!broker_route())
        return properties;
    return broker_route()(client, properties);
}

void install_split_cleanup() {
    session::set_external_cleanup([](kube::Client& client, const json& lease,
                                     session::ReapReport& report) -> Status {
        const auto& meta = fields::object_at(lease, "metadata");
        const auto& annotations = fields::object_at(meta, "annotations");
        auto key = fields::string_at(annotations, split_key_annotation);
        if (!key)
            return {};
        auto record = session::record_from_lease(lease);
        if (!record)
            return {};
        // Unregistered first: a splitter (this session's successor too) must stop routing to
        // the topic deleted below; a copy produced to a deleted topic fails its transaction.
        if (auto removed = unregister_session(client, record->namespace_, record->id); !removed)
            report.warnings.push_back(removed.error().message());
        // Then the splitter Lease, if this dead session held it: a standby takes over at its
        // next look (about a second) instead of after the topic and group deletions below.
        auto splitter = kube::kinds::lease.object(record->namespace_, splitter_lease_name(*key));
        auto held = client.get_optional(splitter);
        if (held && *held &&
            fields::string_or(fields::object_at(**held, "spec"), "holderIdentity") == record->id) {
            if (auto removed = client.remove(splitter); removed)
                report.actions.push_back("released splitter lease " + splitter_lease_name(*key));
        } else if (held && *held) {
            // Another session's splitter routes to this one's topic until its next look at the
            // registry: the topic goes once it says it is done (or after a few seconds).
            await_release(client, record->namespace_, record->id);
        }
        auto properties = recorded_properties(lease);
        if (auto config = recorded_client_config(lease)) {
            // Secret properties were never recorded: read them again from the client config.
            if (auto resolved = resolve_broker(client, config->first, config->second))
                properties = std::move(*resolved);
            else
                report.warnings.push_back(resolved.error().message());
        }
        if (properties.empty())
            return fail("session {}: no kafka properties recorded on its lease; its topics "
                        "{}* are left to `mirrord reset`", record->id, session_prefix(record->id));
        MIRRORD_TRY_ASSIGN(properties, route_broker(client, properties));
        MIRRORD_TRY(delete_temporaries(properties, record->id, report.actions)
                        .wrap("deleting the kafka topics of session " + record->id));
        return end_split_if_last(client, record->namespace_, *key, properties, record->id,
                                 report.actions);
    });
}

Status delete_orphan_temporaries(const std::map<std::string, std::string>& properties,
                                 const std::vector<std::string>& session_ids,
                                 std::vector<std::string>& actions) {
    MIRRORD_TRY_ASSIGN(auto admin,
                       kafka::Admin::create(
                           kafka::Properties(properties.begin(), properties.end())));
    auto orphan = [&](const std::string& name) {
        auto id = session_of_temporary(name);
        return id && std::find(session_ids.begin(), session_ids.end(), *id) == session_ids.end();
    };
    MIRRORD_TRY_ASSIGN(auto topics, admin.list_topics(10s));
    for (const auto& topic : topics)
        if (orphan(topic)) {
            MIRRORD_TRY(admin.delete_topic(topic, 10s));
            actions.push_back("deleted kafka topic " + topic);
        }
    MIRRORD_TRY_ASSIGN(auto groups, admin.list_consumer_groups(10s));
    std::vector<std::string> orphans;
    std::copy_if(groups.begin(), groups.end(), std::back_inserter(orphans), orphan);
    return delete_groups(admin, orphans, actions);
}

namespace {

// The broker properties of every client config in `namespace_` (nothing when the CRD is not
// installed or may not be read: reset then only knows the brokers recorded on Leases).
std::vector<std::map<std::string, std::string>> client_config_brokers(
    kube::Client& client, const std::string& namespace_, std::vector<std::string>& warnings) {
    std::vector<std::map<std::string, std::string>> brokers;
    auto listed = client.list(fmt::format("/apis/queues.mirrord.metalbear.co/v1alpha/namespaces/{}/"
                                          "mirrordkafkaclientconfigs",
                                          namespace_));
    if (!listed) {
        // 404: the CRD is not installed (the apiserver's plain "404 page not found", not a
        // Status, so there is no reason to test); 403: this user may not read them.
        auto status = listed.error().http_status();
        if (status != 404 && status != 403)
            warnings.push_back(listed.error().wrap("reading kafka client configs").message());
        return brokers;
    }
    const json* items = fields::find(*listed, "items");
    for (const auto& item : items && items->is_array() ? *items : json::array()) {
        auto name = fields::string_or(fields::object_at(item, "metadata"), "name");
        auto resolved = resolve_broker(client, namespace_, name);
        if (!resolved)
            warnings.push_back(resolved.error().message());
        else if (!resolved->empty())
            brokers.push_back(std::move(*resolved));
    }
    return brokers;
}

} // namespace

void reset_orphan_temporaries(kube::Client& client, const std::string& namespace_,
                              const std::string& config_namespace,
                              std::vector<std::string>& actions,
                              std::vector<std::string>& warnings) {
    auto brokers = client_config_brokers(client, config_namespace, warnings);
    kube::ListOptions options;
    options.label_selector = fmt::format("{}=mirrord,{}", session::managed_by_label,
                                         split_key_label);
    if (auto leases = client.list(kube::kinds::lease.collection(namespace_), options)) {
        const json* items = fields::find(*leases, "items");
        for (const auto& lease : items && items->is_array() ? *items : json::array())
            if (auto properties = recorded_properties(lease); !properties.empty())
                brokers.push_back(std::move(properties));
    }
    std::sort(brokers.begin(), brokers.end());
    brokers.erase(std::unique(brokers.begin(), brokers.end()), brokers.end());
    if (brokers.empty())
        return;
    auto sessions = session::list_sessions(client, "");
    if (!sessions) {
        warnings.push_back(sessions.error().wrap(
            "temporary kafka topics not checked: the sessions of every namespace are needed "
            "to tell which are orphaned").message());
        return;
    }
    std::vector<std::string> ids;
    for (const auto& record : *sessions)
        ids.push_back(record.id);
    for (const auto& properties : brokers) {
        auto routed = route_broker(client, properties);
        if (!routed) {
            warnings.push_back(routed.error().wrap("reaching the kafka broker").message());
            continue;
        }
        if (auto deleted = delete_orphan_temporaries(*routed, ids, actions); !deleted)
            warnings.push_back(deleted.error().wrap("deleting orphaned kafka topics").message());
    }
}

} // namespace mirrord::agent

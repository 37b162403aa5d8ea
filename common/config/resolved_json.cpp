#include "common/config/resolved_json.hpp"

#include <set>

#include "common/config/target.hpp"

namespace mirrord::config {
namespace {

using json = nlohmann::json;

template <typename T> json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

// mirrord prints unset VecOrSingle / map fields as null rather than empty.
json list_or_null(const std::vector<std::string>& values) {
    return values.empty() ? json(nullptr) : json(values);
}

json map_or_null(const std::map<std::string, std::string>& values) {
    return values.empty() ? json(nullptr) : json(values);
}

json env_json(const EnvConfig& env) {
    return {{"include", list_or_null(env.include)},     {"exclude", list_or_null(env.exclude)},
            {"override", map_or_null(env.override_)},   {"load_from_process", env.load_from_process},
            {"unset", list_or_null(env.unset)},         {"env_file", optional_json(env.env_file)},
            {"mapping", map_or_null(env.mapping)}};
}

json copy_target_json(const CopyTargetConfig& copy) {
    return {{"enabled", copy.enabled},
            {"scale_down", copy.scale_down},
            {"exclude_containers", copy.exclude_containers},
            {"exclude_init_containers", copy.exclude_init_containers}};
}

json network_json(const NetworkConfig& network) {
    const auto& outgoing = network.outgoing;
    json filter = nullptr;
    if (outgoing.filter_side != OutgoingConfig::FilterSide::none) {
        json entries = json::array();
        for (const auto& entry : outgoing.filter)
            entries.push_back(entry.text);
        filter = {{outgoing.filter_side == OutgoingConfig::FilterSide::local ? "local" : "remote",
                   std::move(entries)}};
    }
    return {{"outgoing", {{"tcp", outgoing.tcp},
                          {"udp", outgoing.udp},
                          {"ignore_localhost", outgoing.ignore_localhost},
                          {"filter", std::move(filter)}}},
            {"dns", {{"enabled", network.dns.enabled}}}};
}

json queue_json(const QueueSplit& split) {
    json entry = {{"queue_type", split.queue_type},
                  {"message_filter", split.message_filter},
                  {"queue_mode", split.mode == QueueMode::steal ? "steal" : "mirror"}};
    if (split.jq_filter)
        entry["jq_filter"] = *split.jq_filter;
    return entry;
}

// mirrord serializes the map form unless an id repeats, then the list form with queue_id.
json split_queues_json(const std::vector<QueueSplit>& splits) {
    std::set<std::string> ids;
    for (const auto& split : splits)
        ids.insert(split.id);
    if (ids.size() == splits.size()) {
        json map = json::object();
        for (const auto& split : splits)
            map[split.id] = queue_json(split);
        return map;
    }
    json list = json::array();
    for (const auto& split : splits) {
        json entry = queue_json(split);
        entry["queue_id"] = split.id;
        list.push_back(std::move(entry));
    }
    return list;
}

json agent_json(const AgentConfig& agent) {
    return {{"namespace", optional_json(agent.namespace_)},
            {"image", agent.image},
            {"ttl", agent.ttl},
            {"startup_timeout", agent.startup_timeout},
            {"log_level", agent.log_level}};
}

} // namespace

nlohmann::ordered_json target_to_json(const Target& target) {
    if (target.kind == TargetKind::targetless)
        return "targetless";
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    if (target.kind == TargetKind::label) {
        out["labels"] = target.labels;
        if (target.container)
            out["container"] = *target.container;
        return out;
    }
    out[std::string(target_object_key(target.kind))] = target.name;
    out["container"] = optional_json(target.container);
    return out;
}

json to_resolved_json(const Config& config) {
    json path = nullptr;
    if (config.target.path)
        path = json::parse(target_to_json(*config.target.path).dump());
    json target = {{"path", std::move(path)},
                   {"namespace", optional_json(config.target.namespace_)}};
    json feature = {{"env", env_json(config.env)},
                    {"copy_target", copy_target_json(config.copy_target)},
                    {"split_queues", split_queues_json(config.split_queues)},
                    {"network", network_json(config.network)}};
    return {{"accept_invalid_certificates", optional_json(config.accept_invalid_certificates)},
            {"operator", optional_json(config.operator_)},
            {"kubeconfig", optional_json(config.kubeconfig)},
            {"kube_context", optional_json(config.kube_context)},
            {"key", config.key.value_or("")},
            {"target", std::move(target)},
            {"agent", agent_json(config.agent)},
            {"feature", std::move(feature)}};
}

} // namespace mirrord::config

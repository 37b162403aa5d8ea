#include "agent/split_config.hpp"

#include <vector>

#include <fmt/format.h>

#include "agent/client_config.hpp"
#include "agent/split_objects.hpp"
#include "common/core/strings.hpp"
#include "common/kube/json_fields.hpp"

namespace mirrord::agent {
namespace {

// kind/name/apiVersion of a consumer, as the CR and the target name them.
struct ConsumerRef {
    std::string api_version, kind, name;
    bool operator==(const ConsumerRef&) const = default;
};

ConsumerRef target_ref(const session::ResolvedTarget& target) {
    const auto& kind = target.kind;
    auto api_version = kind.group.empty() ? kind.version : kind.group + "/" + kind.version;
    return {kube::string_member(target.workload, "apiVersion", api_version), kind.kind,
            target.target.name};
}

ConsumerRef consumer_ref(const json& consumer) {
    const json& spec = kube::object_member(consumer, "spec");
    return {kube::string_member(spec, "consumerApiVersion"),
            kube::string_member(spec, "consumerKind"), kube::string_member(spec, "consumerName")};
}

std::string name_of(const json& object) {
    return kube::string_member(kube::object_member(object, "metadata"), "name");
}

// "kafka-consumer-topics (apps/v1 Deployment kafka-consumer)", for "found: ...".
std::string describe_consumer(const json& consumer) {
    auto ref = consumer_ref(consumer);
    return fmt::format("{} ({} {} {})", name_of(consumer), ref.api_version, ref.kind, ref.name);
}

// The value a source list yields from the container's env, with the variable it names.
struct SourceValue {
    std::string variable;
    std::string value;
};

// The first `directEnvVar` of `sources` (nameSources, groupIdSources) that names the target's
// container: its variable's value, else its fallback. `key` is the path for messages
// ("kafka-consumer-topics: spec.topics[0].nameSources").
Result<SourceValue> read_source(const json& sources, const std::string& key,
                                const session::ResolvedTarget& target,
                                const std::map<std::string, std::string>& env) {
    std::vector<std::string> containers;
    size_t index = 0;
    for (const auto& source : sources.is_array() ? sources : json::array()) {
        const json& direct = kube::object_member(source, "directEnvVar");
        auto container = kube::string_member(direct, "container");
        // `name` is the alias of mirrord's CRD documentation (its schema says `variable`).
        auto variable = kube::string_member(direct, "variable",
                                            kube::string_member(direct, "name"));
        if (variable.empty())
            return fail("{}[{}].directEnvVar.variable: missing", key, index);
        ++index;
        if (!container.empty() && container != target.container) {
            containers.push_back(container);
            continue;
        }
        if (auto found = env.find(variable); found != env.end())
            return SourceValue{variable, found->second};
        const json& fallback = kube::member(direct, "fallback");
        if (fallback.is_string())
            return SourceValue{variable, fallback.get<std::string>()};
        return fail("{}: env var {} is not set in container {} of {} and has no fallback", key,
                    variable, target.container, target.object_path());
    }
    if (containers.empty())
        return fail("{}: no directEnvVar source", key);
    return fail("{}: every source names another container ({}), not the target's {}", key,
                join(containers, ", "), target.container);
}

// The consumers of `list` that name this target.
std::vector<const json*> matching_consumers(const json& list, const ConsumerRef& wanted) {
    std::vector<const json*> matching;
    for (const auto& consumer : kube::array_member(list, "items"))
        if (consumer_ref(consumer) == wanted)
            matching.push_back(&consumer);
    return matching;
}

// A topics[] entry, the consumer holding it and its index (for key paths in messages).
struct TopicEntry {
    const json* consumer;
    const json* topic;
    size_t index;
};

// The topics[] entry `topic_id` of the consumers naming this target.
Result<TopicEntry> find_topic(const json& list,
                                                       const session::ResolvedTarget& target,
                                                       const std::string& topic_id) {
    auto wanted = target_ref(target);
    auto matching = matching_consumers(list, wanted);
    if (matching.empty()) {
        std::vector<std::string> found;
        for (const auto& consumer : kube::array_member(list, "items"))
            found.push_back(describe_consumer(consumer));
        return fail("no MirrordKafkaTopicsConsumer for {} ({}) in {}; found: {}",
                    target.object_path(), wanted.api_version, target.namespace_,
                    found.empty() ? "none" : join(found, ", "));
    }
    std::vector<std::string> names, ids;
    for (const json* consumer : matching) {
        names.push_back(name_of(*consumer));
        const auto& topics = kube::array_member(kube::object_member(*consumer, "spec"), "topics");
        for (size_t index = 0; index < topics.size(); ++index) {
            auto id = kube::string_member(topics[index], "id");
            if (id == topic_id)
                return TopicEntry{consumer, &topics[index], index};
            ids.push_back(id.empty() ? "(no id)" : id);
        }
    }
    return fail("topic id {} not in {}; ids: {}", topic_id, join(names, ", "),
                ids.empty() ? "none" : join(ids, ", "));
}

} // namespace

Result<SplitPlan> resolve_split_plan(SplitObjects& objects, const session::ResolvedTarget& target,
                                     const std::map<std::string, std::string>& container_env,
                                     const std::string& topic_id,
                                     const std::string& config_namespace) {
    MIRRORD_TRY_ASSIGN(auto list, objects.topics_consumers(target.namespace_));
    MIRRORD_TRY_ASSIGN(auto found, find_topic(list, target, topic_id));
    const json* topic = found.topic;
    SplitPlan plan;
    plan.topic_id = topic_id;
    plan.consumer_resource = name_of(*found.consumer);
    auto key = fmt::format("MirrordKafkaTopicsConsumer {}/{}: spec.topics[{}]", target.namespace_,
                           plan.consumer_resource, found.index);
    if (!kube::member(*topic, "applicationIdSources").is_null())
        return fail("{}.applicationIdSources: Kafka Streams consumers are not supported by "
                    "mirrord's splitter yet (groupIdSources are)",
                    key);
    MIRRORD_TRY_ASSIGN(auto name, read_source(kube::member(*topic, "nameSources"),
                                              key + ".nameSources", target, container_env));
    if (name.value.empty())
        return fail("{}.nameSources: env var {} of container {} is empty", key, name.variable,
                    target.container);
    plan.original_topic = name.value;
    plan.topic_env_var = name.variable;
    const json& groups = kube::member(*topic, "groupIdSources");
    if (!groups.is_null()) {
        MIRRORD_TRY_ASSIGN(auto group, read_source(groups, key + ".groupIdSources", target,
                                                   container_env));
        plan.group_id = group.value;
        plan.group_env_var = group.variable;
    }
    plan.client_config = kube::string_member(*topic, "clientConfig");
    if (plan.client_config.empty())
        return fail("{}.clientConfig: missing", key);
    plan.client_config_namespace = config_namespace;
    MIRRORD_TRY_ASSIGN(auto properties,
                       resolve_client_config(objects, config_namespace, plan.client_config)
                           .wrap(fmt::format("{}.clientConfig", key)));
    plan.properties = std::move(properties.properties);
    plan.secret_properties = std::move(properties.secret_properties);
    return plan;
}

Result<SplitPlan> resolve_split_plan(kube::Client& client, const session::ResolvedTarget& target,
                                     const std::map<std::string, std::string>& container_env,
                                     const std::string& topic_id,
                                     const std::string& config_namespace) {
    KubeSplitObjects objects(client);
    return resolve_split_plan(objects, target, container_env, topic_id, config_namespace);
}

} // namespace mirrord::agent

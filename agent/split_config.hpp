#pragma once
// Where a queue split's configuration comes from (DESIGN.md section 5, spec section 4.1): the
// target's MirrordKafkaTopicsConsumer names the topic's env var, group id env var and client
// config; the MirrordKafkaClientConfig chain in mirrord's config namespace gives the librdkafka
// properties. Everything is read from objects anyone with access may edit, through non-throwing
// accessors; every failure names the object and key, and what exists instead.

#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/target.hpp"

namespace mirrord::agent {

using json = nlohmann::json;

// Everything the splitter and exec need to split one topic id of one target.
struct SplitPlan {
    std::string topic_id;                // the split_queues key, = topics[].id
    std::string consumer_resource;       // "kafka-consumer-topics" (for messages)
    std::string original_topic;          // from nameSources (env of the target container)
    std::string topic_env_var;           // nameSources[].directEnvVar.variable
    std::optional<std::string> group_id; // the workload's group id, from groupIdSources
    std::optional<std::string> group_env_var;
    std::string client_config;           // MirrordKafkaClientConfig name
    std::string client_config_namespace; // where it was found ("mirrord")
    // librdkafka properties after parent chain + secrets + null removals; group.id removed.
    std::map<std::string, std::string> properties;
    // Property names whose values must never be printed (came from a Secret, or sasl.*password*,
    // ssl.*key*, ...). Their values are registered with log::add_secret when loaded.
    std::set<std::string> secret_properties;
    // bootstrap.servers as the client config has it, when `properties` holds a local tunnel's
    // address instead (an in-cluster broker, DESIGN.md s8): what the Lease records for others.
    std::optional<std::string> recorded_bootstrap;
};

// The objects resolution reads: the apiserver (KubeSplitObjects, split_objects.hpp) or canned
// JSON in tests. Errors are already worded for the user (missing CRD, 403 with verb/resource).
class SplitObjects {
public:
    virtual ~SplitObjects() = default;
    // The MirrordKafkaTopicsConsumer list object of `namespace_`.
    virtual Result<json> topics_consumers(const std::string& namespace_) = 0;
    // One MirrordKafkaClientConfig; nullopt when it does not exist.
    virtual Result<std::optional<json>> client_config(const std::string& namespace_,
                                                      const std::string& name) = 0;
    // The names of the MirrordKafkaClientConfigs in `namespace_`, for "found: ..." in errors.
    virtual Result<std::vector<std::string>> client_config_names(const std::string& namespace_) = 0;
    // One Secret; nullopt when it does not exist.
    virtual Result<std::optional<json>> secret(const std::string& namespace_,
                                               const std::string& name) = 0;
};

// Looks up the MirrordKafkaTopicsConsumer in the target's namespace whose consumer kind, name and
// apiVersion match `target`, its topics[] entry `topic_id`, reads nameSources/groupIdSources from
// `container_env` (the target container's resolved env: name -> value), then resolves the client
// config in `config_namespace`. Errors name what exists instead.
Result<SplitPlan> resolve_split_plan(kube::Client& client, const session::ResolvedTarget& target,
                                     const std::map<std::string, std::string>& container_env,
                                     const std::string& topic_id,
                                     const std::string& config_namespace);

// The same, reading through `objects`.
Result<SplitPlan> resolve_split_plan(SplitObjects& objects, const session::ResolvedTarget& target,
                                     const std::map<std::string, std::string>& container_env,
                                     const std::string& topic_id,
                                     const std::string& config_namespace);

// Where client configs live when the config sets no agent.namespace: `mirrord`, as in the guide.
inline constexpr const char* default_config_namespace = "mirrord";

} // namespace mirrord::agent

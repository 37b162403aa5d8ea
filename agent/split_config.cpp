// STAND-IN (coord): removed before merging h-queuecfg.
#include "agent/split_config.hpp"

#include <cstdlib>

namespace mirrord::agent {

Result<SplitPlan> resolve_split_plan(kube::Client&, const session::ResolvedTarget&,
                                     const std::map<std::string, std::string>& container_env,
                                     const std::string& topic_id, const std::string&) {
    SplitPlan plan;
    plan.topic_id = topic_id;
    plan.consumer_resource = "kafka-consumer-topics";
    auto topic = container_env.find("KAFKA_TOPIC");
    if (topic == container_env.end())
        return fail("stand-in: no KAFKA_TOPIC");
    plan.original_topic = topic->second;
    plan.topic_env_var = "KAFKA_TOPIC";
    if (auto group = container_env.find("KAFKA_GROUP_ID"); group != container_env.end()) {
        plan.group_id = group->second;
        plan.group_env_var = "KAFKA_GROUP_ID";
    }
    plan.client_config = "base-config";
    plan.client_config_namespace = "mirrord";
    const char* bootstrap = std::getenv("KAFKA_BOOTSTRAP_SERVERS");
    plan.properties["bootstrap.servers"] = bootstrap ? bootstrap : "127.0.0.1:9092";
    return plan;
}

} // namespace mirrord::agent

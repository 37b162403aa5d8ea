#pragma once
// STAND-IN (coord): the contract of part 1 (queuecfg), removed before merging h-queuecfg.
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/target.hpp"

namespace mirrord::agent {

struct SplitPlan {
    std::string topic_id;
    std::string consumer_resource;
    std::string original_topic;
    std::string topic_env_var;
    std::optional<std::string> group_id;
    std::optional<std::string> group_env_var;
    std::string client_config;
    std::string client_config_namespace;
    std::map<std::string, std::string> properties;
    std::set<std::string> secret_properties;
};

Result<SplitPlan> resolve_split_plan(kube::Client& client, const session::ResolvedTarget& target,
                                     const std::map<std::string, std::string>& container_env,
                                     const std::string& topic_id,
                                     const std::string& config_namespace);

} // namespace mirrord::agent

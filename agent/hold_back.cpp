#include "agent/hold_back.hpp"

namespace mirrord::agent {

kafka::KafkaResult<std::set<std::string>> assigned_topics(kafka::Admin& admin,
                                                          const std::set<std::string>& topics,
                                                          std::chrono::milliseconds timeout) {
    std::set<std::string> found;
    if (topics.empty())
        return found;
    MIRRORD_TRY_ASSIGN(std::vector<std::string> groups, admin.list_consumer_groups(timeout));
    std::vector<std::string> candidates;
    for (auto& group : groups)
        if (!group.starts_with("mirrord-split-"))
            candidates.push_back(std::move(group));
    MIRRORD_TRY_ASSIGN(std::vector<kafka::GroupDescription> described,
                       admin.describe_consumer_groups(candidates, timeout));
    for (const auto& group : described)
        for (const auto& member : group.members)
            for (const auto& partition : member.assignment)
                if (topics.contains(partition.topic))
                    found.insert(partition.topic);
    return found;
}

} // namespace mirrord::agent

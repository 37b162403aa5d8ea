// Admin: DescribeConsumerGroups, to see which consumers have partitions of a topic assigned.

#include <vector>

#include "common/kafka/admin.hpp"

namespace mirrord::kafka {
namespace {

GroupDescription describe(const rd_kafka_ConsumerGroupDescription_t* group) {
    GroupDescription description{
        .group_id = rd_kafka_ConsumerGroupDescription_group_id(group),
        .state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(group)),
        .members = {},
    };
    size_t count = rd_kafka_ConsumerGroupDescription_member_count(group);
    for (size_t i = 0; i < count; ++i) {
        const rd_kafka_MemberDescription_t* member =
            rd_kafka_ConsumerGroupDescription_member(group, static_cast<int>(i));
        const char* client_id = rd_kafka_MemberDescription_client_id(member);
        const char* host = rd_kafka_MemberDescription_host(member);
        GroupMember entry{client_id ? client_id : "", host ? host : "", {}};
        if (const rd_kafka_MemberAssignment_t* assignment =
                rd_kafka_MemberDescription_assignment(member))
            if (const rd_kafka_topic_partition_list_t* partitions =
                    rd_kafka_MemberAssignment_partitions(assignment))
                entry.assignment = from_list(partitions);
        description.members.push_back(std::move(entry));
    }
    return description;
}

} // namespace

KafkaResult<std::vector<GroupDescription>>
Admin::describe_consumer_groups(const std::vector<std::string>& groups,
                                std::chrono::milliseconds timeout) {
    std::vector<GroupDescription> descriptions;
    if (groups.empty())
        return descriptions;
    std::vector<const char*> names;
    names.reserve(groups.size());
    for (const auto& group : groups)
        names.push_back(group.c_str());
    QueuePtr queue(rd_kafka_queue_new(handle_.get()));
    AdminOptionsPtr request_options = options(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout);
    rd_kafka_DescribeConsumerGroups(handle_.get(), names.data(), names.size(),
                                    request_options.get(), queue.get());
    MIRRORD_TRY_ASSIGN(EventPtr event,
                       await(queue.get(), timeout).wrap("describing kafka consumer groups"));
    size_t count = 0;
    const rd_kafka_ConsumerGroupDescription_t** results =
        rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(event.get()), &count);
    for (size_t i = 0; i < count; ++i) {
        // A group that vanished between listing and describing is skipped, not an error.
        if (rd_kafka_ConsumerGroupDescription_error(results[i]) != nullptr)
            continue;
        descriptions.push_back(describe(results[i]));
    }
    return descriptions;
}

} // namespace mirrord::kafka

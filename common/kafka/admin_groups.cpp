// Admin: consumer groups (list, delete), for cleaning up the groups of ended sessions.

#include <vector>

#include "common/kafka/admin.hpp"

namespace mirrord::kafka {


KafkaResult<std::vector<std::string>> Admin::list_consumer_groups(
    std::chrono::milliseconds timeout) {
    QueuePtr queue(rd_kafka_queue_new(handle_.get()));
    AdminOptionsPtr request_options = options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, timeout);
    rd_kafka_ListConsumerGroups(handle_.get(), request_options.get(), queue.get());
    MIRRORD_TRY_ASSIGN(EventPtr event,
                       await(queue.get(), timeout).wrap("listing kafka consumer groups"));
    const rd_kafka_ListConsumerGroups_result_t* result =
        rd_kafka_event_ListConsumerGroups_result(event.get());
    size_t error_count = 0;
    const rd_kafka_error_t** errors =
        rd_kafka_ListConsumerGroups_result_errors(result, &error_count);
    // One error per broker that failed to answer: a partial list would hide groups.
    if (error_count > 0)
        return KafkaError::of("listing kafka consumer groups", errors[0]);
    size_t count = 0;
    const rd_kafka_ConsumerGroupListing_t** groups =
        rd_kafka_ListConsumerGroups_result_valid(result, &count);
    std::vector<std::string> ids;
    ids.reserve(count);
    for (size_t i = 0; i < count; ++i)
        ids.emplace_back(rd_kafka_ConsumerGroupListing_group_id(groups[i]));
    return ids;
}

KafkaStatus Admin::delete_consumer_groups(const std::vector<std::string>& groups,
                                          std::chrono::milliseconds timeout) {
    if (groups.empty())
        return {};
    std::vector<DeleteGroupPtr> owned;
    std::vector<rd_kafka_DeleteGroup_t*> requests;
    for (const auto& group : groups) {
        owned.emplace_back(rd_kafka_DeleteGroup_new(group.c_str()));
        requests.push_back(owned.back().get());
    }
    QueuePtr queue(rd_kafka_queue_new(handle_.get()));
    AdminOptionsPtr request_options = options(RD_KAFKA_ADMIN_OP_DELETEGROUPS, timeout);
    rd_kafka_DeleteGroups(handle_.get(), requests.data(), requests.size(), request_options.get(),
                          queue.get());
    MIRRORD_TRY_ASSIGN(EventPtr event,
                       await(queue.get(), timeout).wrap("deleting kafka consumer groups"));
    size_t count = 0;
    const rd_kafka_DeleteGroups_result_t* result = rd_kafka_event_DeleteGroups_result(event.get());
    const rd_kafka_group_result_t** results = rd_kafka_DeleteGroups_result_groups(result, &count);
    for (size_t i = 0; i < count; ++i) {
        const rd_kafka_error_t* error = rd_kafka_group_result_error(results[i]);
        if (error == nullptr || rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
            continue;
        return KafkaError::of(
            fmt::format("deleting kafka consumer group {}", rd_kafka_group_result_name(results[i])),
            error);
    }
    return {};
}

} // namespace mirrord::kafka

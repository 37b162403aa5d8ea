#include "common/kafka/admin.hpp"

#include <array>
#include <cstring>

namespace mirrord::kafka {
namespace {

int to_ms(std::chrono::milliseconds timeout) { return static_cast<int>(timeout.count()); }

// Checks the topic results of a CreateTopics/DeleteTopics answer; `tolerated` is not an error.
KafkaStatus check_topic_results(const rd_kafka_topic_result_t** results, size_t count,
                                std::string_view what, rd_kafka_resp_err_t tolerated) {
    for (size_t i = 0; i < count; ++i) {
        rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
        if (code == RD_KAFKA_RESP_ERR_NO_ERROR || code == tolerated)
            continue;
        const char* detail = rd_kafka_topic_result_error_string(results[i]);
        return KafkaError(fmt::format("{} {}: {}", what, rd_kafka_topic_result_name(results[i]),
                                      detail ? detail : rd_kafka_err2str(code)),
                          code, {.retriable = is_retriable(code)});
    }
    return {};
}

} // namespace

KafkaResult<Admin> Admin::create(const Properties& properties) {
    MIRRORD_TRY_ASSIGN(ConfPtr conf, make_conf(properties).wrap("creating kafka admin client"));
    MIRRORD_TRY_ASSIGN(rd_kafka_t * client,
                       new_client(RD_KAFKA_PRODUCER, conf, "creating kafka admin client"));
    return Admin(ClientPtr(client));
}

AdminOptionsPtr Admin::options(rd_kafka_admin_op_t op, std::chrono::milliseconds timeout) {
    AdminOptionsPtr options(rd_kafka_AdminOptions_new(handle_.get(), op));
    std::array<char, 256> errstr{};
    // Both only fail for out-of-range values, which to_ms of a sane timeout is not; the
    // operation timeout only applies to topic operations.
    rd_kafka_AdminOptions_set_request_timeout(options.get(), to_ms(timeout), errstr.data(),
                                              errstr.size());
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS)
        rd_kafka_AdminOptions_set_operation_timeout(options.get(), to_ms(timeout),
                                                    errstr.data(), errstr.size());
    return options;
}

KafkaResult<EventPtr> Admin::await(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout) {
    // The request itself times out after `timeout`; allow a little more for its answer event.
    EventPtr event(rd_kafka_queue_poll(queue, to_ms(timeout) + 1000));
    if (!event)
        return KafkaError(fmt::format("no answer from kafka within {} ms", timeout.count()),
                          RD_KAFKA_RESP_ERR__TIMED_OUT, {.retriable = true});
    rd_kafka_resp_err_t code = rd_kafka_event_error(event.get());
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError(rd_kafka_event_error_string(event.get()), code,
                          {.retriable = is_retriable(code)});
    return event;
}

KafkaStatus Admin::ensure_topic(const std::string& topic, int partitions,
                                std::chrono::milliseconds timeout) {
    std::array<char, 512> errstr{};
    // Replication factor -1: the broker's default.replication.factor (KIP-464).
    NewTopicPtr new_topic(
        rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, errstr.data(), errstr.size()));
    if (!new_topic)
        return fail("creating kafka topic {}: {}", topic, errstr.data());
    QueuePtr queue(rd_kafka_queue_new(handle_.get()));
    std::array<rd_kafka_NewTopic_t*, 1> topics{new_topic.get()};
    AdminOptionsPtr request_options = options(RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout);
    rd_kafka_CreateTopics(handle_.get(), topics.data(), topics.size(), request_options.get(),
                          queue.get());
    MIRRORD_TRY_ASSIGN(EventPtr event,
                       await(queue.get(), timeout).wrap("creating kafka topic " + topic));
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(
        rd_kafka_event_CreateTopics_result(event.get()), &count);
    return check_topic_results(results, count, "creating kafka topic",
                               RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
}

KafkaStatus Admin::delete_topic(const std::string& topic, std::chrono::milliseconds timeout) {
    DeleteTopicPtr delete_request(rd_kafka_DeleteTopic_new(topic.c_str()));
    QueuePtr queue(rd_kafka_queue_new(handle_.get()));
    std::array<rd_kafka_DeleteTopic_t*, 1> topics{delete_request.get()};
    AdminOptionsPtr request_options = options(RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout);
    rd_kafka_DeleteTopics(handle_.get(), topics.data(), topics.size(), request_options.get(),
                          queue.get());
    MIRRORD_TRY_ASSIGN(EventPtr event,
                       await(queue.get(), timeout).wrap("deleting kafka topic " + topic));
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_DeleteTopics_result_topics(
        rd_kafka_event_DeleteTopics_result(event.get()), &count);
    return check_topic_results(results, count, "deleting kafka topic",
                               RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
}

KafkaResult<int> Admin::partition_count(const std::string& topic,
                                        std::chrono::milliseconds timeout) {
    std::string what = "reading partitions of kafka topic " + topic;
    // All topics rather than a topic handle: a request naming the topic may auto-create it.
    const rd_kafka_metadata_t* raw = nullptr;
    rd_kafka_resp_err_t code = rd_kafka_metadata(handle_.get(), 1, nullptr, &raw, to_ms(timeout));
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from(what, code, handle_.get());
    MetadataPtr metadata(raw);
    for (int i = 0; i < metadata->topic_cnt; ++i) {
        const rd_kafka_metadata_topic_t& entry = metadata->topics[i];
        if (topic != entry.topic)
            continue;
        if (entry.err != RD_KAFKA_RESP_ERR_NO_ERROR)
            return KafkaError::from(what, entry.err);
        return entry.partition_cnt;
    }
    return KafkaError::from(what, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
}

KafkaResult<std::vector<std::string>> Admin::list_topics(std::chrono::milliseconds timeout) {
    const rd_kafka_metadata_t* raw = nullptr;
    rd_kafka_resp_err_t code = rd_kafka_metadata(handle_.get(), 1, nullptr, &raw, to_ms(timeout));
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from("listing kafka topics", code, handle_.get());
    MetadataPtr metadata(raw);
    std::vector<std::string> topics;
    for (int i = 0; i < metadata->topic_cnt; ++i)
        topics.emplace_back(metadata->topics[i].topic);
    return topics;
}

} // namespace mirrord::kafka

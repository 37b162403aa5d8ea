#include "common/kafka/admin.hpp"

#include <array>

namespace mirrord::kafka {
namespace {

int to_ms(std::chrono::milliseconds timeout) { return static_cast<int>(timeout.count()); }

// Checks the one topic result of a CreateTopics/DeleteTopics answer; `tolerated` is not an error.
Status check_topic_results(const rd_kafka_topic_result_t** results, size_t count,
                           std::string_view what, rd_kafka_resp_err_t tolerated) {
    for (size_t i = 0; i < count; ++i) {
        rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
        if (code == RD_KAFKA_RESP_ERR_NO_ERROR || code == tolerated)
            continue;
        const char* detail = rd_kafka_topic_result_error_string(results[i]);
        return fail("{} {}: {}", what, rd_kafka_topic_result_name(results[i]),
                    detail ? detail : rd_kafka_err2str(code));
    }
    return {};
}

} // namespace

Result<Admin> Admin::create(const Properties& properties) {
    MIRRORD_TRY_ASSIGN(ConfPtr conf, make_conf(properties).wrap("creating kafka admin client"));
    std::array<char, 512> errstr{};
    ClientPtr handle(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size()));
    if (!handle)
        return fail("creating kafka admin client: {}", errstr.data());
    conf.release(); // owned by the handle now
    return Admin(std::move(handle));
}

AdminOptionsPtr Admin::options(rd_kafka_admin_op_t op, std::chrono::milliseconds timeout) {
    AdminOptionsPtr options(rd_kafka_AdminOptions_new(handle_.get(), op));
    std::array<char, 256> errstr{};
    // Both only fail for out-of-range values, which to_ms of a sane timeout is not.
    rd_kafka_AdminOptions_set_request_timeout(options.get(), to_ms(timeout), errstr.data(),
                                              errstr.size());
    rd_kafka_AdminOptions_set_operation_timeout(options.get(), to_ms(timeout), errstr.data(),
                                                errstr.size());
    return options;
}

Result<EventPtr> Admin::await(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout) {
    // The request itself times out after `timeout`; allow a little more for its answer event.
    EventPtr event(rd_kafka_queue_poll(queue, to_ms(timeout) + 1000));
    if (!event)
        return fail("no answer from kafka within {} ms", timeout.count());
    if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return fail("{}", rd_kafka_event_error_string(event.get()));
    return event;
}

Status Admin::ensure_topic(const std::string& topic, int partitions,
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

Status Admin::delete_topic(const std::string& topic, std::chrono::milliseconds timeout) {
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

} // namespace mirrord::kafka

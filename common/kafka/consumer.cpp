#include "common/kafka/consumer.hpp"

#include <array>

namespace mirrord::kafka {
namespace {

std::optional<std::string> bytes_of(const void* data, size_t size) {
    if (data == nullptr)
        return std::nullopt;
    return std::string(static_cast<const char*>(data), size);
}

std::vector<Header> headers_of(const rd_kafka_message_t* message) {
    std::vector<Header> headers;
    rd_kafka_headers_t* list = nullptr; // owned by the message
    if (rd_kafka_message_headers(message, &list) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return headers;
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(list, i, &name, &value, &size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i)
        headers.push_back(Header{name, bytes_of(value, size)});
    return headers;
}

Message to_message(const rd_kafka_message_t* message) {
    return Message{
        .topic = rd_kafka_topic_name(message->rkt),
        .partition = message->partition,
        .offset = message->offset,
        .key = bytes_of(message->key, message->key_len),
        .value = bytes_of(message->payload, message->len).value_or(""),
        .headers = headers_of(message),
    };
}

} // namespace

Result<Consumer> Consumer::create(const Properties& properties) {
    MIRRORD_TRY_ASSIGN(ConfPtr conf, make_conf(properties).wrap("creating kafka consumer"));
    std::array<char, 512> errstr{};
    // rd_kafka_new takes ownership of the conf only when it succeeds.
    ConsumerPtr handle(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr.data(), errstr.size()));
    if (!handle)
        return fail("creating kafka consumer: {}", errstr.data());
    conf.release();
    // Route the main queue (errors, rebalances) to consumer_poll, so one poll serves all.
    rd_kafka_poll_set_consumer(handle.get());
    return Consumer(std::move(handle));
}

Status Consumer::subscribe(const std::vector<std::string>& topics) {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
    for (const auto& topic : topics)
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t code = rd_kafka_subscribe(handle_.get(), list.get());
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return error_from("subscribing to kafka topics", code);
    return {};
}

Result<std::optional<Message>> Consumer::poll(std::chrono::milliseconds timeout) {
    MessagePtr message(rd_kafka_consumer_poll(handle_.get(), static_cast<int>(timeout.count())));
    if (!message || message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        return std::optional<Message>();
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* topic = message->rkt ? rd_kafka_topic_name(message->rkt) : "(no topic)";
        return fail("consuming from {}: {}", topic, rd_kafka_message_errstr(message.get()));
    }
    return std::optional<Message>(to_message(message.get()));
}

Status Consumer::commit() {
    rd_kafka_resp_err_t code = rd_kafka_commit(handle_.get(), nullptr, 0);
    // Nothing consumed yet is not a failure.
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET)
        return error_from("committing kafka offsets", code);
    return {};
}

} // namespace mirrord::kafka

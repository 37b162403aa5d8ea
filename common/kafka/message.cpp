#include "common/kafka/message.hpp"

namespace mirrord::kafka {
namespace {

// librdkafka gives a null pointer for a null key, value or header value, and a non-null one
// (of size 0) for an empty one.
std::optional<std::string> bytes_of(const void* data, size_t size) {
    if (data == nullptr)
        return std::nullopt;
    return std::string(static_cast<const char*>(data), size);
}

std::vector<Header> headers_of(const rd_kafka_message_t* message) {
    std::vector<Header> headers;
    rd_kafka_headers_t* list = nullptr; // owned by the message
    // rd_kafka_message_headers (not detach): the message keeps them, we copy.
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

Timestamp timestamp_of(const rd_kafka_message_t* message) {
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    std::int64_t ms = rd_kafka_message_timestamp(message, &type);
    switch (type) {
    case RD_KAFKA_TIMESTAMP_CREATE_TIME:
        return {TimestampType::create_time, ms};
    case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME:
        return {TimestampType::log_append_time, ms};
    case RD_KAFKA_TIMESTAMP_NOT_AVAILABLE:
        break;
    }
    return {};
}

} // namespace

Message to_message(const rd_kafka_message_t* message) {
    return Message{
        .topic = rd_kafka_topic_name(message->rkt),
        .partition = message->partition,
        .offset = message->offset,
        .key = bytes_of(message->key, message->key_len),
        .value = bytes_of(message->payload, message->len),
        .headers = headers_of(message),
        .timestamp = timestamp_of(message),
    };
}

OutgoingMessage forward(const Message& message, std::string topic) {
    std::optional<std::int64_t> timestamp_ms;
    if (message.timestamp.type != TimestampType::none)
        timestamp_ms = message.timestamp.ms;
    return OutgoingMessage{
        .topic = std::move(topic),
        .key = message.key,
        .value = message.value,
        .headers = message.headers,
        .partition = message.partition,
        .timestamp_ms = timestamp_ms,
    };
}

} // namespace mirrord::kafka

#pragma once
// Kafka records as plain values, independent of librdkafka's structs. Null stays null and empty
// stays empty, for keys, values and header values alike: a relay must copy them unchanged.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

namespace mirrord::kafka {

// One record header. Kafka allows repeated names (order kept) and null values.
struct Header {
    std::string name;
    std::optional<std::string> value;

    bool operator==(const Header&) const = default;
};

// What a record's timestamp means (the topic's message.timestamp.type).
enum class TimestampType { none, create_time, log_append_time };

// A record's timestamp in milliseconds since the epoch; ms is 0 when type is none.
struct Timestamp {
    TimestampType type = TimestampType::none;
    std::int64_t ms = 0;

    bool operator==(const Timestamp&) const = default;
};

// A record to produce. partition = nullopt lets the partitioner choose; timestamp_ms = nullopt
// lets librdkafka stamp the current time.
struct OutgoingMessage {
    std::string topic;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<Header> headers;
    std::optional<std::int32_t> partition;
    std::optional<std::int64_t> timestamp_ms;
};

// A consumed record.
struct Message {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<Header> headers;
    Timestamp timestamp;
};

// Copies a librdkafka record (err must be NO_ERROR) into a Message.
Message to_message(const rd_kafka_message_t* message);

// The record to produce that copies `message` to `topic`: same key, value, headers, timestamp
// and partition (session topics have the original's partition count).
OutgoingMessage forward(const Message& message, std::string topic);

} // namespace mirrord::kafka

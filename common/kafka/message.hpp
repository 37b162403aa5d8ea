#pragma once
// Kafka records as plain values, independent of librdkafka's structs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mirrord::kafka {

// One record header. Kafka allows repeated names and null values.
struct Header {
    std::string name;
    std::optional<std::string> value;

    bool operator==(const Header&) const = default;
};

// A record to produce. partition = nullopt lets the partitioner choose.
struct OutgoingMessage {
    std::string topic;
    std::optional<std::string> key;
    std::string value;
    std::vector<Header> headers;
    std::optional<std::int32_t> partition;
};

// A consumed record.
struct Message {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::optional<std::string> key;
    std::string value;
    std::vector<Header> headers;
};

} // namespace mirrord::kafka

#pragma once
// Topic partitions with offsets, as plain values, and their librdkafka list form.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/kafka/handles.hpp"

namespace mirrord::kafka {

// A partition and, where it matters, an offset. For commits and send_offsets_to_transaction
// the offset is the next one to consume (last consumed + 1). nullopt: none (nothing committed,
// no position yet).
struct TopicPartition {
    std::string topic;
    std::int32_t partition = 0;
    std::optional<std::int64_t> offset;

    bool operator==(const TopicPartition&) const = default;
};

using TopicPartitions = std::vector<TopicPartition>;

// A librdkafka list of the partitions; nullopt offsets become RD_KAFKA_OFFSET_INVALID.
PartitionListPtr to_list(const TopicPartitions& partitions);

// The partitions of a librdkafka list; negative (logical) offsets become nullopt.
TopicPartitions from_list(const rd_kafka_topic_partition_list_t* list);

// The partitions that have an offset.
TopicPartitions with_offsets(TopicPartitions partitions);

} // namespace mirrord::kafka

#include "common/kafka/partitions.hpp"

#include <algorithm>

namespace mirrord::kafka {

PartitionListPtr to_list(const TopicPartitions& partitions) {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    for (const auto& partition : partitions) {
        rd_kafka_topic_partition_t* entry = rd_kafka_topic_partition_list_add(
            list.get(), partition.topic.c_str(), partition.partition);
        entry->offset = partition.offset.value_or(RD_KAFKA_OFFSET_INVALID);
    }
    return list;
}

TopicPartitions from_list(const rd_kafka_topic_partition_list_t* list) {
    TopicPartitions partitions;
    if (list == nullptr)
        return partitions;
    partitions.reserve(static_cast<size_t>(list->cnt));
    for (int i = 0; i < list->cnt; ++i) {
        const rd_kafka_topic_partition_t& entry = list->elems[i];
        std::optional<std::int64_t> offset;
        if (entry.offset >= 0)
            offset = entry.offset;
        partitions.push_back({entry.topic, entry.partition, offset});
    }
    return partitions;
}

TopicPartitions with_offsets(TopicPartitions partitions) {
    std::erase_if(partitions, [](const TopicPartition& p) { return !p.offset; });
    return partitions;
}

} // namespace mirrord::kafka

#pragma once
// Topic and consumer group administration over librdkafka's Admin API and metadata.

#include <chrono>
#include <string>
#include <vector>

#include "common/kafka/config.hpp"
#include "common/kafka/error.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/partitions.hpp"

namespace mirrord::kafka {

// One member of a consumer group and the partitions the group assigned to it.
struct GroupMember {
    std::string client_id;
    std::string host;
    TopicPartitions assignment;
};

// A consumer group as DescribeConsumerGroups reports it.
struct GroupDescription {
    std::string group_id;
    std::string state; // librdkafka's name: "Stable", "PreparingRebalance", "Empty", ...
    std::vector<GroupMember> members;
};

class Admin {
public:
    // Creates an admin client from properties ("bootstrap.servers" at least).
    static KafkaResult<Admin> create(const Properties& properties);

    // Creates the topic unless it exists; waits for the controller's answer up to `timeout`.
    KafkaStatus ensure_topic(const std::string& topic, int partitions,
                             std::chrono::milliseconds timeout);

    // Deletes the topic; a topic that does not exist counts as deleted.
    KafkaStatus delete_topic(const std::string& topic, std::chrono::milliseconds timeout);

    // The topic's partition count, from the cluster's metadata. Does not auto-create it; an
    // unknown topic is an UNKNOWN_TOPIC_OR_PART error (retriable: it may be being created).
    KafkaResult<int> partition_count(const std::string& topic, std::chrono::milliseconds timeout);

    // The ids of the cluster's consumer groups.
    KafkaResult<std::vector<std::string>> list_consumer_groups(std::chrono::milliseconds timeout);

    // Describes the groups: state, members and their assignments. A group the broker does not
    // know comes back in state "Dead" with no members.
    KafkaResult<std::vector<GroupDescription>>
    describe_consumer_groups(const std::vector<std::string>& groups,
                             std::chrono::milliseconds timeout);

    // Deletes the consumer groups (they must have no members); an unknown group counts as
    // deleted.
    KafkaStatus delete_consumer_groups(const std::vector<std::string>& groups,
                                       std::chrono::milliseconds timeout);

private:
    explicit Admin(ClientPtr handle) : handle_(std::move(handle)) {}

    // Waits on a private queue for the result event of the request sent to it.
    KafkaResult<EventPtr> await(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout);
    AdminOptionsPtr options(rd_kafka_admin_op_t op, std::chrono::milliseconds timeout);

    ClientPtr handle_;
};

} // namespace mirrord::kafka

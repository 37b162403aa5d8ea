#pragma once
// A Kafka group consumer over librdkafka's C API: poll events, rebalance callback, offsets, and
// the group metadata a transactional producer needs (send_offsets_to_transaction).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/kafka/config.hpp"
#include "common/kafka/error.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/message.hpp"
#include "common/kafka/partitions.hpp"

namespace mirrord::kafka {

// A group rebalance, seen by the consumer's rebalance callback.
struct Rebalance {
    enum class Kind { assigned, revoked };
    Kind kind = Kind::assigned;
    // Eager protocol: the whole new (assigned) or old (revoked) assignment. Cooperative: only the
    // partitions added or removed.
    TopicPartitions partitions;
    bool cooperative = false;
    // Revoked because the consumer lost them (session timeout, fenced): commits will fail.
    bool lost = false;
};

// Called on the thread that calls poll() (or close()/the destructor, which revoke). Assigned:
// after the partitions are assigned, so committed()/position() work. Revoked: before they are
// unassigned, so a transactional relay can commit or abort while it still owns them.
// Exceptions are caught and logged; they never reach librdkafka.
using RebalanceCallback = std::function<void(const Rebalance&)>;

// Nothing arrived within the poll timeout.
struct Idle {};

// The consumer reached the end of a partition (needs enable.partition.eof=true); not an error.
struct PartitionEnd {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0; // the next offset that will be written
};

// What one poll() brought. A KafkaError here is not fatal: librdkafka keeps retrying (broker
// down, topic not in the metadata yet), so the caller logs it and polls on.
using ConsumerEvent = std::variant<Idle, Message, PartitionEnd, KafkaError>;

class Consumer {
public:
    // Creates a consumer from properties ("bootstrap.servers" and "group.id" at least).
    static KafkaResult<Consumer> create(const Properties& properties,
                                        RebalanceCallback on_rebalance = {});

    Consumer(Consumer&& other) noexcept = default;
    // Closes this consumer (leaving its group) before taking over `other`.
    Consumer& operator=(Consumer&& other) noexcept;
    // Leaves the group unless close() did (ConsumerPtr's deleter); the revoke reaches the
    // rebalance callback, so whatever it uses must outlive the consumer or call close() first.
    ~Consumer() = default;

    // Subscribes to the topics (replacing any earlier subscription). The topics must exist:
    // librdkafka consumers do not auto-create them.
    KafkaStatus subscribe(const std::vector<std::string>& topics);

    // Reads exactly these partitions, outside any group rebalance (no subscribe). An offset
    // (or RD_KAFKA_OFFSET_BEGINNING/END) starts there; nullopt starts at the committed offset,
    // else per auto.offset.reset.
    KafkaStatus assign(const TopicPartitions& partitions);

    // Waits up to `timeout` for one event. The error is fatal: the consumer is unusable.
    KafkaResult<ConsumerEvent> poll(std::chrono::milliseconds timeout);

    // Waits up to `timeout` for one record: nullopt for none, a partition end or a non-fatal
    // error (logged at warn). The error is fatal.
    KafkaResult<std::optional<Message>> poll_message(std::chrono::milliseconds timeout);

    // Commits the offsets of the records returned so far, synchronously.
    KafkaStatus commit();
    // Commits these offsets (next offset to consume), synchronously.
    KafkaStatus commit(const TopicPartitions& offsets);

    // The partitions currently assigned to this consumer.
    KafkaResult<TopicPartitions> assignment() const;
    // The committed offsets of `partitions` in the group, asking the coordinator.
    KafkaResult<TopicPartitions> committed(const TopicPartitions& partitions,
                                           std::chrono::milliseconds timeout) const;
    // The next offset to consume (last returned + 1) of each assigned partition that has
    // returned a record or was positioned; the offsets send_offsets_to_transaction wants.
    KafkaResult<TopicPartitions> positions() const;

    // The group metadata for Producer::send_offsets_to_transaction.
    KafkaResult<GroupMetadataPtr> group_metadata() const;

    // Leaves the group now (revoke callback included); later calls fail, destruction is quick.
    KafkaStatus close();

    // The librdkafka handle, for what this class does not wrap (tests, the mock cluster).
    rd_kafka_t* handle() const { return handle_.get(); }

private:
    // What librdkafka's rebalance callback reaches through its opaque pointer.
    struct Callbacks {
        RebalanceCallback on_rebalance;
    };
    static void on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t code,
                             rd_kafka_topic_partition_list_t* partitions, void* opaque) noexcept;

    Consumer(std::unique_ptr<Callbacks> callbacks, ConsumerPtr handle)
        : callbacks_(std::move(callbacks)), handle_(std::move(handle)) {}

    // Declared before handle_ so it outlives the handle whose close() calls back into it.
    std::unique_ptr<Callbacks> callbacks_;
    ConsumerPtr handle_;
};

} // namespace mirrord::kafka

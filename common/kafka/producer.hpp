#pragma once
// A Kafka producer, optionally transactional, over librdkafka's C API. Every call returns a
// classified KafkaError: retriable (try again), txn_requires_abort (abort_transaction, then
// begin anew) or fatal (the producer is fenced or broken: create a new one).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/kafka/config.hpp"
#include "common/kafka/error.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/message.hpp"
#include "common/kafka/partitions.hpp"

namespace mirrord::kafka {

class Producer {
public:
    // How long the destructor waits for queued records before dropping them.
    static constexpr std::chrono::milliseconds close_timeout{2000};

    // Creates a producer from properties ("bootstrap.servers" at least). With
    // "transactional.id" set, call init_transactions() before producing.
    static KafkaResult<Producer> create(const Properties& properties);

    // A moved-from producer holds nothing: its destructor does nothing, and only assigning to
    // it or destroying it is allowed.
    Producer(Producer&& other) noexcept = default;
    // Flushes and destroys this producer's handle (as the destructor does), then takes `other`'s.
    Producer& operator=(Producer&& other) noexcept;
    // Waits up to close_timeout for queued records, then destroys the handle.
    ~Producer();

    // Queues a record (copied). Delivery failures are reported by the next flush() or
    // commit_transaction(). A full queue (_QUEUE_FULL) is retriable: poll(), then try again.
    KafkaStatus produce(const OutgoingMessage& message);

    // Serves delivery reports for up to `timeout`.
    void poll(std::chrono::milliseconds timeout);

    // Waits until every queued record is delivered or has failed; returns the first delivery
    // failure since the previous flush, or a timeout error (retriable).
    KafkaStatus flush(std::chrono::milliseconds timeout);

    // Registers the transactional.id with the broker and fences older instances of it: a
    // zombie with the same id gets a fatal error on its next transactional call.
    KafkaStatus init_transactions(std::chrono::milliseconds timeout);
    // Starts a transaction; records produced until commit/abort belong to it.
    KafkaStatus begin_transaction();
    // Adds the consumer's offsets (next to consume, as Consumer::positions() gives them) to the
    // transaction: they are committed for the consumer's group if and only if it commits.
    // Partitions without an offset are left out; with none left this does nothing.
    KafkaStatus send_offsets_to_transaction(const TopicPartitions& offsets,
                                            const GroupMetadataPtr& group,
                                            std::chrono::milliseconds timeout);
    // Flushes and commits the current transaction.
    KafkaStatus commit_transaction(std::chrono::milliseconds timeout);
    // Aborts the current transaction; read_committed consumers never see its records.
    KafkaStatus abort_transaction(std::chrono::milliseconds timeout);
    // Drops every queued and in-flight record (their delivery fails as purged), so that the
    // destructor does not wait for records that will never be delivered. For a producer given
    // up on; a transactional one is fenced by its successor anyway.
    void discard() noexcept;

    // The librdkafka handle, for what this class does not wrap (tests, the mock cluster).
    rd_kafka_t* handle() const { return handle_.get(); }

private:
    // Filled by the delivery callback, which librdkafka runs inside poll()/flush() on our thread.
    struct Deliveries {
        std::optional<KafkaError> first_error;
    };
    static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) noexcept;

    Producer(std::unique_ptr<Deliveries> deliveries, ClientPtr handle)
        : deliveries_(std::move(deliveries)), handle_(std::move(handle)) {}

    // Flushes (bounded) and destroys the handle. No topic handles are held (records name their
    // topic), so the rd_kafka_t is the last librdkafka object to go.
    void close() noexcept;
    // The first delivery failure since the last call, if any, and forgets it.
    KafkaStatus take_delivery_error();

    // Declared before handle_ so it outlives the handle whose callbacks write to it.
    std::unique_ptr<Deliveries> deliveries_;
    ClientPtr handle_;
};

} // namespace mirrord::kafka

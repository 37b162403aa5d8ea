#pragma once
// A Kafka producer, optionally transactional, over librdkafka's C API.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/core/result.hpp"
#include "common/kafka/config.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/message.hpp"

namespace mirrord::kafka {

class Producer {
public:
    // Creates a producer from properties ("bootstrap.servers" at least). With
    // "transactional.id" set, call init_transactions() before producing.
    static Result<Producer> create(const Properties& properties);

    Producer(Producer&&) noexcept = default;
    Producer& operator=(Producer&&) noexcept = default;
    // Waits up to 2 s for queued records, then destroys the handle.
    ~Producer();

    // Queues a record (copied). Delivery failures are reported by the next flush().
    Status produce(const OutgoingMessage& message);

    // Waits until every queued record is delivered or has failed; returns the first delivery
    // failure since the previous flush, or a timeout error.
    Status flush(std::chrono::milliseconds timeout);

    // Registers the transactional.id with the broker and fences older instances.
    Status init_transactions(std::chrono::milliseconds timeout);
    // Starts a transaction; records produced until commit/abort belong to it.
    Status begin_transaction();
    // Flushes and commits the current transaction.
    Status commit_transaction(std::chrono::milliseconds timeout);
    // Aborts the current transaction; read_committed consumers never see its records.
    Status abort_transaction(std::chrono::milliseconds timeout);

private:
    // Filled by the delivery callback, which librdkafka runs inside poll()/flush() on our thread.
    struct Deliveries {
        std::optional<std::string> first_error;
    };
    static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) noexcept;

    Producer(std::unique_ptr<Deliveries> deliveries, ClientPtr handle)
        : deliveries_(std::move(deliveries)), handle_(std::move(handle)) {}

    // Declared before handle_ so it outlives the handle whose callbacks write to it.
    std::unique_ptr<Deliveries> deliveries_;
    ClientPtr handle_;
};

} // namespace mirrord::kafka

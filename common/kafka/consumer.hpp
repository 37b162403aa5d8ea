#pragma once
// A Kafka group consumer over librdkafka's C API.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/core/result.hpp"
#include "common/kafka/config.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/message.hpp"

namespace mirrord::kafka {

class Consumer {
public:
    // Creates a consumer from properties ("bootstrap.servers" and "group.id" at least).
    static Result<Consumer> create(const Properties& properties);

    Consumer(Consumer&&) noexcept = default;
    Consumer& operator=(Consumer&&) noexcept = default;
    // Leaving the group happens in ConsumerPtr's deleter.
    ~Consumer() = default;

    // Subscribes to the topics (replacing any earlier subscription). The topics must exist:
    // librdkafka consumers do not auto-create them.
    Status subscribe(const std::vector<std::string>& topics);

    // Waits up to `timeout` for one record. nullopt when none arrived (or a partition end was
    // reached); an error for a failed fetch or a broker-side problem.
    Result<std::optional<Message>> poll(std::chrono::milliseconds timeout);

    // Commits the offsets of the records returned so far, synchronously.
    Status commit();

private:
    explicit Consumer(ConsumerPtr handle) : handle_(std::move(handle)) {}

    ConsumerPtr handle_;
};

} // namespace mirrord::kafka

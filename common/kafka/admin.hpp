#pragma once
// Topic administration (create, delete) over librdkafka's Admin API.

#include <chrono>
#include <string>

#include "common/core/result.hpp"
#include "common/kafka/config.hpp"
#include "common/kafka/handles.hpp"

namespace mirrord::kafka {

class Admin {
public:
    // Creates an admin client from properties ("bootstrap.servers" at least).
    static Result<Admin> create(const Properties& properties);

    // Creates the topic unless it exists; waits for the controller's answer up to `timeout`.
    Status ensure_topic(const std::string& topic, int partitions,
                        std::chrono::milliseconds timeout);

    // Deletes the topic; a topic that does not exist counts as deleted.
    Status delete_topic(const std::string& topic, std::chrono::milliseconds timeout);

private:
    explicit Admin(ClientPtr handle) : handle_(std::move(handle)) {}

    // Sends a request on a private queue and waits for its result event.
    Result<EventPtr> await(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout);
    AdminOptionsPtr options(rd_kafka_admin_op_t op, std::chrono::milliseconds timeout);

    ClientPtr handle_;
};

} // namespace mirrord::kafka

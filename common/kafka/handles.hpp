#pragma once
// Owning handles for librdkafka's C objects. Each alias destroys its object on scope exit.

#include <memory>
#include <string_view>

#include <librdkafka/rdkafka.h>

#include "common/core/result.hpp"

namespace mirrord::kafka {

template <auto Destroy> struct Deleter {
    template <typename T> void operator()(T* object) const noexcept { Destroy(object); }
};

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, Deleter<rd_kafka_conf_destroy>>;
using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, Deleter<rd_kafka_headers_destroy>>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, Deleter<rd_kafka_message_destroy>>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, Deleter<rd_kafka_error_destroy>>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_destroy>>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_destroy>>;
using PartitionListPtr =
    std::unique_ptr<rd_kafka_topic_partition_list_t, Deleter<rd_kafka_topic_partition_list_destroy>>;
using AdminOptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t, Deleter<rd_kafka_AdminOptions_destroy>>;
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, Deleter<rd_kafka_NewTopic_destroy>>;
using DeleteTopicPtr =
    std::unique_ptr<rd_kafka_DeleteTopic_t, Deleter<rd_kafka_DeleteTopic_destroy>>;

// A producer or admin client handle; destroying it waits for librdkafka's threads to stop.
using ClientPtr = std::unique_ptr<rd_kafka_t, Deleter<rd_kafka_destroy>>;

// A consumer handle: leaves the group (commits, revokes) before it is destroyed.
// librdkafka: rd_kafka_consumer_close() blocks up to session.timeout.ms if the broker is gone.
struct ConsumerDeleter {
    void operator()(rd_kafka_t* handle) const noexcept {
        rd_kafka_consumer_close(handle);
        rd_kafka_destroy(handle);
    }
};
using ConsumerPtr = std::unique_ptr<rd_kafka_t, ConsumerDeleter>;

// "what: <librdkafka's name for code>" as an Error.
inline Error error_from(std::string_view what, rd_kafka_resp_err_t code) {
    return fail("{}: {}", what, rd_kafka_err2str(code));
}

// Takes ownership of a librdkafka error object and turns it into an Error ("what: message").
inline Error error_from(std::string_view what, rd_kafka_error_t* error) {
    ErrorPtr owned(error);
    return fail("{}: {}", what, rd_kafka_error_string(owned.get()));
}

} // namespace mirrord::kafka

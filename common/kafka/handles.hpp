#pragma once
// Owning handles for librdkafka's C objects. Each alias destroys its object on scope exit.

#include <array>
#include <memory>

#include <librdkafka/rdkafka.h>

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
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                         Deleter<rd_kafka_topic_partition_list_destroy>>;
using AdminOptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t, Deleter<rd_kafka_AdminOptions_destroy>>;
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, Deleter<rd_kafka_NewTopic_destroy>>;
using DeleteTopicPtr =
    std::unique_ptr<rd_kafka_DeleteTopic_t, Deleter<rd_kafka_DeleteTopic_destroy>>;
using DeleteGroupPtr =
    std::unique_ptr<rd_kafka_DeleteGroup_t, Deleter<rd_kafka_DeleteGroup_destroy>>;
using MetadataPtr =
    std::unique_ptr<const rd_kafka_metadata_t, Deleter<rd_kafka_metadata_destroy>>;
// A consumer's group id, generation and member id, for send_offsets_to_transaction.
using GroupMetadataPtr = std::unique_ptr<rd_kafka_consumer_group_metadata_t,
                                         Deleter<rd_kafka_consumer_group_metadata_destroy>>;

// A producer or admin client handle; destroying it waits for librdkafka's threads to stop.
using ClientPtr = std::unique_ptr<rd_kafka_t, Deleter<rd_kafka_destroy>>;

// A consumer handle: leaves the group (commits, revokes) before it is destroyed, unless
// Consumer::close() already did. librdkafka: rd_kafka_consumer_close() blocks up to
// session.timeout.ms if the broker is gone, and runs the rebalance callback (revoke).
// librdkafka 2.0.2: after a fatal error, rd_kafka_destroy() of a consumer that was closed never
// returns (its main thread spins); a fenced member cannot leave its group anyway, so it is
// destroyed without closing.
struct ConsumerDeleter {
    void operator()(rd_kafka_t* handle) const noexcept {
        std::array<char, 8> reason{};
        if (rd_kafka_fatal_error(handle, reason.data(), reason.size()) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_destroy_flags(handle, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
            return;
        }
        if (!rd_kafka_consumer_closed(handle))
            rd_kafka_consumer_close(handle);
        rd_kafka_destroy(handle);
    }
};
using ConsumerPtr = std::unique_ptr<rd_kafka_t, ConsumerDeleter>;

} // namespace mirrord::kafka

// Consumer::on_rebalance: librdkafka's rebalance callback, which must (un)assign itself.

#include <cstring>

#include "common/core/log.hpp"
#include "common/kafka/consumer.hpp"

namespace mirrord::kafka {
namespace {

std::string describe(const TopicPartitions& partitions) {
    std::string text;
    for (const auto& p : partitions)
        text += fmt::format("{}{} [{}]", text.empty() ? "" : ", ", p.topic, p.partition);
    return text.empty() ? "none" : text;
}

void call_user(const RebalanceCallback& callback, const Rebalance& rebalance) {
    if (!callback)
        return;
    try {
        callback(rebalance);
    } catch (const std::exception& e) {
        log::warn("kafka rebalance callback failed: {}", e.what());
    } catch (...) {
        log::warn("kafka rebalance callback failed");
    }
}

// librdkafka: with a rebalance callback, the application must apply the change itself:
// assign/unassign for the eager protocol, incremental_(un)assign for the cooperative one.
void apply(rd_kafka_t* handle, bool assign, bool cooperative,
           rd_kafka_topic_partition_list_t* partitions) {
    if (cooperative) {
        rd_kafka_error_t* raw = assign ? rd_kafka_incremental_assign(handle, partitions)
                                       : rd_kafka_incremental_unassign(handle, partitions);
        if (raw != nullptr)
            log::warn("{}", KafkaError::from("applying kafka rebalance", raw).message());
        return;
    }
    rd_kafka_resp_err_t code = rd_kafka_assign(handle, assign ? partitions : nullptr);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        log::warn("{}", KafkaError::from("applying kafka rebalance", code).message());
}

} // namespace

void Consumer::on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t code,
                            rd_kafka_topic_partition_list_t* partitions, void* opaque) noexcept {
    try {
        const auto* callbacks = static_cast<const Callbacks*>(opaque);
        bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(handle), "COOPERATIVE") == 0;
        Rebalance rebalance{.partitions = from_list(partitions), .cooperative = cooperative};
        if (code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
            log::debug("kafka {}: assigned {}", rd_kafka_name(handle),
                       describe(rebalance.partitions));
            apply(handle, true, cooperative, partitions);
            call_user(callbacks->on_rebalance, rebalance);
            return;
        }
        if (code != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
            log::warn("{}", KafkaError::from("kafka rebalance", code).message());
        rebalance.kind = Rebalance::Kind::revoked;
        rebalance.lost = rd_kafka_assignment_lost(handle) != 0;
        log::debug("kafka {}: {} {}", rd_kafka_name(handle), rebalance.lost ? "lost" : "revoked",
                   describe(rebalance.partitions));
        call_user(callbacks->on_rebalance, rebalance);
        apply(handle, false, cooperative, partitions);
    } catch (...) {
        // Nothing may throw through librdkafka (an allocation failed while logging).
    }
}

} // namespace mirrord::kafka

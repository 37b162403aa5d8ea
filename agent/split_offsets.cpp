// Splitter::Engine: where reading starts on each partition. A partition's position is ours to
// set, never librdkafka's auto.offset.reset: after every assignment the engine asks the group's
// committed offset (a new leader resumes there) or, for a split that never committed, the
// partition's end (a new split never replays), and seeks there. Session start offsets are taken
// from these exact positions, so "where routing began" is never a guess.

#include <array>

#include "agent/split_engine.hpp"

#include "common/core/log.hpp"

namespace mirrord::agent {
namespace {

using namespace std::chrono_literals;
constexpr std::chrono::milliseconds offsets_timeout = 10s;

} // namespace

void Splitter::Engine::on_rebalance(const kafka::Rebalance& rebalance) {
    if (closing_ || failed_)
        return;
    if (rebalance.kind == kafka::Rebalance::Kind::assigned) {
        for (const auto& partition : rebalance.partitions)
            if (partition.topic == options_.original_topic)
                next_[partition.partition] = std::nullopt;
        resolve_needed_ = true;
        return;
    }
    // Revoked: commit while the partitions are still ours (the group's generation still
    // matches); lost ones cannot commit any more, so their work is aborted.
    if (transaction_open_) {
        if (rebalance.lost)
            handle(kafka::KafkaError("partitions lost", RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST, {}),
                   "rebalance");
        else
            commit();
    }
    for (const auto& partition : rebalance.partitions) {
        next_.erase(partition.partition);
        committed_.erase(partition.partition);
    }
}

bool Splitter::Engine::positions_complete() const {
    if (resolve_needed_ || static_cast<int>(next_.size()) < partition_count_)
        return false;
    for (const auto& [partition, next] : next_)
        if (!next)
            return false;
    return true;
}

void Splitter::Engine::resolve_positions() {
    kafka::TopicPartitions unresolved;
    for (const auto& [partition, next] : next_)
        if (!next)
            unresolved.push_back({options_.original_topic, partition, std::nullopt});
    resolve_needed_ = false;
    if (unresolved.empty())
        return;
    // The C call, not Consumer::committed: the metadata carries the previous leader's Resume.
    kafka::PartitionListPtr committed = kafka::to_list(unresolved);
    if (rd_kafka_resp_err_t code = rd_kafka_committed(consumer_->handle(), committed.get(),
                                                      static_cast<int>(offsets_timeout.count()));
        code != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log::debug("splitter {}: reading committed offsets: {} (retrying)", options_.split_key,
                   rd_kafka_err2str(code));
        resolve_needed_ = true;
        return;
    }
    std::map<int32_t, int64_t> targets;
    for (int i = 0; i < committed->cnt; ++i) {
        const rd_kafka_topic_partition_t& partition = committed->elems[i];
        if (partition.offset >= 0) {
            targets[partition.partition] = partition.offset;
            if (auto resume = decode(std::string_view(static_cast<const char*>(partition.metadata),
                                                      partition.metadata_size))) {
                resume_delivered(resume->delivered);
                resume_[partition.partition] = std::move(*resume);
            }
            continue;
        }
        int64_t low = 0;
        int64_t high = 0;
        rd_kafka_resp_err_t code = rd_kafka_query_watermark_offsets(
            consumer_->handle(), options_.original_topic.c_str(), partition.partition, &low, &high,
            static_cast<int>(offsets_timeout.count()));
        if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
            log::debug("splitter {}: end offset of {} [{}]: {} (retrying)", options_.split_key,
                       options_.original_topic, partition.partition, rd_kafka_err2str(code));
            resolve_needed_ = true;
            return;
        }
        targets[partition.partition] = high;
    }
    if (auto sought = seek(targets); !sought) {
        log::debug("splitter {}: {} (retrying)", options_.split_key, sought.error().message());
        resolve_needed_ = true;
        return;
    }
    for (const auto& [partition, offset] : targets) {
        next_[partition] = offset;
        committed_[partition] = offset;
        log::debug("splitter {}: {} [{}] starts at {}", options_.split_key,
                   options_.original_topic, partition, offset);
    }
}

void Splitter::Engine::resume_delivered(const std::map<std::string, uint64_t>& counts) {
    for (const auto& [id, count] : counts) {
        auto& known = resumed_delivered_[id];
        known = std::max(known, count);
        // Admitted before the positions were known (acknowledged by the previous leader).
        if (auto route = routes_.find(id); route != routes_.end())
            route->second.delivered = std::max(route->second.delivered, count);
    }
}

kafka::KafkaStatus Splitter::Engine::seek(const std::map<int32_t, int64_t>& offsets) {
    if (offsets.empty())
        return {};
    kafka::TopicPartitions partitions;
    for (const auto& [partition, offset] : offsets)
        partitions.push_back({options_.original_topic, partition, offset});
    kafka::PartitionListPtr list = kafka::to_list(partitions);
    // librdkafka: a seek bumps the partition's fetch version, so records fetched before it are
    // discarded rather than returned.
    if (rd_kafka_error_t* error = rd_kafka_seek_partitions(
            consumer_->handle(), list.get(), static_cast<int>(offsets_timeout.count())))
        return kafka::KafkaError::from("seeking the original topic", error);
    for (int i = 0; i < list->cnt; ++i)
        if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
            return kafka::KafkaError::from(
                fmt::format("seeking {} [{}]", list->elems[i].topic, list->elems[i].partition),
                list->elems[i].err);
    return {};
}

} // namespace mirrord::agent

#include "agent/fetch_waker.hpp"

#include "common/core/log.hpp"

namespace mirrord::agent {
namespace {

// The queue's length is read (under librdkafka's lock) once every so many records.
constexpr std::size_t check_every = 64;
constexpr int wake_timeout_ms = 5000;

} // namespace

FetchWaker::FetchWaker(rd_kafka_t* consumer, std::string topic, std::size_t max_records,
                       std::size_t max_bytes)
    : consumer_(consumer), topic_(std::move(topic)), queue_(rd_kafka_queue_get_consumer(consumer)),
      max_records_(max_records), max_bytes_(max_bytes),
      thread_([this](std::stop_token stop) { run(stop); }) {}

FetchWaker::~FetchWaker() {
    thread_.request_stop();
    if (thread_.joinable())
        thread_.join();
}

bool FetchWaker::consumed(std::size_t bytes) {
    average_bytes_ += (static_cast<double>(bytes) - average_bytes_) / 64;
    if (++since_check_ < check_every || !queue_)
        return false;
    since_check_ = 0;
    auto queued = static_cast<double>(rd_kafka_queue_length(queue_.get()));
    // librdkafka counts the records' values against queued.max.messages.kbytes.
    double fill = std::max(queued / static_cast<double>(max_records_),
                           queued * average_bytes_ / static_cast<double>(max_bytes_));
    if (fill >= 0.75)
        full_ = true;
    if (!full_ || fill > 0.25)
        return false;
    full_ = false;
    return true;
}

void FetchWaker::wake(std::vector<int32_t> partitions) {
    {
        std::lock_guard lock(mutex_);
        pending_ = std::move(partitions);
    }
    wanted_.notify_one();
}

void FetchWaker::run(std::stop_token stop) {
    while (!stop.stop_requested()) {
        std::vector<int32_t> partitions;
        {
            std::unique_lock lock(mutex_);
            if (!wanted_.wait(lock, stop, [this] { return !pending_.empty(); }))
                return;
            partitions.swap(pending_);
        }
        send(partitions);
    }
}

void FetchWaker::send(const std::vector<int32_t>& partitions) {
    kafka::PartitionListPtr list(
        rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    for (int32_t partition : partitions)
        // The latest offset: the cheapest lookup the broker has.
        rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset =
            RD_KAFKA_OFFSET_END;
    if (rd_kafka_resp_err_t code =
            rd_kafka_offsets_for_times(consumer_, list.get(), wake_timeout_ms);
        code != RD_KAFKA_RESP_ERR_NO_ERROR)
        log::debug("waking the fetchers of {}: {}", topic_, rd_kafka_err2str(code));
}

} // namespace mirrord::agent

#pragma once
// Keeps the splitter's prefetch small without starving it (librdkafka 2.0.2, Debian 12's).
//
// librdkafka fetches ahead until its queue holds queued.min.messages records or
// queued.max.messages.kbytes; then a broker thread stops fetching and decides again only when
// something wakes it, at the latest at the end of its serve cycle, up to 1 s later
// (rdkafka_fetcher.c: a full queue makes the fetch backoff "infinite"; rdkafka_broker.c:
// rd_kafka_max_block_ms; 2.2 added fetch.queue.backoff.ms for this). So at full speed the queue
// must hold about a second of records, some 120k at 200 B, ~50 MB of records and their ops. A
// queue of a fraction of that is drained long before the fetcher looks again, and throughput
// halves (scripts/bench-split).
//
// The waker bounds that wait: when the queue, having been nearly full, is down to a quarter,
// it sends a ListOffsets request for the assigned partitions (rd_kafka_offsets_for_times: one
// request per partition leader, the broker thread that fetches them). Queuing a request wakes
// that thread, and its loop then decides to fetch again. The request is sent from the waker's
// own thread, so the splitter's loop never waits for the round trip; it happens a few times a
// second at full speed, never when the queue stays short (live traffic, idle).

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "common/kafka/handles.hpp"

namespace mirrord::agent {

class FetchWaker {
public:
    // For `consumer` (which must outlive this) reading `topic`; `max_records` and `max_bytes`
    // are its queued.min.messages and queued.max.messages.kbytes in bytes.
    FetchWaker(rd_kafka_t* consumer, std::string topic, std::size_t max_records,
               std::size_t max_bytes);
    ~FetchWaker(); // joins the thread
    FetchWaker(const FetchWaker&) = delete;
    FetchWaker& operator=(const FetchWaker&) = delete;

    // Called by the loop after each record (`bytes`: its value's size); looks at the queue every
    // so many records. True when it ran low after being nearly full: then call wake().
    bool consumed(std::size_t bytes);
    // Wakes the fetchers of `partitions` (of the topic) from the waker's thread; returns at once.
    void wake(std::vector<int32_t> partitions);

private:
    void run(std::stop_token stop);
    void send(const std::vector<int32_t>& partitions);

    rd_kafka_t* consumer_;
    std::string topic_;
    kafka::QueuePtr queue_;
    std::size_t max_records_, max_bytes_;
    std::size_t since_check_ = 0;
    double average_bytes_ = 0; // of a record, for the queue's size in bytes
    bool full_ = false;        // the queue was near its limits since the last wake

    std::mutex mutex_;
    std::condition_variable_any wanted_;
    std::vector<int32_t> pending_; // partitions to wake; empty: nothing to do
    std::jthread thread_;          // last: started when the rest is ready
};

} // namespace mirrord::agent

#pragma once
// Header-only helpers for the splitter's integration tests against the testenv broker
// (KAFKA_BOOTSTRAP_SERVERS): scratch topics and groups deleted at the end, a producer of
// numbered records with `source` headers, and read_committed readers of session topics.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/must.hpp"

#include <unistd.h>

#include "agent/memory_registry.hpp"
#include "agent/splitter.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "tests/integration/support/wait.hpp"

namespace mirrord::split_testing {

using namespace std::chrono_literals;

inline std::string bootstrap() {
    const char* servers = std::getenv("KAFKA_BOOTSTRAP_SERVERS");
    return servers ? servers : "127.0.0.1:19092";
}

inline kafka::Properties broker() { return {{"bootstrap.servers", bootstrap()}}; }

inline std::string unique_name(const std::string& prefix) {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return fmt::format("{}-{}-{}", prefix, getpid(), now % 1000000000);
}

using mirrord::testing::must;

// Topics and groups of one test, created up front or later, all deleted when it ends.
class Scratch {
public:
    Scratch() : admin_(must(kafka::Admin::create(broker()))) {}
    ~Scratch() {
        for (const auto& topic : topics_)
            (void)admin_.delete_topic(topic, 10s);
        (void)admin_.delete_consumer_groups(groups_, 10s);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    // A new topic `prefix`-<unique>. Never a "mirrord-tmp-<x>-..." prefix: `mirrord reset` (the
    // e2e tests run it on the same broker) deletes such topics when no session <x> exists.
    std::string topic(const std::string& prefix, int partitions) {
        std::string name = unique_name(prefix);
        create(name, partitions);
        return name;
    }
    // Creates a topic named ahead (a session topic exec creates late) and waits for its metadata.
    void create(const std::string& name, int partitions) {
        must(admin_.ensure_topic(name, partitions, 30s));
        topics_.insert(name);
        REQUIRE(testing::wait_until(30s, [&] {
            auto count = admin_.partition_count(name, 5s);
            return count && *count == partitions;
        }));
    }
    // Remembers a name to delete at the end (a topic or group created by someone else).
    void own_topic(const std::string& name) { topics_.insert(name); }
    std::string group(const std::string& prefix) {
        groups_.push_back(unique_name(prefix));
        return groups_.back();
    }
    void own_group(const std::string& name) { groups_.push_back(name); }
    kafka::Admin& admin() { return admin_; }

private:
    kafka::Admin admin_;
    std::set<std::string> topics_;
    std::vector<std::string> groups_;
};

// The `source` header of record i: a spread over five values and a missing header.
inline std::optional<std::string> source_of(int i) {
    static const std::vector<std::string> sources = {"test-a", "test-b", "prod", "alpha-test",
                                                     "test-a-x"};
    if (i % 6 == 5)
        return std::nullopt;
    return sources[static_cast<size_t>(i % 6)];
}

// The timestamp of record 0: this process's start. A fixed one in the past (2023, as before)
// is older than the broker's retention (7 days): its retention check, every 5 minutes, then
// deleted the head of a topic in the middle of a test, and reading the topic back came short.
inline int64_t first_timestamp_ms() {
    static const int64_t first = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
    return first;
}

// Record i of a run: key k<i>, value v<i>-<run>, headers id and source, timestamp
// first_timestamp_ms() + i, and partition i % partitions.
inline kafka::OutgoingMessage numbered(const std::string& topic, int i, int partitions,
                                       const std::string& run = "r") {
    kafka::OutgoingMessage message{.topic = topic,
                                   .key = fmt::format("k{}", i),
                                   .value = fmt::format("v{}-{}", i, run),
                                   .headers = {{"id", std::to_string(i)}},
                                   .partition = i % partitions,
                                   .timestamp_ms = first_timestamp_ms() + i};
    if (auto source = source_of(i))
        message.headers.push_back({"source", *source});
    return message;
}

inline std::optional<std::string> header(const kafka::Message& message, const std::string& name) {
    for (const auto& h : message.headers)
        if (h.name == name)
            return h.value;
    return std::nullopt;
}

inline int id_of(const kafka::Message& message) {
    auto id = header(message, "id");
    return id ? std::stoi(*id) : -1;
}

// Produces records `from`..`to`-1 at about `rate` per second on a thread; stop() joins.
class Flow {
public:
    Flow(std::string topic, int partitions, int from, int to, int rate)
        : thread_([=, this] {
              kafka::Producer producer = must(kafka::Producer::create(broker()));
              auto next = std::chrono::steady_clock::now();
              for (int i = from; i < to && !stop_; ++i) {
                  must(producer.produce(numbered(topic, i, partitions)));
                  produced_ = i + 1;
                  next += std::chrono::microseconds(1'000'000 / rate);
                  std::this_thread::sleep_until(next);
              }
              must(producer.flush(30s));
          }) {}
    ~Flow() { stop(); }
    void stop() {
        stop_ = true;
        if (thread_.joinable())
            thread_.join();
    }
    int produced() const { return produced_; }

private:
    std::atomic<bool> stop_{false};
    std::atomic<int> produced_{0};
    std::thread thread_;
};

inline void produce_all(const std::string& topic, int partitions, int from, int to,
                        const std::string& run = "r") {
    kafka::Producer producer = must(kafka::Producer::create(broker()));
    for (int i = from; i < to; ++i)
        must(producer.produce(numbered(topic, i, partitions, run)));
    must(producer.flush(30s));
}

// A group consumer as an app runs it: subscribed, auto.offset.reset=latest (the default),
// read_committed so copies of aborted transactions never show.
inline kafka::Consumer app_consumer(const std::string& topic, const std::string& group) {
    kafka::Properties properties = broker();
    properties.insert(properties.end(), {{"group.id", group},
                                         {"auto.offset.reset", "latest"},
                                         {"isolation.level", "read_committed"}});
    kafka::Consumer consumer = must(kafka::Consumer::create(properties));
    must(consumer.subscribe({topic}));
    return consumer;
}

// Polls `consumer` until `expected` records arrived (or `deadline`), then for `quiet` more to
// catch duplicates.
inline std::vector<kafka::Message> collect(kafka::Consumer& consumer, size_t expected,
                                           std::chrono::seconds deadline,
                                           std::chrono::milliseconds quiet = 1500ms) {
    std::vector<kafka::Message> records;
    auto until = std::chrono::steady_clock::now() + deadline;
    while (records.size() < expected && std::chrono::steady_clock::now() < until)
        if (auto record = must(consumer.poll_message(100ms)))
            records.push_back(std::move(*record));
    auto quiet_until = std::chrono::steady_clock::now() + quiet;
    while (std::chrono::steady_clock::now() < quiet_until)
        if (auto record = must(consumer.poll_message(100ms)))
            records.push_back(std::move(*record));
    return records;
}

// Every record of all partitions from the start, read_committed, outside any group, until no
// record came for `quiet` (after at least `expected` arrived or `deadline` passed).
inline std::vector<kafka::Message> read_all(const std::string& topic, int partitions,
                                            size_t expected, std::chrono::seconds deadline,
                                            std::chrono::milliseconds quiet = 1500ms) {
    kafka::Properties properties = broker();
    properties.insert(properties.end(), {{"group.id", unique_name("split-reader")},
                                         {"isolation.level", "read_committed"},
                                         {"enable.auto.commit", "false"}});
    kafka::Consumer reader = must(kafka::Consumer::create(properties));
    kafka::TopicPartitions all;
    for (int p = 0; p < partitions; ++p)
        all.push_back({topic, p, RD_KAFKA_OFFSET_BEGINNING});
    must(reader.assign(all));
    return collect(reader, expected, deadline, quiet);
}

// An app's consumer (app_consumer) polling on its own thread from the moment it is created, as
// a real app's poll loop does: a consumer's group assignment is applied only when it polls.
class Collector {
public:
    Collector(const std::string& topic, const std::string& group)
        : consumer_(app_consumer(topic, group)), thread_([this] {
              while (!stop_) {
                  auto record = consumer_.poll_message(100ms);
                  if (!record) {
                      FAIL_CHECK(record.error().message());
                      return;
                  }
                  if (*record) {
                      std::lock_guard lock(mutex_);
                      records_.push_back(std::move(**record));
                  }
              }
          }) {}
    ~Collector() { stop(); }
    Collector(const Collector&) = delete;
    Collector& operator=(const Collector&) = delete;

    // Waits until `expected` records arrived (or `deadline`), then `quiet` more for duplicates.
    std::vector<kafka::Message> records(size_t expected, std::chrono::seconds deadline,
                                        std::chrono::milliseconds quiet = 1500ms) {
        testing::wait_until(deadline, [&] { return size() >= expected; });
        std::this_thread::sleep_for(quiet);
        std::lock_guard lock(mutex_);
        return records_;
    }
    size_t size() const {
        std::lock_guard lock(mutex_);
        return records_.size();
    }
    void stop() {
        stop_ = true;
        if (thread_.joinable())
            thread_.join();
    }

private:
    kafka::Consumer consumer_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<kafka::Message> records_;
    std::thread thread_;
};

// The ids of the records, in order of arrival (duplicates kept).
inline std::multiset<int> ids(const std::vector<kafka::Message>& records) {
    std::multiset<int> all;
    for (const auto& record : records)
        all.insert(id_of(record));
    return all;
}

inline agent::SplitterOptions options_for(const std::string& topic, const std::string& key) {
    agent::SplitterOptions options;
    options.original_topic = topic;
    options.properties = {{"bootstrap.servers", bootstrap()}};
    options.split_key = key;
    return options;
}

// The ids of the original topic's records that a session with start offsets `start` and the
// filter `matches` must receive, from a read of the whole topic.
inline std::multiset<int> expected_after(const std::vector<kafka::Message>& original,
                                         const std::map<int32_t, int64_t>& start,
                                         bool (*matches)(const kafka::Message&)) {
    std::multiset<int> ids;
    for (const auto& record : original)
        if (record.offset >= start.at(record.partition) && matches(record))
            ids.insert(id_of(record));
    return ids;
}

// The filter {"source": "^test-"}.
inline bool test_sources(const kafka::Message& record) {
    auto source = header(record, "source");
    return source && source->starts_with("test-");
}

// Per partition, for a failed count: "p0: 1200 records, offsets 0..1199; ...".
inline std::string partition_summary(const std::vector<kafka::Message>& records) {
    std::map<int32_t, std::pair<size_t, std::pair<int64_t, int64_t>>> parts;
    for (const auto& record : records) {
        auto [it, added] = parts.try_emplace(record.partition, 0,
                                             std::pair{record.offset, record.offset});
        ++it->second.first;
        it->second.second.first = std::min(it->second.second.first, record.offset);
        it->second.second.second = std::max(it->second.second.second, record.offset);
    }
    std::string text;
    for (const auto& [partition, part] : parts)
        text += fmt::format("p{}: {} records, offsets {}..{}; ", partition, part.first,
                            part.second.first, part.second.second);
    return text;
}

// Every record `flow` produced to `topic`, read back after flow.stop(): the ground truth the
// copies are checked against. Short, it fails the test with a per-partition summary (a head
// deleted by retention shows as offsets not starting at 0: first_timestamp_ms says why).
inline std::vector<kafka::Message> read_produced(const std::string& topic, int partitions,
                                                 const Flow& flow) {
    auto expected = static_cast<size_t>(flow.produced());
    auto all = read_all(topic, partitions, expected, 60s);
    INFO("the original topic: " << partition_summary(all));
    REQUIRE(all.size() == expected);
    return all;
}

} // namespace mirrord::split_testing

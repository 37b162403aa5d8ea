#pragma once
// librdkafka's in-process mock cluster for the common/kafka unit tests (no network beyond
// loopback listeners librdkafka opens itself). Its topics are made with rd_kafka_mock_topic_create:
// the mock answers no CreateTopics/DeleteTopics/ListGroups/DeleteGroups (librdkafka 2.0.2).

#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <string>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "tests/support/must.hpp"
#include "common/kafka/config.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/error.hpp"
#include "common/kafka/handles.hpp"

namespace mirrord::kafka::testing {

// Kafka protocol API keys (rdkafka_mock.h takes them as plain ints).
constexpr int16_t api_produce = 0;
constexpr int16_t api_init_producer_id = 22;
constexpr int16_t api_add_partitions_to_txn = 24;
constexpr int16_t api_end_txn = 26;

using mirrord::testing::must; // tests/support/must.hpp

class MockCluster {
public:
    explicit MockCluster(int brokers = 1) {
        std::array<char, 512> errstr{};
        ConfPtr conf(rd_kafka_conf_new());
        rd_kafka_conf_set(conf.get(), "test.mock.num.brokers", std::to_string(brokers).c_str(),
                          errstr.data(), errstr.size());
        // The mock announces itself at notice level; keep test output quiet.
        rd_kafka_conf_set(conf.get(), "log_level", "3", errstr.data(), errstr.size());
        owner_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size()));
        REQUIRE(owner_);
        conf.release();
        cluster_ = rd_kafka_handle_mock_cluster(owner_.get());
        REQUIRE(cluster_ != nullptr);
    }

    rd_kafka_mock_cluster_t* get() const { return cluster_; }
    std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

    void create_topic(const std::string& name, int partitions) {
        REQUIRE(rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1) ==
                RD_KAFKA_RESP_ERR_NO_ERROR);
    }

    Properties properties(Properties extra = {}) const {
        Properties all{{"bootstrap.servers", bootstrap()}};
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    }

private:
    ClientPtr owner_; // the cluster lives as long as this handle
    rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

// Polls until `count` records arrived or `deadline` passed; fatal errors fail the test.
inline std::vector<Message> consume(Consumer& consumer, size_t count,
                                    std::chrono::milliseconds deadline) {
    std::vector<Message> records;
    auto until = std::chrono::steady_clock::now() + deadline;
    while (records.size() < count && std::chrono::steady_clock::now() < until) {
        auto record = must(consumer.poll_message(std::chrono::milliseconds(100)));
        if (record)
            records.push_back(std::move(*record));
    }
    return records;
}

} // namespace mirrord::kafka::testing

namespace mirrord::kafka::testing {

// A consumer of `topic` in `group`, reading from the start, subscribed.
inline Consumer subscribed(const MockCluster& cluster, const std::string& topic,
                           const std::string& group, Properties extra = {},
                           RebalanceCallback on_rebalance = {}) {
    Properties properties = cluster.properties({{"group.id", group},
                                                {"auto.offset.reset", "earliest"},
                                                {"enable.auto.commit", "false"}});
    properties.insert(properties.end(), extra.begin(), extra.end());
    Consumer consumer = must(Consumer::create(properties, std::move(on_rebalance)));
    must(consumer.subscribe({topic}));
    return consumer;
}

// A consumer that reads partitions 0..count-1 of `topic` from the start, without joining a group
// (which takes the mock ~3 s).
inline Consumer reader(const MockCluster& cluster, const std::string& topic, int partitions = 1,
                       const std::string& isolation = "read_committed") {
    Properties properties = cluster.properties(
        {{"group.id", "reader"}, {"isolation.level", isolation}, {"enable.auto.commit", "false"}});
    Consumer consumer = must(Consumer::create(properties));
    TopicPartitions all;
    for (int p = 0; p < partitions; ++p)
        all.push_back({topic, p, RD_KAFKA_OFFSET_BEGINNING});
    must(consumer.assign(all));
    return consumer;
}

} // namespace mirrord::kafka::testing

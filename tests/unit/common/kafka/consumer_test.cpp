// Consumer group mechanics a relay relies on: the rebalance callback for both protocols, the
// assignment, positions and committed offsets, closing. On librdkafka's mock cluster.

#include <algorithm>
#include <stdexcept>

#include "tests/unit/common/kafka/mock_cluster.hpp"

#include "common/kafka/producer.hpp"

using namespace mirrord;
using namespace mirrord::kafka;
using namespace mirrord::kafka::testing;
using namespace std::chrono_literals;

namespace {

TopicPartitions sorted(TopicPartitions partitions) {
    std::sort(partitions.begin(), partitions.end(), [](const auto& a, const auto& b) {
        return a.partition < b.partition;
    });
    return partitions;
}

// Polls until the callback has seen `count` rebalances or the deadline passed.
void poll_until(Consumer& consumer, const std::vector<Rebalance>& seen, size_t count) {
    auto until = std::chrono::steady_clock::now() + 20s;
    while (seen.size() < count && std::chrono::steady_clock::now() < until)
        (void)must(consumer.poll(100ms));
}

} // namespace

TEST_CASE("kafka::Consumer rebalance", "[kafka]") {
    MockCluster cluster;
    cluster.create_topic("in", 2);
    const TopicPartitions both{{"in", 0, std::nullopt}, {"in", 1, std::nullopt}};
    std::vector<Rebalance> seen;
    // It throws after recording: librdkafka must still get its (incremental) assign/unassign.
    auto on_rebalance = [&](const Rebalance& rebalance) {
        seen.push_back(rebalance);
        throw std::runtime_error("callback failed");
    };

    for (const char* strategy : {"range", "cooperative-sticky"}) {
        bool cooperative = std::string(strategy) == "cooperative-sticky";
        DYNAMIC_SECTION("with " << strategy << ": assigned, then revoked on close") {
            Consumer consumer = subscribed(cluster, "in", std::string("group-") + strategy,
                                           {{"partition.assignment.strategy", strategy}},
                                           on_rebalance);
            poll_until(consumer, seen, 1);
            REQUIRE(seen.size() == 1);
            CHECK(seen[0].kind == Rebalance::Kind::assigned);
            CHECK(seen[0].cooperative == cooperative);
            CHECK(sorted(seen[0].partitions) == both);
            CHECK(sorted(must(consumer.assignment())) == both);

            must(consumer.close());
            REQUIRE(seen.size() == 2);
            CHECK(seen[1].kind == Rebalance::Kind::revoked);
            CHECK_FALSE(seen[1].lost);
            CHECK(sorted(seen[1].partitions) == both);
        }
    }
}

TEST_CASE("kafka::Consumer offsets", "[kafka]") {
    MockCluster cluster;
    cluster.create_topic("in", 2);
    Producer producer = must(Producer::create(cluster.properties()));
    for (int i = 0; i < 5; ++i)
        must(producer.produce({.topic = "in", .key = {}, .value = "r", .headers = {},
                               .partition = i % 2, .timestamp_ms = {}}));
    must(producer.flush(10s));

    SECTION("positions are the next offsets to consume, and commit(positions) stores them") {
        Consumer consumer = subscribed(cluster, "in", "offsets");
        REQUIRE(consume(consumer, 5, 20s).size() == 5);
        TopicPartitions positions = sorted(must(consumer.positions()));
        CHECK(positions == TopicPartitions{{"in", 0, 3}, {"in", 1, 2}});
        must(consumer.commit(positions));

        Consumer other = must(Consumer::create(cluster.properties({{"group.id", "offsets"}})));
        CHECK(sorted(must(other.committed(positions, 10s))) == positions);
        Consumer stranger = must(Consumer::create(cluster.properties({{"group.id", "none"}})));
        CHECK(must(stranger.committed(positions, 10s)) ==
              TopicPartitions{{"in", 0, std::nullopt}, {"in", 1, std::nullopt}});
    }

    SECTION("group metadata is available for send_offsets_to_transaction") {
        Consumer consumer = must(Consumer::create(cluster.properties({{"group.id", "meta"}})));
        CHECK(must(consumer.group_metadata()) != nullptr);
    }

    SECTION("end of partition is an event, not an error") {
        Consumer consumer = must(Consumer::create(cluster.properties(
            {{"group.id", "eof"}, {"enable.partition.eof", "true"}})));
        must(consumer.assign({{"in", 1, RD_KAFKA_OFFSET_BEGINNING}}));
        std::optional<PartitionEnd> end;
        size_t records = 0;
        auto until = std::chrono::steady_clock::now() + 20s;
        while (!end && std::chrono::steady_clock::now() < until) {
            ConsumerEvent event = must(consumer.poll(100ms));
            records += std::holds_alternative<Message>(event) ? 1 : 0;
            if (auto* reached = std::get_if<PartitionEnd>(&event))
                end = *reached;
        }
        REQUIRE(end);
        CHECK(records == 2);
        CHECK(end->topic == "in");
        CHECK(end->partition == 1);
        CHECK(end->offset == 2);
    }
}

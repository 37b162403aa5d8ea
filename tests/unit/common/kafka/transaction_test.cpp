// The queue-splitting relay's loop on librdkafka's mock cluster: consume with its own group,
// produce copies and send the consumed offsets in one transaction, then commit or abort.
// The mock (librdkafka 2.0.2, and later ones) acknowledges TxnOffsetCommit without storing the
// offsets, so that the offsets are committed with the transaction is checked against the real
// broker in tests/testenv/kafka_test.cpp.

#include "tests/unit/common/kafka/mock_cluster.hpp"

#include "common/kafka/producer.hpp"

using namespace mirrord;
using namespace mirrord::kafka;
using namespace mirrord::kafka::testing;
using namespace std::chrono_literals;

namespace {

void produce_originals(const MockCluster& cluster, int count) {
    Producer producer = must(Producer::create(cluster.properties()));
    for (int i = 0; i < count; ++i)
        must(producer.produce({.topic = "original", .key = fmt::format("k{}", i),
                               .value = fmt::format("v{}", i), .headers = {{"n", "1"}},
                               .partition = {}, .timestamp_ms = {}}));
    must(producer.flush(10s));
}

// One relay transaction: copies `count` records of "original" to "session" and commits the
// offsets in the relay's group with them, or aborts.
void relay(const MockCluster& cluster, int count, bool commit) {
    Consumer consumer =
        subscribed(cluster, "original", "relay", {{"isolation.level", "read_committed"}});
    Producer producer =
        must(Producer::create(cluster.properties({{"transactional.id", "relay-txn"}})));
    must(producer.init_transactions(10s));
    must(producer.begin_transaction());
    for (const Message& record : consume(consumer, static_cast<size_t>(count), 20s))
        must(producer.produce(forward(record, "session")));
    TopicPartitions offsets = must(consumer.positions());
    REQUIRE(offsets == TopicPartitions{{"original", 0, count}});
    must(producer.send_offsets_to_transaction(offsets, must(consumer.group_metadata()), 10s));
    if (commit)
        must(producer.commit_transaction(10s));
    else
        must(producer.abort_transaction(10s));
}

} // namespace

TEST_CASE("kafka::Producer transactions", "[kafka]") {
    MockCluster cluster;
    cluster.create_topic("original", 1);
    cluster.create_topic("session", 1);
    produce_originals(cluster, 5);

    SECTION("a committed transaction with the consumed offsets makes the copies visible") {
        relay(cluster, 5, true);
        Consumer copies_reader = reader(cluster, "session");
        std::vector<Message> copies = consume(copies_reader, 5, 20s);
        REQUIRE(copies.size() == 5);
        for (int i = 0; i < 5; ++i) {
            CHECK(copies[static_cast<size_t>(i)].key == fmt::format("k{}", i));
            CHECK(copies[static_cast<size_t>(i)].value == fmt::format("v{}", i));
        }
    }

    SECTION("an aborted transaction leaves no visible copies") {
        relay(cluster, 5, false);
        // A marker committed afterwards: once it is read, anything visible was read too.
        Producer marker =
            must(Producer::create(cluster.properties({{"transactional.id", "marker"}})));
        must(marker.init_transactions(10s));
        must(marker.begin_transaction());
        must(marker.produce({.topic = "session", .key = {}, .value = "marker", .headers = {},
                             .partition = {}, .timestamp_ms = {}}));
        must(marker.commit_transaction(10s));

        Consumer copies_reader = reader(cluster, "session");
        std::vector<Message> visible = consume(copies_reader, 1, 20s);
        REQUIRE(visible.size() == 1);
        CHECK(visible[0].value == "marker");
    }
}

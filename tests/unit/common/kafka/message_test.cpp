// Records keep what the relay must copy: null vs empty keys and values, header order and null
// header values, timestamps, partitions. Round trips through librdkafka's mock cluster.

#include "tests/unit/common/kafka/mock_cluster.hpp"

#include "common/kafka/producer.hpp"

using namespace mirrord;
using namespace mirrord::kafka;
using namespace mirrord::kafka::testing;
using namespace std::chrono_literals;

TEST_CASE("kafka::Message round trip", "[kafka]") {
    MockCluster cluster;
    cluster.create_topic("records", 3);
    Producer producer = must(Producer::create(cluster.properties()));

    SECTION("null stays null, empty stays empty, headers keep order, timestamp and partition") {
        std::vector<OutgoingMessage> sent{
            {.topic = "records", .key = std::nullopt, .value = std::nullopt, .headers = {},
             .partition = 0, .timestamp_ms = 1'700'000'000'001},
            {.topic = "records", .key = "", .value = "", .headers = {{"h", ""}},
             .partition = 0, .timestamp_ms = 1'700'000'000'002},
            {.topic = "records", .key = "k", .value = "v",
             .headers = {{"b", "2"}, {"a", std::nullopt}, {"b", "1"}},
             .partition = 0, .timestamp_ms = 1'700'000'000'003},
        };
        for (const auto& message : sent)
            must(producer.produce(message));
        must(producer.flush(10s));

        Consumer consumer = reader(cluster, "records", 3);
        std::vector<Message> got = consume(consumer, sent.size(), 20s);
        REQUIRE(got.size() == sent.size());
        for (size_t i = 0; i < sent.size(); ++i) {
            INFO("record " << i);
            CHECK(got[i].topic == "records");
            CHECK(got[i].partition == 0);
            CHECK(got[i].offset == static_cast<std::int64_t>(i));
            CHECK(got[i].key == sent[i].key);
            CHECK(got[i].value == sent[i].value);
            CHECK(got[i].headers == sent[i].headers);
            CHECK(got[i].timestamp ==
                  Timestamp{TimestampType::create_time, *sent[i].timestamp_ms});
        }
    }

    SECTION("forward() copies a consumed record to another topic unchanged") {
        cluster.create_topic("copies", 3);
        must(producer.produce({.topic = "records", .key = std::nullopt, .value = "payload",
                               .headers = {{"x-session", "alice"}, {"n", std::nullopt}},
                               .partition = 2, .timestamp_ms = 1'600'000'000'000}));
        must(producer.flush(10s));
        Consumer source = reader(cluster, "records", 3);
        std::vector<Message> original = consume(source, 1, 20s);
        REQUIRE(original.size() == 1);

        must(producer.produce(forward(original[0], "copies")));
        must(producer.flush(10s));
        Consumer sink = reader(cluster, "copies", 3);
        std::vector<Message> copy = consume(sink, 1, 20s);
        REQUIRE(copy.size() == 1);
        CHECK(copy[0].topic == "copies");
        CHECK(copy[0].partition == 2);
        CHECK(copy[0].key == std::nullopt);
        CHECK(copy[0].value == "payload");
        CHECK(copy[0].headers == original[0].headers);
        CHECK(copy[0].timestamp == original[0].timestamp);
    }
}

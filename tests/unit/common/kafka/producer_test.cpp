// Producer ownership: queued records survive moves and destruction (bounded flush), a
// moved-from producer does nothing.

#include "tests/unit/common/kafka/mock_cluster.hpp"

#include "common/kafka/producer.hpp"

using namespace mirrord;
using namespace mirrord::kafka;
using namespace mirrord::kafka::testing;
using namespace std::chrono_literals;

namespace {

OutgoingMessage record(const std::string& value) {
    return {.topic = "out", .key = {}, .value = value, .headers = {}, .partition = 0,
            .timestamp_ms = {}};
}

std::vector<std::string> values(const std::vector<Message>& records) {
    std::vector<std::string> out;
    for (const auto& r : records)
        out.push_back(r.value.value_or("(null)"));
    return out;
}

} // namespace

TEST_CASE("kafka::Producer ownership", "[kafka]") {
    MockCluster cluster;
    cluster.create_topic("out", 1);
    // Records wait up to 10 s in the queue: only a flush sends them before the test ends.
    Properties lingering = cluster.properties({{"linger.ms", "10000"}});

    SECTION("assigning over a producer first delivers the records it had queued") {
        Producer first = must(Producer::create(lingering));
        Producer second = must(Producer::create(lingering));
        must(first.produce(record("queued in the first")));
        first = std::move(second);
        must(first.produce(record("queued in the second")));
        must(first.flush(10s));

        Consumer consumer = reader(cluster, "out", 1, "read_uncommitted");
        CHECK(values(consume(consumer, 2, 20s)) ==
              std::vector<std::string>{"queued in the first", "queued in the second"});
    }

    SECTION("a moved-from producer holds nothing; the new owner delivers on destruction") {
        Producer original = must(Producer::create(lingering));
        must(original.produce(record("moved along")));
        {
            Producer owner(std::move(original));
            CHECK(original.handle() == nullptr);
            CHECK(owner.handle() != nullptr);
        } // flushes here, within close_timeout
        Consumer consumer = reader(cluster, "out", 1, "read_uncommitted");
        CHECK(values(consume(consumer, 1, 20s)) == std::vector<std::string>{"moved along"});
    }
}

TEST_CASE("kafka::Producer refused records", "[kafka]") {
    MockCluster cluster;
    cluster.create_topic("out", 1);
    Producer producer = must(Producer::create(cluster.properties()));
    must(producer.produce(record("learns the topic")));
    must(producer.flush(10s));

    SECTION("a record with headers for a partition the topic lacks is an error, not a crash") {
        // As when a session topic is deleted under the splitter: librdkafka's partitioner
        // refuses the record at once.
        OutgoingMessage refused = record("refused");
        refused.partition = 5;
        refused.headers = {{"source", "test-a"}, {"empty", std::nullopt}};
        auto produced = producer.produce(refused);
        REQUIRE_FALSE(produced);
        CHECK(produced.error().code() == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION);
        // The producer is still usable, headers and all.
        OutgoingMessage next = record("after");
        next.headers = {{"source", "test-b"}};
        must(producer.produce(next));
        must(producer.flush(10s));
        Consumer consumer = reader(cluster, "out", 1, "read_uncommitted");
        auto records = consume(consumer, 2, 20s);
        REQUIRE(records.size() == 2);
        CHECK(records[1].value == "after");
        REQUIRE(records[1].headers.size() == 1);
        CHECK(records[1].headers[0].value == "test-b");
    }
}

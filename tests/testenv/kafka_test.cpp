// Kafka of the real test environment (scripts/testenv up), through common/kafka.
// Each test uses its own topic and consumer group, and deletes the topic when done.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "tests/support/must.hpp"

using namespace mirrord;
using mirrord::testing::must;
using namespace mirrord::kafka;
using namespace std::chrono_literals;

namespace {

std::string bootstrap() {
    const char* servers = std::getenv("KAFKA_BOOTSTRAP_SERVERS");
    return servers ? servers : "127.0.0.1:19092";
}

// A name no other test run uses: prefix-pid-clock.
std::string unique_name(const std::string& prefix) {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return fmt::format("{}-{}-{}", prefix, getpid(), now);
}

// Creates a topic for one test and deletes it when the test ends.
class ScratchTopic {
public:
    explicit ScratchTopic(const std::string& prefix, int partitions = 1)
        : admin_(must(Admin::create({{"bootstrap.servers", bootstrap()}}))),
          name_(unique_name(prefix)) {
        must(admin_.ensure_topic(name_, partitions, 30s));
    }
    ~ScratchTopic() { (void)admin_.delete_topic(name_, 10s); }
    ScratchTopic(const ScratchTopic&) = delete;
    ScratchTopic& operator=(const ScratchTopic&) = delete;

    const std::string& name() const { return name_; }
    Admin& admin() { return admin_; }

private:
    Admin admin_;
    std::string name_;
};

Consumer subscribed_consumer(const std::string& topic, const std::string& isolation,
                             const std::string& group = unique_name("testenv-group")) {
    Consumer consumer = must(Consumer::create({{"bootstrap.servers", bootstrap()},
                                               {"group.id", group},
                                               {"auto.offset.reset", "earliest"},
                                               {"enable.auto.commit", "false"},
                                               {"isolation.level", isolation}}));
    must(consumer.subscribe({topic}));
    return consumer;
}

// Polls until one record arrives or the deadline passes.
std::optional<Message> first_record(Consumer& consumer, std::chrono::seconds deadline) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        auto record = must(consumer.poll_message(200ms));
        if (record)
            return record;
    }
    return std::nullopt;
}

} // namespace

TEST_CASE("kafka round trip", "[testenv][kafka]") {
    SECTION("a record produced with a key and headers is consumed with the same bytes") {
        ScratchTopic topic("testenv-roundtrip");
        Producer producer = must(Producer::create({{"bootstrap.servers", bootstrap()}}));
        OutgoingMessage sent{.topic = topic.name(),
                             .key = "order-17",
                             .value = "{\"amount\": 3}",
                             .headers = {{"x-pg-tenant", "test-a"}, {"x-empty", std::nullopt}},
                             .partition = std::nullopt,
                             .timestamp_ms = 1'700'000'000'000};
        must(producer.produce(sent));
        must(producer.flush(30s));

        Consumer consumer = subscribed_consumer(topic.name(), "read_uncommitted");
        auto record = first_record(consumer, 30s);
        REQUIRE(record);
        CHECK(record->topic == topic.name());
        CHECK(record->key == sent.key);
        CHECK(record->value == sent.value);
        CHECK(record->headers == sent.headers);
        CHECK(record->timestamp == Timestamp{TimestampType::create_time, 1'700'000'000'000});
        must(consumer.commit());
    }
}

TEST_CASE("kafka transactions", "[testenv][kafka]") {
    SECTION("a read_committed consumer sees the committed record and not the aborted one") {
        ScratchTopic topic("testenv-txn");
        Producer producer =
            must(Producer::create({{"bootstrap.servers", bootstrap()},
                                   {"transactional.id", unique_name("testenv-txn")}}));
        must(producer.init_transactions(30s));

        // Aborted first: had it been visible, it would arrive before the committed one.
        must(producer.begin_transaction());
        must(producer.produce({.topic = topic.name(), .key = {}, .value = "aborted",
                               .headers = {}, .partition = {}, .timestamp_ms = {}}));
        must(producer.flush(30s));
        must(producer.abort_transaction(30s));

        must(producer.begin_transaction());
        must(producer.produce({.topic = topic.name(), .key = {}, .value = "committed",
                               .headers = {{"txn", "1"}}, .partition = {},
                               .timestamp_ms = {}}));
        must(producer.commit_transaction(30s));

        Consumer consumer = subscribed_consumer(topic.name(), "read_committed");
        auto record = first_record(consumer, 30s);
        REQUIRE(record);
        CHECK(record->value == "committed");
        CHECK(record->headers == std::vector<Header>{{"txn", "1"}});
    }
}

TEST_CASE("kafka errors", "[testenv][kafka]") {
    SECTION("an unknown property is reported by name") {
        auto producer = Producer::create({{"bootstrap.servers", bootstrap()}, {"no.such", "1"}});
        REQUIRE_FALSE(producer);
        CHECK_THAT(producer.error().message(), Catch::Contains("no.such"));
    }
    SECTION("an invalid value is reported with the property's name") {
        auto consumer = Consumer::create({{"group.id", "g"}, {"session.timeout.ms", "soon"}});
        REQUIRE_FALSE(consumer);
        CHECK_THAT(consumer.error().message(), Catch::Contains("session.timeout.ms"));
    }
}

namespace {

// The records of one session topic a read_committed consumer sees within `deadline`, after a
// committed marker record (so everything visible before it was read).
std::vector<std::string> visible_values(const std::string& topic, std::chrono::seconds deadline) {
    Producer marker = must(Producer::create(
        {{"bootstrap.servers", bootstrap()}, {"transactional.id", unique_name("marker")}}));
    must(marker.init_transactions(30s));
    must(marker.begin_transaction());
    must(marker.produce({.topic = topic, .key = {}, .value = "marker", .headers = {},
                         .partition = 0, .timestamp_ms = {}}));
    must(marker.commit_transaction(30s));

    Consumer consumer = subscribed_consumer(topic, "read_committed");
    std::vector<std::string> values;
    auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        auto record = must(consumer.poll_message(200ms));
        if (!record)
            continue;
        if (record->value == "marker")
            break;
        values.push_back(record->value.value_or("(null)"));
    }
    return values;
}

std::optional<std::int64_t> committed_offset(const std::string& group, const std::string& topic) {
    Consumer probe =
        must(Consumer::create({{"bootstrap.servers", bootstrap()}, {"group.id", group}}));
    TopicPartitions committed = must(probe.committed({{topic, 0, std::nullopt}}, 30s));
    REQUIRE(committed.size() == 1);
    return committed[0].offset;
}

} // namespace

TEST_CASE("kafka relay transaction", "[testenv][kafka]") {
    ScratchTopic original("testenv-relay-original");
    ScratchTopic session("testenv-relay-session");
    Producer source = must(Producer::create({{"bootstrap.servers", bootstrap()}}));
    for (int i = 0; i < 4; ++i)
        must(source.produce({.topic = original.name(), .key = fmt::format("k{}", i),
                             .value = fmt::format("v{}", i), .headers = {{"x-session", "a"}},
                             .partition = 0, .timestamp_ms = {}}));
    must(source.flush(30s));
    std::string group = unique_name("testenv-relay-group");

    // Consumes the 4 records, copies them and sends the offsets in one transaction.
    auto relay = [&](bool commit) {
        Consumer consumer = subscribed_consumer(original.name(), "read_committed", group);
        Producer producer = must(Producer::create(
            {{"bootstrap.servers", bootstrap()}, {"transactional.id", unique_name("relay")}}));
        must(producer.init_transactions(30s));
        must(producer.begin_transaction());
        for (int i = 0; i < 4; ++i) {
            auto record = first_record(consumer, 30s);
            REQUIRE(record);
            must(producer.produce(forward(*record, session.name())));
        }
        TopicPartitions offsets = must(consumer.positions());
        REQUIRE(offsets == TopicPartitions{{original.name(), 0, 4}});
        must(producer.send_offsets_to_transaction(offsets, must(consumer.group_metadata()), 30s));
        if (commit)
            must(producer.commit_transaction(30s));
        else
            must(producer.abort_transaction(30s));
    };

    SECTION("a commit makes the copies visible and commits the consumed offsets with them") {
        relay(true);
        CHECK(visible_values(session.name(), 30s) ==
              std::vector<std::string>{"v0", "v1", "v2", "v3"});
        CHECK(committed_offset(group, original.name()) == 4);
    }
    SECTION("an abort leaves neither copies nor committed offsets") {
        relay(false);
        CHECK(visible_values(session.name(), 30s).empty());
        CHECK(committed_offset(group, original.name()) == std::nullopt);
    }
}

TEST_CASE("kafka zombie fencing", "[testenv][kafka]") {
    SECTION("a second producer with the same transactional.id makes the first one's commit fatal") {
        ScratchTopic topic("testenv-fence");
        std::string id = unique_name("testenv-leader");
        Producer zombie =
            must(Producer::create({{"bootstrap.servers", bootstrap()}, {"transactional.id", id}}));
        must(zombie.init_transactions(30s));
        must(zombie.begin_transaction());
        must(zombie.produce({.topic = topic.name(), .key = {}, .value = "zombie", .headers = {},
                             .partition = 0, .timestamp_ms = {}}));
        must(zombie.flush(30s));

        Producer leader =
            must(Producer::create({{"bootstrap.servers", bootstrap()}, {"transactional.id", id}}));
        must(leader.init_transactions(30s));
        KafkaStatus commit = zombie.commit_transaction(30s);
        REQUIRE_FALSE(commit);
        CHECK(commit.error().fatal());
        CHECK_FALSE(commit.error().retriable());

        must(leader.begin_transaction());
        must(leader.produce({.topic = topic.name(), .key = {}, .value = "leader", .headers = {},
                             .partition = 0, .timestamp_ms = {}}));
        must(leader.commit_transaction(30s));
        CHECK(visible_values(topic.name(), 30s) == std::vector<std::string>{"leader"});
    }
}

TEST_CASE("kafka admin", "[testenv][kafka]") {
    SECTION("a topic is created with the partition count asked for") {
        ScratchTopic topic("testenv-partitions", 3);
        CHECK(must(topic.admin().partition_count(topic.name(), 30s)) == 3);
    }
    SECTION("a session's consumer group is listed, then deleted") {
        ScratchTopic topic("testenv-groups");
        std::string group = unique_name("testenv-session-group");
        {
            Producer producer = must(Producer::create({{"bootstrap.servers", bootstrap()}}));
            must(producer.produce({.topic = topic.name(), .key = {}, .value = "x", .headers = {},
                                   .partition = 0, .timestamp_ms = {}}));
            must(producer.flush(30s));
            Consumer consumer = subscribed_consumer(topic.name(), "read_uncommitted", group);
            REQUIRE(first_record(consumer, 30s));
            must(consumer.commit());
            must(consumer.close());
        }
        Admin& admin = topic.admin();
        auto groups = must(admin.list_consumer_groups(30s));
        CHECK(std::find(groups.begin(), groups.end(), group) != groups.end());

        must(admin.delete_consumer_groups({group, unique_name("never-existed")}, 30s));
        groups = must(admin.list_consumer_groups(30s));
        CHECK(std::find(groups.begin(), groups.end(), group) == groups.end());
        CHECK(committed_offset(group, topic.name()) == std::nullopt);
    }
}

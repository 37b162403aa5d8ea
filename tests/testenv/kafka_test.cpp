// Kafka of the real test environment (scripts/testenv up), through common/kafka.
// Each test uses its own topic and consumer group, and deletes the topic when done.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"

using namespace mirrord;
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

template <typename T> T must(Result<T> result) {
    if (!result)
        FAIL(result.error().message());
    return std::move(result).value();
}

void must(Status status) {
    if (!status)
        FAIL(status.error().message());
}

// Creates a topic for one test and deletes it when the test ends.
class ScratchTopic {
public:
    explicit ScratchTopic(const std::string& prefix)
        : admin_(must(Admin::create({{"bootstrap.servers", bootstrap()}}))),
          name_(unique_name(prefix)) {
        must(admin_.ensure_topic(name_, 1, 30s));
    }
    ~ScratchTopic() { (void)admin_.delete_topic(name_, 10s); }
    ScratchTopic(const ScratchTopic&) = delete;
    ScratchTopic& operator=(const ScratchTopic&) = delete;

    const std::string& name() const { return name_; }

private:
    Admin admin_;
    std::string name_;
};

Consumer subscribed_consumer(const std::string& topic, const std::string& isolation) {
    Consumer consumer = must(Consumer::create({{"bootstrap.servers", bootstrap()},
                                               {"group.id", unique_name("testenv-group")},
                                               {"auto.offset.reset", "earliest"},
                                               {"isolation.level", isolation}}));
    must(consumer.subscribe({topic}));
    return consumer;
}

// Polls until one record arrives or the deadline passes.
std::optional<Message> first_record(Consumer& consumer, std::chrono::seconds deadline) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        auto record = must(consumer.poll(200ms));
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
                             .partition = std::nullopt};
        must(producer.produce(sent));
        must(producer.flush(30s));

        Consumer consumer = subscribed_consumer(topic.name(), "read_uncommitted");
        auto record = first_record(consumer, 30s);
        REQUIRE(record);
        CHECK(record->topic == topic.name());
        CHECK(record->key == sent.key);
        CHECK(record->value == sent.value);
        CHECK(record->headers == sent.headers);
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
                               .headers = {}, .partition = {}}));
        must(producer.flush(30s));
        must(producer.abort_transaction(30s));

        must(producer.begin_transaction());
        must(producer.produce({.topic = topic.name(), .key = {}, .value = "committed",
                               .headers = {{"txn", "1"}}, .partition = {}}));
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

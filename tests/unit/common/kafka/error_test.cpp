// Kafka errors keep librdkafka's classes, so the relay can retry, abort the transaction, or give
// up on the client. Forced errors come from librdkafka's mock cluster.

#include "tests/unit/common/kafka/mock_cluster.hpp"

#include "common/kafka/producer.hpp"

using namespace mirrord;
using namespace mirrord::kafka;
using namespace mirrord::kafka::testing;
using namespace std::chrono_literals;

namespace {

OutgoingMessage record(const std::string& topic, const std::string& value) {
    return {.topic = topic, .key = {}, .value = value, .headers = {}, .partition = {},
            .timestamp_ms = {}};
}

Producer transactional(const MockCluster& cluster, const std::string& id) {
    Producer producer = must(Producer::create(cluster.properties({{"transactional.id", id}})));
    must(producer.init_transactions(10s));
    return producer;
}

} // namespace

TEST_CASE("kafka::KafkaError", "[kafka]") {
    SECTION("a dropped connection is retriable and not fatal") {
        KafkaError error = KafkaError::from("consuming", RD_KAFKA_RESP_ERR__TRANSPORT);
        CHECK(error.retriable());
        CHECK_FALSE(error.fatal());
        CHECK(error.code_name() == "_TRANSPORT");
        CHECK_THAT(error.message(), Catch::StartsWith("consuming: "));
    }
    SECTION("an authorization failure is neither retriable nor fatal") {
        KafkaError error = KafkaError::from("x", RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
        CHECK_FALSE(error.retriable());
        CHECK_FALSE(error.fatal());
    }
    SECTION("wrap keeps the classes, and the error converts to a plain Result") {
        KafkaStatus status = KafkaError::from("cause", RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN);
        KafkaStatus wrapped = std::move(status).wrap("intent");
        REQUIRE_FALSE(wrapped);
        CHECK(wrapped.error().retriable());
        Status plain = std::move(wrapped);
        CHECK_THAT(plain.error().message(), Catch::StartsWith("intent: cause: "));
    }
}

TEST_CASE("kafka::Producer error classes", "[kafka]") {
    MockCluster cluster;
    cluster.create_topic("out", 1);

    SECTION("a commit that times out is retriable, and retrying it commits") {
        Producer producer = transactional(cluster, "slow-commit");
        must(producer.begin_transaction());
        must(producer.produce(record("out", "one")));
        must(producer.flush(10s));
        // EndTxn answers after 1.5 s; the commit gives up after 300 ms.
        rd_kafka_mock_broker_push_request_error_rtts(cluster.get(), 1, api_end_txn, 1,
                                                     RD_KAFKA_RESP_ERR_NO_ERROR, 1500);
        KafkaStatus first = producer.commit_transaction(300ms);
        REQUIRE_FALSE(first);
        CHECK(first.error().retriable());
        CHECK_FALSE(first.error().txn_requires_abort());
        CHECK_FALSE(first.error().fatal());
        must(producer.commit_transaction(10s));
    }

    SECTION("a failed partition registration requires an abort, after which a new one works") {
        Producer producer = transactional(cluster, "abortable");
        must(producer.begin_transaction());
        rd_kafka_mock_push_request_errors(cluster.get(), api_add_partitions_to_txn, 1,
                                          RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
        must(producer.produce(record("out", "lost")));
        KafkaStatus commit = producer.commit_transaction(10s);
        REQUIRE_FALSE(commit);
        CHECK(commit.error().txn_requires_abort());
        CHECK_FALSE(commit.error().fatal());
        must(producer.abort_transaction(10s));
        must(producer.begin_transaction());
        must(producer.produce(record("out", "kept")));
        must(producer.commit_transaction(10s));
    }

    SECTION("a fenced producer (a zombie leader) gets a fatal error") {
        // The mock of librdkafka 2.0.2 does not bump epochs itself, so the coordinator's answer
        // to a zombie is forced; tests/testenv/kafka_test.cpp fences a real one.
        Producer zombie = transactional(cluster, "leader");
        must(zombie.begin_transaction());
        must(zombie.produce(record("out", "zombie")));
        must(zombie.flush(10s));
        rd_kafka_mock_push_request_errors(cluster.get(), api_end_txn, 1,
                                          RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH);
        KafkaStatus commit = zombie.commit_transaction(10s);
        REQUIRE_FALSE(commit);
        CHECK(commit.error().fatal());
        CHECK(commit.error().fenced());
        CHECK_FALSE(commit.error().retriable());
        CHECK_FALSE(commit.error().txn_requires_abort());
        // The next call fails the same way: the producer is done for.
        KafkaStatus again = zombie.begin_transaction();
        REQUIRE_FALSE(again);
        CHECK(again.error().fatal());
        CHECK(again.error().fenced());
    }

    SECTION("a transaction the coordinator finds in a wrong state is fatal but not fenced") {
        // librdkafka makes INVALID_TXN_STATE fatal; nobody took the transactional.id over, so a
        // new producer with it may carry on (the splitter starts a new engine).
        Producer broken = transactional(cluster, "broken");
        must(broken.begin_transaction());
        must(broken.produce(record("out", "x")));
        must(broken.flush(10s));
        rd_kafka_mock_push_request_errors(cluster.get(), api_end_txn, 1,
                                          RD_KAFKA_RESP_ERR_INVALID_TXN_STATE);
        KafkaStatus commit = broken.commit_transaction(10s);
        REQUIRE_FALSE(commit);
        CHECK(commit.error().fatal());
        CHECK_FALSE(commit.error().fenced());
        Producer next = transactional(cluster, "broken");
        must(next.begin_transaction());
        must(next.produce(record("out", "y")));
        must(next.commit_transaction(10s));
    }
}

TEST_CASE("kafka::Consumer error classes", "[kafka]") {
    MockCluster cluster;

    SECTION("a topic that does not exist yet is a non-fatal event; records flow once it does") {
        // The mock creates any topic asked for; make it answer "unknown" until told otherwise.
        cluster.create_topic("later", 1);
        rd_kafka_mock_topic_set_error(cluster.get(), "later",
                                      RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
        Consumer consumer = subscribed(cluster, "later", "waiting");
        std::optional<KafkaError> transient;
        auto until = std::chrono::steady_clock::now() + 20s;
        while (!transient && std::chrono::steady_clock::now() < until) {
            ConsumerEvent event = must(consumer.poll(100ms));
            if (auto* error = std::get_if<KafkaError>(&event))
                transient = *error;
        }
        REQUIRE(transient);
        CHECK(transient->code() == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
        CHECK(transient->retriable());
        CHECK_FALSE(transient->fatal());

        rd_kafka_mock_topic_set_error(cluster.get(), "later", RD_KAFKA_RESP_ERR_NO_ERROR);
        Producer producer = must(Producer::create(cluster.properties()));
        must(producer.produce(record("later", "arrived")));
        must(producer.flush(10s));
        std::vector<Message> got = consume(consumer, 1, 30s);
        REQUIRE(got.size() == 1);
        CHECK(got[0].value == "arrived");
    }

    SECTION("a fatal error ends poll with a fatal KafkaError") {
        cluster.create_topic("in", 1);
        Consumer consumer = reader(cluster, "in");
        REQUIRE(rd_kafka_test_fatal_error(consumer.handle(), RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID,
                                          "test") == RD_KAFKA_RESP_ERR_NO_ERROR);
        KafkaResult<ConsumerEvent> event = consumer.poll(100ms);
        auto until = std::chrono::steady_clock::now() + 10s;
        while (event && std::chrono::steady_clock::now() < until)
            event = consumer.poll(100ms);
        REQUIRE_FALSE(event);
        CHECK(event.error().fatal());
        CHECK(event.error().code() == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID);
    }
}

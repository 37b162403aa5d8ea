// KafkaProxy in front of librdkafka's mock cluster (three brokers on loopback): clients that
// only know the proxy see one 127.0.0.1 listener per broker node id, the same ones on every
// metadata refresh, and produce and consume through them.

#include <catch2/catch.hpp>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h> // after rdkafka.h, as it demands

#include <mutex>
#include <set>

#include "tests/support/must.hpp"
#include "common/kafka/config.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/producer.hpp"
#include "common/tunnel/kafka_proxy.hpp"
#include "common/tunnel/listener.hpp"
#include "common/tunnel/tcp_upstream.hpp"

using namespace mirrord;
using namespace std::chrono_literals;

using mirrord::testing::must;

namespace {

using MetadataPtr =
    std::unique_ptr<const rd_kafka_metadata_t, kafka::Deleter<rd_kafka_metadata_destroy>>;

// The brokers a client bootstrapped at `bootstrap` is told about: node id -> host:port.
std::map<std::int32_t, std::string> metadata_brokers(const std::string& bootstrap) {
    auto conf = must(kafka::make_conf({{"bootstrap.servers", bootstrap}}));
    char error[256];
    kafka::ClientPtr client(
        rd_kafka_new(RD_KAFKA_PRODUCER, conf.release(), error, sizeof error));
    REQUIRE(client);
    const rd_kafka_metadata_t* raw = nullptr;
    REQUIRE(rd_kafka_metadata(client.get(), 1, nullptr, &raw, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    MetadataPtr metadata(raw);
    std::map<std::int32_t, std::string> brokers;
    for (int i = 0; i < metadata->broker_cnt; ++i)
        brokers[metadata->brokers[i].id] =
            fmt::format("{}:{}", metadata->brokers[i].host, metadata->brokers[i].port);
    return brokers;
}

} // namespace

TEST_CASE("tunnel Kafka proxy in front of librdkafka's mock cluster", "[tunnel]") {
    // The mock cluster lives inside a client handle of its own.
    auto mock_conf = must(kafka::make_conf({{"log_level", "0"}}));
    char error[256];
    kafka::ClientPtr mock_owner(
        rd_kafka_new(RD_KAFKA_PRODUCER, mock_conf.release(), error, sizeof error));
    REQUIRE(mock_owner);
    using MockPtr = std::unique_ptr<rd_kafka_mock_cluster_t,
                                    kafka::Deleter<rd_kafka_mock_cluster_destroy>>;
    MockPtr mock(rd_kafka_mock_cluster_new(mock_owner.get(), 3));
    REQUIRE(mock);
    REQUIRE(rd_kafka_mock_topic_create(mock.get(), "orders", 3, 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
    const std::string bootstraps = rd_kafka_mock_cluster_bootstraps(mock.get());
    const auto first = bootstraps.substr(0, bootstraps.find(','));
    const auto colon = first.rfind(':');

    tunnel::EventLoop loop;
    std::mutex errors_mutex;
    std::vector<std::string> errors;
    auto proxy = must(tunnel::KafkaProxy::start(
        loop,
        [](std::string host, std::int32_t port) {
            return tunnel::connect_tcp(std::move(host), static_cast<std::uint16_t>(port));
        },
        {first.substr(0, colon), static_cast<std::uint16_t>(std::stoi(first.substr(colon + 1))),
         0},
        [&](const std::string& e) {
            std::lock_guard lock(errors_mutex);
            errors.push_back(e);
        }));
    const auto bootstrap = proxy->bootstrap_address();

    SECTION("metadata names one stable 127.0.0.1 listener per node id, none of the brokers'") {
        const auto direct = metadata_brokers(bootstraps);
        REQUIRE(direct.size() == 3);
        const auto seen = metadata_brokers(bootstrap);
        REQUIRE(seen.size() == 3);
        std::set<std::string> distinct;
        for (const auto& [id, address] : seen) {
            CHECK(direct.count(id) == 1);
            CHECK(address.starts_with("127.0.0.1:"));
            CHECK(address != direct.at(id));
            CHECK(proxy->brokers().at(id) == address);
            distinct.insert(address);
        }
        CHECK(distinct.size() == 3);
        CHECK(metadata_brokers(bootstrap) == seen);
        // Asked through a node's own listener, the answer is the same.
        CHECK(metadata_brokers(seen.begin()->second) == seen);
    }
    SECTION("a general listener that sees ApiVersions first rewrites like the proxy") {
        tunnel::ListenerOptions options;
        options.name = "sniffing";
        options.pump.protocol = tunnel::Protocol::automatic;
        options.pump.kafka = proxy->rewrite();
        const auto broker_port = static_cast<std::uint16_t>(std::stoi(first.substr(colon + 1)));
        auto sniffing = must(tunnel::TunnelListener::start(
            loop, tunnel::tcp_connector(first.substr(0, colon), broker_port), options, {}));
        const auto seen = metadata_brokers(sniffing->address());
        REQUIRE(seen.size() == 3);
        for (const auto& [id, address] : seen)
            CHECK(proxy->brokers().at(id) == address);
    }
    SECTION("records produced through the proxy to every partition are consumed through it") {
        {
            auto producer = must(kafka::Producer::create({{"bootstrap.servers", bootstrap}}));
            for (int i = 0; i < 30; ++i)
                REQUIRE(producer.produce({.topic = "orders",
                                          .key = std::nullopt,
                                          .value = fmt::format("order-{}", i),
                                          .headers = {},
                                          .partition = i % 3,
                                          .timestamp_ms = std::nullopt}));
            REQUIRE(producer.flush(30s));
        }
        auto consumer = must(kafka::Consumer::create({{"bootstrap.servers", bootstrap},
                                                      {"group.id", "proxy-test"},
                                                      {"auto.offset.reset", "earliest"}}));
        REQUIRE(consumer.subscribe({"orders"}));
        std::set<std::string> values;
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (values.size() < 30 && std::chrono::steady_clock::now() < deadline)
            if (auto record = must(consumer.poll_message(200ms)); record && record->value)
                values.insert(*record->value);
        CHECK(values.size() == 30);
        CHECK(proxy->brokers().size() == 3);
    }
    std::lock_guard lock(errors_mutex);
    INFO(fmt::format("{}", fmt::join(errors, "\n")));
    CHECK(errors.empty());
}

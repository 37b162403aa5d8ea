// The whole tunnel for Kafka: a producer and a consumer group that know only the proxy's
// bootstrap address reach the testenv broker through port-forward streams of the real
// apiserver. kwok forwards every pod port to 127.0.0.1:18080; the test holds that port with a
// plain TCP relay to the broker while it runs. Every connection (bootstrap and per-node) is
// its own WebSocket to pod kafka-0.

#include <catch2/catch.hpp>

#include <set>

#include "tests/support/must.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/tunnel/kafka_proxy.hpp"
#include "common/tunnel/tcp_upstream.hpp"
#include "tunnel_testing.hpp"

using namespace mirrord;
using namespace mirrord::tunnel_test;
using namespace std::chrono_literals;

using mirrord::testing::must;


TEST_CASE("tunnel Kafka proxy over port-forward", "[tunnel][kafka]") {
    const auto& bootstrap = testing::testenv().at("KAFKA_BOOTSTRAP_SERVERS");
    const auto colon = bootstrap.rfind(':');
    const auto broker_host = bootstrap.substr(0, colon);
    const auto broker_port = static_cast<std::uint16_t>(std::stoi(bootstrap.substr(colon + 1)));
    tunnel::EventLoop loop;
    Reports reports;
    // kwok's forward target: every pod port ends up at the broker.
    tunnel::ListenerOptions relay_options;
    relay_options.name = "relay";
    relay_options.port = kwok_forward_port;
    auto relay = tunnel::TunnelListener::start(
        loop, tunnel::tcp_connector(broker_host, broker_port), relay_options, reports.handler());
    INFO((relay ? "" : relay.error().message()));
    REQUIRE(relay); // else another test holds 127.0.0.1:18080 right now

    auto admin = testing::admin_client();
    testing::TestNamespace ns(*admin, "mirrord-it-pfkafka");
    create_running_pod(*admin, ns.name(), "kafka-0");
    auto forwarder = forwarder_for(testing::testenv().at("KUBECONFIG"));
    // Where each broker address goes; a session maps kafka-0.kafka.<ns>.svc... to the pod.
    std::vector<std::string> dialled;
    std::mutex dialled_mutex;
    tunnel::BrokerConnector to_pod = [&, forwarder](std::string host, std::int32_t port) {
        {
            std::lock_guard lock(dialled_mutex);
            dialled.push_back(fmt::format("{}:{}", host, port));
        }
        return forwarder->open({ns.name(), "kafka-0", 9092});
    };
    auto proxy = must(tunnel::KafkaProxy::start(loop, to_pod, {"kafka", 9092, 0},
                                                reports.handler()));

    auto direct_admin = must(kafka::Admin::create({{"bootstrap.servers", bootstrap}}));
    const auto topic = fmt::format("mirrord-it-pfkafka-{}", ns.name().substr(ns.name().size() - 6));
    REQUIRE(direct_admin.ensure_topic(topic, 2, 30s));
    {
        auto producer =
            must(kafka::Producer::create({{"bootstrap.servers", proxy->bootstrap_address()}}));
        for (int i = 0; i < 50; ++i)
            REQUIRE(producer.produce({.topic = topic,
                                      .key = std::to_string(i),
                                      .value = fmt::format("through-the-apiserver-{}", i),
                                      .headers = {},
                                      .partition = std::nullopt,
 .timestamp_ms = std::nullopt}));
        REQUIRE(producer.flush(30s));
    }
    auto consumer = must(kafka::Consumer::create({{"bootstrap.servers", proxy->bootstrap_address()},
                                                  {"group.id", topic},
                                                  {"auto.offset.reset", "earliest"},
                                                  {"enable.auto.commit", "false"}}));
    REQUIRE(consumer.subscribe({topic}));
    std::set<std::string> values;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (values.size() < 50 && std::chrono::steady_clock::now() < deadline)
        if (auto record = must(consumer.poll_message(200ms)))
            values.insert(record->value.value_or(""));
    CHECK(values.size() == 50);
    REQUIRE(consumer.commit());

    // The client dialled the bootstrap name and the broker's advertised address, each through
    // the proxy: the node listener stands in for the broker.
    {
        std::lock_guard lock(dialled_mutex);
        CHECK(std::find(dialled.begin(), dialled.end(), "kafka:9092") != dialled.end());
        CHECK(std::find(dialled.begin(), dialled.end(), bootstrap) != dialled.end());
    }
    CHECK(proxy->brokers().size() == 1);
    CHECK(relay.value()->accepted() >= 2); // bootstrap and node connections, each a stream
    INFO(fmt::format("{}", fmt::join(reports.get(), "\n")));
    CHECK(reports.get().empty());
    (void)direct_admin.delete_topic(topic, 10s);
}

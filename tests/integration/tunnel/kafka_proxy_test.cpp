// The Kafka proxy on loopback in front of the real testenv broker (no apiserver): a librdkafka
// producer and a consumer group that only know the proxy's bootstrap address get every record
// and commit their offsets, and the metadata they see names only the proxy's listeners.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <regex>
#include <set>

#include "tests/support/must.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/tunnel/kafka_proxy.hpp"
#include "common/tunnel/tcp_upstream.hpp"
#include "tests/integration/kube/testenv.hpp"

using namespace mirrord;
using mirrord::tunnel::BrokerConnector;
using mirrord::tunnel::KafkaProxy;
using mirrord::tunnel::connect_tcp;
using namespace std::chrono_literals;

using mirrord::testing::must;

namespace {

std::string unique(const std::string& prefix) {
    std::random_device random;
    return fmt::format("{}-{:08x}", prefix, random());
}

// KAFKA_BOOTSTRAP_SERVERS of `scripts/testenv env` as host and port.
std::pair<std::string, std::uint16_t> broker_address() {
    const auto& bootstrap = testing::testenv().at("KAFKA_BOOTSTRAP_SERVERS");
    const auto colon = bootstrap.rfind(':');
    return {bootstrap.substr(0, colon),
            static_cast<std::uint16_t>(std::stoi(bootstrap.substr(colon + 1)))};
}

BrokerConnector tcp_brokers() {
    return [](std::string host, std::int32_t port) {
        return connect_tcp(std::move(host), static_cast<std::uint16_t>(port));
    };
}

// Polls `consumer` until `count` records arrived or 30 s passed; returns their values.
std::vector<std::string> consume(mirrord::kafka::Consumer& consumer, std::size_t count) {
    std::vector<std::string> values;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (values.size() < count && std::chrono::steady_clock::now() < deadline)
        if (auto record = must(consumer.poll_message(200ms)))
            values.push_back(record->value.value_or(""));
    return values;
}

void produce(const std::string& bootstrap, const std::string& topic, int from, int to) {
    auto producer = must(mirrord::kafka::Producer::create({{"bootstrap.servers", bootstrap}}));
    for (int i = from; i < to; ++i)
        must(producer.produce({.topic = topic,
                               .key = std::to_string(i % 7),
                               .value = fmt::format("record-{}", i),
                               .headers = {},
                               .partition = std::nullopt,
 .timestamp_ms = std::nullopt}));
    must(producer.flush(30s));
}

} // namespace

TEST_CASE("tunnel Kafka proxy in front of the testenv broker", "[tunnel][kafka]") {
    const auto [broker_host, broker_port] = broker_address();
    const std::string direct = fmt::format("{}:{}", broker_host, broker_port);
    tunnel::EventLoop loop;
    std::vector<std::string> errors;
    auto proxy = must(KafkaProxy::start(loop, tcp_brokers(), {broker_host, broker_port, 0},
                                        [&](const std::string& e) { errors.push_back(e); }));
    const auto bootstrap = proxy->bootstrap_address();
    REQUIRE(bootstrap != direct);

    auto admin = must(mirrord::kafka::Admin::create({{"bootstrap.servers", direct}}));
    const auto topic = unique("mirrord-it-tunnel");
    must(admin.ensure_topic(topic, 3, 30s));

    SECTION("producer and consumer group get every record and commit through the proxy") {
        produce(bootstrap, topic, 0, 200);
        const auto group = unique("mirrord-it-tunnel-group");
        auto consumer_properties = mirrord::kafka::Properties{{"bootstrap.servers", bootstrap},
                                                     {"group.id", group},
                                                     {"auto.offset.reset", "earliest"},
                                                     {"enable.auto.commit", "false"}};
        {
            auto consumer = must(mirrord::kafka::Consumer::create(consumer_properties));
            must(consumer.subscribe({topic}));
            auto values = consume(consumer, 200);
            CHECK(values.size() == 200);
            CHECK(std::set<std::string>(values.begin(), values.end()).size() == 200);
            must(consumer.commit()); // goes to the group coordinator: a rewritten address
        }
        // A new member of the group starts at the committed offsets: only the new records.
        produce(bootstrap, topic, 200, 210);
        auto consumer = must(mirrord::kafka::Consumer::create(consumer_properties));
        must(consumer.subscribe({topic}));
        auto values = consume(consumer, 10);
        std::sort(values.begin(), values.end());
        CHECK(values == std::vector<std::string>{"record-200", "record-201", "record-202",
                                                 "record-203", "record-204", "record-205",
                                                 "record-206", "record-207", "record-208",
                                                 "record-209"});
        CHECK(errors.empty());
    }
    SECTION("kcat -L through the proxy names only the proxy's broker listeners") {
        std::string out;
        REQUIRE(testing::run_command("kcat -L -b " + bootstrap + " -t " + topic, &out, true) == 0);
        INFO(out);
        const std::regex broker_line(R"(broker (-?\d+) at ([^:\s]+):(\d+))");
        const auto brokers = proxy->brokers();
        std::size_t seen = 0;
        for (std::sregex_iterator it(out.begin(), out.end(), broker_line), end; it != end; ++it) {
            ++seen;
            const auto id = std::stoi((*it)[1]);
            const auto address = (*it)[2].str() + ":" + (*it)[3].str();
            CHECK(address != direct);
            REQUIRE(brokers.count(id) == 1);
            CHECK(brokers.at(id) == address);
            CHECK((*it)[2].str() == "127.0.0.1");
        }
        CHECK(seen >= 1);
        CHECK(out.find(direct) == std::string::npos);
    }
    SECTION("a node keeps its local listener for the whole session") {
        std::string first, second;
        REQUIRE(testing::run_command("kcat -L -b " + bootstrap, &first, true) == 0);
        const auto before = proxy->brokers();
        REQUIRE(testing::run_command("kcat -L -b " + bootstrap, &second, true) == 0);
        CHECK(proxy->brokers() == before);
        CHECK(first == second);
    }
    (void)admin.delete_topic(topic, 10s);
}

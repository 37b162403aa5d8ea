// Hidden benchmarks for scripts/bench-tunnel (tag [.bench]: not run by ctest or a plain run).
//  - "tunnel Kafka proxy benchmark": BENCH_RECORDS (default 50000) records of BENCH_RECORD_BYTES
//    (default 1024) produced and then consumed by a group (timed from its first record), once
//    straight to the testenv broker, once through the proxy on loopback, and once through the
//    whole tunnel of an exec session (SessionTunnels: port-forward streams through the
//    apiserver to kafka-0 of the testenv's in-cluster Kafka, plus the proxy), alternating
//    BENCH_ROUNDS (default 2) times; prints one line per measurement:
//    "kafka <path> <phase> msgs=... seconds=... msg_s=... mb_s=...".
//  - "tunnel port-forward benchmark": BENCH_MIB (default 64) MiB echoed through a port-forward
//    to 127.0.0.1:18080 (kwok's forward target) by our client, and by `kubectl port-forward` to
//    the same pod; prints "portforward <path> echo msgs=<MiB> seconds=... mb_s=...".

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <random>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "tests/support/must.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/tunnel/kafka_proxy.hpp"
#include "common/tunnel/port_forward.hpp"
#include "common/tunnel/session_tunnels.hpp"
#include "common/tunnel/tcp_upstream.hpp"
#include "tests/integration/kube/testenv.hpp"
#include "tests/unit/common/tunnel/sockets.hpp"
#include "tunnel_testing.hpp"

extern char** environ;

using namespace mirrord;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using mirrord::testing::must;

namespace {

long env_number(const char* name, long fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::atol(value) : fallback;
}

std::string unique(const std::string& prefix) {
    std::random_device random;
    return fmt::format("{}-{:08x}", prefix, random());
}

void print(const std::string& what, long count, std::size_t bytes, Clock::duration took) {
    const double seconds = std::chrono::duration<double>(took).count();
    std::cout << fmt::format("{} msgs={} seconds={:.3f} msg_s={:.0f} mb_s={:.2f}\n", what, count,
                             seconds, count / seconds, bytes / seconds / 1e6)
              << std::flush;
}

void produce_and_consume(const std::string& path, const std::string& bootstrap,
                         const std::string& topic, long records, std::size_t record_bytes) {
    const std::string value(record_bytes, 'x');
    {
        auto producer = must(kafka::Producer::create(
            {{"bootstrap.servers", bootstrap}, {"linger.ms", "5"}, {"batch.size", "1000000"}}));
        const auto start = Clock::now();
        for (long i = 0; i < records; ++i) {
            kafka::OutgoingMessage message{.topic = topic, .key = std::nullopt, .value = value,
                                           .headers = {}, .partition = std::nullopt,
 .timestamp_ms = std::nullopt};
            while (true) {
                auto queued = producer.produce(message);
                if (queued)
                    break;
                REQUIRE(producer.flush(30s)); // queue full: wait for deliveries, then go on
            }
        }
        REQUIRE(producer.flush(60s));
        print("kafka " + path + " produce", records, records * record_bytes, Clock::now() - start);
    }
    auto consumer = must(kafka::Consumer::create({{"bootstrap.servers", bootstrap},
                                                  {"group.id", unique("bench-tunnel")},
                                                  {"auto.offset.reset", "earliest"},
                                                  {"enable.auto.commit", "false"}}));
    REQUIRE(consumer.subscribe({topic}));
    // Timed from the first record: the group join before it is the same few round trips on
    // either path and would hide the throughput.
    Clock::time_point start;
    long got = 0;
    const auto deadline = Clock::now() + 120s;
    while (got < records && Clock::now() < deadline)
        if (must(consumer.poll_message(200ms)) && ++got == 1)
            start = Clock::now();
    REQUIRE(got == records);
    print("kafka " + path + " consume", records - 1, (records - 1) * record_bytes,
          Clock::now() - start);
}

} // namespace

TEST_CASE("tunnel Kafka proxy benchmark", "[.bench]") {
    const auto& bootstrap = testing::testenv().at("KAFKA_BOOTSTRAP_SERVERS");
    const auto colon = bootstrap.rfind(':');
    const auto records = env_number("BENCH_RECORDS", 50000);
    const auto record_bytes = static_cast<std::size_t>(env_number("BENCH_RECORD_BYTES", 1024));
    const auto rounds = env_number("BENCH_ROUNDS", 2);

    tunnel::EventLoop loop;
    tunnel::BrokerConnector tcp = [](std::string host, std::int32_t port) {
        return tunnel::connect_tcp(std::move(host), static_cast<std::uint16_t>(port));
    };
    auto proxy = must(tunnel::KafkaProxy::start(
        loop, tcp,
        {bootstrap.substr(0, colon),
         static_cast<std::uint16_t>(std::stoi(bootstrap.substr(colon + 1))), 0},
        [](const std::string& error) { std::cerr << error << "\n"; }));
    // What exec gives an app whose env names kafka-bootstrap.default.svc:9092.
    auto kube = testing::admin_client();
    auto tunnels = must(tunnel::SessionTunnels::start(
        *kube, "default", [](const std::string& error) { std::cerr << error << "\n"; }));
    const auto tunnelled =
        must(tunnels->listen("kafka-bootstrap.default.svc", 9092, {"default", "kafka-bootstrap", ""}));
    auto admin = must(kafka::Admin::create({{"bootstrap.servers", bootstrap}}));
    for (long round = 0; round < rounds; ++round) {
        for (const auto& [path, address] :
             {std::pair{std::string("direct"), bootstrap},
              std::pair{std::string("proxy"), proxy->bootstrap_address()},
              std::pair{std::string("tunnel"), tunnelled}}) {
            const auto topic = unique("bench-tunnel");
            REQUIRE(admin.ensure_topic(topic, 1, 30s));
            produce_and_consume(path, address, topic, records, record_bytes);
            (void)admin.delete_topic(topic, 10s);
        }
    }
}

namespace {

// Echoes `mib` MiB through a new connection to 127.0.0.1:port and prints the rate.
void echo_through(const std::string& path, std::uint16_t port, long mib) {
    auto client = tunnel_test::connect_local(port);
    REQUIRE(client.get() >= 0);
    const auto payload = tunnel_test::pattern(static_cast<std::size_t>(mib) << 20);
    const auto start = Clock::now();
    const auto back = tunnel_test::echo_round_trip(client.get(), payload, 120s);
    const auto took = Clock::now() - start;
    REQUIRE(back.size() == payload.size());
    print("portforward " + path + " echo", mib, payload.size(), took);
}

// `kubectl port-forward` to the pod on a free local port, stopped by PID at the end of scope.
class KubectlPortForward {
public:
    KubectlPortForward(const std::string& namespace_, const std::string& pod) {
        int out[2];
        REQUIRE(::pipe(out) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        const std::string target = "pod/" + pod;
        std::vector<std::string> args{"kubectl", "port-forward", "-n", namespace_, target,
                                      "--address", "127.0.0.1", ":8080"};
        std::vector<char*> argv;
        for (auto& arg : args)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
        const int spawned = posix_spawnp(&pid_, "kubectl", &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(out[1]);
        // Kept open while kubectl runs: it prints a line per connection, and would die of
        // SIGPIPE on a closed pipe.
        reader_.reset(out[0]);
        auto& reader = reader_;
        REQUIRE(spawned == 0);
        // "Forwarding from 127.0.0.1:41234 -> 8080"
        std::string line;
        const auto deadline = Clock::now() + 30s;
        while (line.find(" -> ") == std::string::npos && Clock::now() < deadline) {
            pollfd waiting{reader.get(), POLLIN, 0};
            if (::poll(&waiting, 1, 1000) <= 0)
                continue;
            char byte;
            if (::read(reader.get(), &byte, 1) != 1) // a pipe: recv() is for sockets
                break;
            line += byte;
        }
        const auto from = line.find("127.0.0.1:");
        if (from == std::string::npos) {
            stop(); // the destructor does not run when the constructor fails
            FAIL("kubectl port-forward did not say where it listens: " << line);
        }
        port_ = static_cast<std::uint16_t>(std::stoi(line.substr(from + 10)));
    }
    ~KubectlPortForward() { stop(); }
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }
    std::uint16_t port() const { return port_; }

private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    tunnel_test::Fd reader_;
};

} // namespace

TEST_CASE("tunnel port-forward benchmark", "[.bench]") {
    const auto mib = env_number("BENCH_MIB", 64);
    const auto rounds = env_number("BENCH_ROUNDS", 2);
    tunnel_test::EchoServer echo(tunnel_test::kwok_forward_port);
    REQUIRE(echo.listening()); // else another test holds 127.0.0.1:18080 right now
    auto admin = testing::admin_client();
    testing::TestNamespace ns(*admin, "bench-tunnel");
    tunnel_test::create_running_pod(*admin, ns.name(), "echo");
    tunnel::EventLoop loop;
    tunnel_test::Reports reports;
    auto listener = tunnel_test::listen_forwarding(
        loop, tunnel_test::forwarder_for(testing::testenv().at("KUBECONFIG")),
        {{ns.name(), "echo", 8080}}, reports);
    KubectlPortForward kubectl(ns.name(), "echo");
    for (long round = 0; round < rounds; ++round) {
        echo_through("ours", listener->port(), mib);
        echo_through("kubectl", kubectl.port(), mib);
    }
    CHECK(reports.get().empty());
}

// bench_split: measures the splitter (agent/splitter.hpp) against the testenv broker, for
// scripts/bench-split. Modes, each printing one JSON line:
//   split   --size B --sessions N --count C   throughput of the splitter with N session filters
//   relay   --size B --count C                a plain consume-and-produce relay (no filters, no
//                                             transactions), the baseline
//   latency --rate R --seconds S              produce-to-session-topic latency p50/p99
// Records are produced by a forked child before the measured part, so the process's RSS is the
// splitter's (plus one admin client).

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "agent/memory_registry.hpp"
#include "tests/bench/bench_names.hpp"
#include "agent/splitter.hpp"
#include "common/core/log.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"

using namespace mirrord;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::string bootstrap() {
    const char* servers = std::getenv("KAFKA_BOOTSTRAP_SERVERS");
    return servers ? servers : "127.0.0.1:19092";
}
kafka::Properties broker() { return {{"bootstrap.servers", bootstrap()}}; }

[[noreturn]] void die(const std::string& message) {
    std::cerr << "bench_split: " << message << std::endl;
    // _Exit: the splitter's and librdkafka's threads may still run; static destructors under
    // them would crash.
    std::_Exit(1);
}
template <typename T> T must(kafka::KafkaResult<T> result) {
    if (!result)
        die(result.error().message());
    return std::move(result).value();
}
void must(kafka::KafkaStatus status) {
    if (!status)
        die(status.error().message());
}

long rss_kb(const char* field = "VmRSS:") {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with(field))
            return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
    return 0;
}

constexpr int partitions = 3;

struct Args {
    std::string mode;
    size_t size = 200;
    int sessions = 1;
    int count = 100000;
    int rate = 1000;
    int seconds = 10;
    int commit_ms = 0; // 0: SplitterOptions' default
    int quiet_ms = 0;  // likewise
};

Args parse(int argc, char** argv) {
    Args args;
    if (argc < 2)
        die("usage: bench_split split|relay|latency [--size B] [--sessions N] [--count C] "
            "[--rate R] [--seconds S] [--commit-ms M] [--quiet-ms M]");
    args.mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        int value = std::atoi(argv[i + 1]);
        if (flag == "--size")
            args.size = static_cast<size_t>(value);
        else if (flag == "--sessions")
            args.sessions = value;
        else if (flag == "--count")
            args.count = value;
        else if (flag == "--rate")
            args.rate = value;
        else if (flag == "--seconds")
            args.seconds = value;
        else if (flag == "--commit-ms")
            args.commit_ms = value;
        else if (flag == "--quiet-ms")
            args.quiet_ms = value;
        else
            die("unknown flag " + flag);
    }
    return args;
}

std::string unique(const std::string& role) { return bench::bench_name(role); }

// Creates `topics` and produces `count` records of `size` bytes with source s<i % sources> to
// the first, in a child forked before this process has any librdkafka client (a fork keeps only
// the calling thread, and librdkafka's would hold their locks).
void produce_in_child(const std::vector<std::string>& topics, int count, size_t size,
                      int sources) {
    const std::string& topic = topics.front();
    pid_t child = fork();
    if (child < 0)
        die("fork failed");
    if (child == 0) {
        {
            kafka::Admin admin = must(kafka::Admin::create(broker()));
            for (const auto& name : topics)
                must(admin.ensure_topic(name, partitions, 30s));
        }
        kafka::Producer producer = must(kafka::Producer::create(
            {{"bootstrap.servers", bootstrap()}, {"linger.ms", "20"}, {"batch.size", "1000000"}}));
        std::string value(size, 'x');
        for (int i = 0; i < count; ++i) {
            kafka::OutgoingMessage message{.topic = topic, .key = std::to_string(i),
                                           .value = value,
                                           .headers = {{"source", fmt::format("s{}", i % sources)}},
                                           .partition = i % partitions, .timestamp_ms = {}};
            while (true) {
                auto produced = producer.produce(message);
                if (produced)
                    break;
                if (produced.error().code() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                    die(produced.error().message());
                producer.poll(10ms);
            }
        }
        must(producer.flush(120s));
        std::_Exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the producing child failed");
}

// Waits until every topic is in this process's view of the metadata (the child created them).
void await_metadata(kafka::Admin& admin, const std::vector<std::string>& topics) {
    auto deadline = Clock::now() + 30s;
    for (const auto& topic : topics)
        while (!admin.partition_count(topic, 5s)) {
            if (Clock::now() > deadline)
                die("topic " + topic + " not in the metadata after 30 s");
            std::this_thread::sleep_for(50ms);
        }
}

// Commits offset 0 for `group` on every partition, so a splitter of that group starts there.
void commit_start(const std::string& group, const std::string& topic) {
    kafka::Properties properties = broker();
    properties.emplace_back("group.id", group);
    kafka::Consumer consumer = must(kafka::Consumer::create(properties));
    kafka::TopicPartitions zero;
    for (int p = 0; p < partitions; ++p)
        zero.push_back({topic, p, 0});
    must(consumer.commit(zero));
}

int commit_ms = 0;
int quiet_ms = 0;

agent::SplitterOptions bench_options(const std::string& topic, const std::string& key) {
    agent::SplitterOptions options;
    options.original_topic = topic;
    options.properties = {{"bootstrap.servers", bootstrap()}};
    options.split_key = key;
    // The benchmark measures routing; the hold-back waits for session consumers it has none of.
    options.hold_settle = 0ms;
    options.max_hold = 0ms;
    if (commit_ms > 0)
        options.commit_interval = std::chrono::milliseconds(commit_ms);
    if (quiet_ms > 0)
        options.quiet_commit = std::chrono::milliseconds(quiet_ms);
    // Extra client properties for experiments: BENCH_SPLIT_PROPS="name=value,name=value".
    if (const char* extra = std::getenv("BENCH_SPLIT_PROPS")) {
        std::string text = extra;
        size_t begin = 0;
        while (begin < text.size()) {
            size_t end = text.find(',', begin);
            std::string item = text.substr(begin, end == std::string::npos ? end : end - begin);
            size_t eq = item.find('=');
            if (eq != std::string::npos)
                options.properties[item.substr(0, eq)] = item.substr(eq + 1);
            begin = end == std::string::npos ? text.size() : end + 1;
        }
    }
    return options;
}

void split(const Args& args, std::optional<kafka::Admin>& admin, std::vector<std::string>& topics) {
    std::string original = unique("original");
    topics.push_back(original);
    for (int s = 0; s < args.sessions; ++s)
        topics.push_back(bench::session_topic_name(s));
    produce_in_child(topics, args.count, args.size, args.sessions);
    admin.emplace(must(kafka::Admin::create(broker())));
    await_metadata(*admin, topics);
    std::string key = unique("key");
    commit_start(agent::splitter_group(key), original);

    agent::MemoryRegistry registry;
    // Start offsets 0, as if acknowledged before: every pre-produced record is routed.
    std::map<int32_t, int64_t> from_start{{0, 0}, {1, 0}, {2, 0}};
    for (int s = 0; s < args.sessions; ++s)
        registry.add({fmt::format("s{}", s), topics[static_cast<size_t>(s) + 1],
                      {{"source", fmt::format("^s{}$", s)}}, from_start});
    auto splitter = agent::Splitter::start(bench_options(original, key), registry);
    if (!splitter)
        die(splitter.error().message());
    for (int s = 0; s < args.sessions; ++s)
        if (!registry.wait_acknowledged(fmt::format("s{}", s), 60s))
            die("session not acknowledged");
    // The clock starts at the first committed copies (after the group join, which the broker
    // delays by group.initial.rebalance.delay.ms), as the relay's starts at its first record.
    auto joined = Clock::now();
    // Before the first copies: the clients connected, no record fetched yet.
    long idle_rss = rss_kb();
    std::optional<Clock::time_point> started;
    uint64_t at_start = 0;
    long peak_rss = 0;
    uint64_t total = 0;
    while (total < static_cast<uint64_t>(args.count)) {
        if ((*splitter)->failed())
            die((*splitter)->failure());
        if (Clock::now() - joined > 120s)
            die(fmt::format("only {} of {} copies after 120 s", total, args.count));
        std::this_thread::sleep_for(5ms);
        peak_rss = std::max(peak_rss, rss_kb());
        total = 0;
        for (const auto& [id, count] : (*splitter)->delivered())
            total += count;
        if (!started && total > 0) {
            started = Clock::now();
            at_start = total;
        }
    }
    double seconds = std::chrono::duration<double>(Clock::now() - *started).count();
    double copies = static_cast<double>(static_cast<uint64_t>(args.count) - at_start);
    (*splitter)->stop();
    (void)admin->delete_consumer_groups({agent::splitter_group(key)}, 10s);
    std::cout << fmt::format("{{\"mode\":\"split\",\"size\":{},\"sessions\":{},\"count\":{},"
                             "\"seconds\":{:.3f},\"msgs\":{:.0f},\"mbs\":{:.2f},\"rss_mb\":{:.1f},"
                             "\"idle_rss_mb\":{:.1f}}}",
                             args.size, args.sessions, args.count, seconds, copies / seconds,
                             copies * static_cast<double>(args.size) / seconds / 1e6,
                             peak_rss / 1024.0, idle_rss / 1024.0)
              << std::endl;
}

void relay(const Args& args, std::optional<kafka::Admin>& admin, std::vector<std::string>& topics) {
    std::string original = unique("relay-original");
    std::string copy = unique("relay-copy");
    topics.insert(topics.end(), {original, copy});
    produce_in_child(topics, args.count, args.size, 1);
    admin.emplace(must(kafka::Admin::create(broker())));
    std::string group = unique("relay");
    kafka::Properties consumer_properties = broker();
    consumer_properties.insert(consumer_properties.end(), {{"group.id", group},
                                                           {"auto.offset.reset", "earliest"},
                                                           {"enable.auto.commit", "false"}});
    kafka::Consumer consumer = must(kafka::Consumer::create(consumer_properties));
    must(consumer.subscribe({original}));
    kafka::Producer producer = must(kafka::Producer::create(broker()));
    // The clock starts at the first record, as the splitter's starts once it is assigned.
    std::optional<Clock::time_point> started;
    int relayed = 0;
    auto deadline = Clock::now() + 300s;
    while (relayed < args.count && Clock::now() < deadline) {
        auto record = must(consumer.poll_message(100ms));
        if (!record)
            continue;
        if (!started)
            started = Clock::now();
        kafka::OutgoingMessage out = kafka::forward(*record, copy);
        while (true) {
            auto produced = producer.produce(out);
            if (produced)
                break;
            if (produced.error().code() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                die(produced.error().message());
            producer.poll(10ms);
        }
        ++relayed;
    }
    must(producer.flush(60s));
    double seconds = std::chrono::duration<double>(Clock::now() - *started).count();
    (void)consumer.close();
    (void)admin->delete_consumer_groups({group}, 10s);
    std::cout << fmt::format("{{\"mode\":\"relay\",\"size\":{},\"count\":{},\"seconds\":{:.3f},"
                             "\"msgs\":{:.0f},\"mbs\":{:.2f}}}",
                             args.size, relayed, seconds, relayed / seconds,
                             relayed * static_cast<double>(args.size) / seconds / 1e6)
              << std::endl;
}

void latency(const Args& args, std::optional<kafka::Admin>& admin,
             std::vector<std::string>& topics) {
    std::string original = unique("latency-original");
    std::string session = bench::session_topic_name(0);
    topics.insert(topics.end(), {original, session});
    admin.emplace(must(kafka::Admin::create(broker())));
    must(admin->ensure_topic(original, partitions, 30s));
    must(admin->ensure_topic(session, partitions, 30s));
    await_metadata(*admin, topics);
    std::string key = unique("latency-key");
    agent::MemoryRegistry registry;
    auto splitter = agent::Splitter::start(bench_options(original, key), registry);
    if (!splitter)
        die(splitter.error().message());
    registry.add({"s", session, {{"source", "^s"}}, std::nullopt});
    if (!registry.wait_acknowledged("s", 60s))
        die("session not acknowledged");

    kafka::Properties reader_properties = broker();
    reader_properties.insert(reader_properties.end(), {{"group.id", unique("reader")},
                                                       {"isolation.level", "read_committed"},
                                                       {"fetch.wait.max.ms", "10"}});
    kafka::Consumer reader = must(kafka::Consumer::create(reader_properties));
    kafka::TopicPartitions all;
    for (int p = 0; p < partitions; ++p)
        all.push_back({session, p, RD_KAFKA_OFFSET_BEGINNING});
    must(reader.assign(all));

    // One more second first, as warm-up: the first transaction also finds the coordinator and
    // registers the partitions (~0.5 s); those records are not counted.
    int warmup = args.rate;
    int total = args.rate * args.seconds + warmup;
    std::vector<double> latencies;
    std::thread producing([&] {
        kafka::Producer producer =
            must(kafka::Producer::create({{"bootstrap.servers", bootstrap()}, {"linger.ms", "0"}}));
        auto next = Clock::now();
        for (int i = 0; i < total; ++i) {
            auto sent = Clock::now().time_since_epoch().count();
            must(producer.produce({.topic = original, .key = std::to_string(i),
                                   .value = std::to_string(sent) + std::string(180, 'x'),
                                   .headers = {{"source", "s0"}}, .partition = i % partitions,
                                   .timestamp_ms = {}}));
            next += std::chrono::microseconds(1'000'000 / args.rate);
            std::this_thread::sleep_until(next);
        }
        must(producer.flush(30s));
    });
    auto deadline = Clock::now() + std::chrono::seconds(args.seconds + 60);
    long peak_rss = 0;
    int received = 0;
    while (received < total && Clock::now() < deadline) {
        if (received % 1000 == 0)
            peak_rss = std::max(peak_rss, rss_kb());
        auto record = must(reader.poll_message(100ms));
        if (!record || !record->value)
            continue;
        auto now = Clock::now().time_since_epoch().count();
        long long sent = std::atoll(record->value->c_str());
        ++received;
        if (!record->key || std::atoi(record->key->c_str()) < warmup)
            continue;
        latencies.push_back(static_cast<double>(now - sent) / 1e6);
    }
    producing.join();
    (*splitter)->stop();
    (void)admin->delete_consumer_groups({agent::splitter_group(key)}, 10s);
    if (latencies.empty())
        die("no record reached the session topic");
    std::sort(latencies.begin(), latencies.end());
    auto at = [&](double q) {
        return latencies[std::min(latencies.size() - 1,
                                  static_cast<size_t>(q * static_cast<double>(latencies.size())))];
    };
    std::cout << fmt::format("{{\"mode\":\"latency\",\"rate\":{},\"received\":{},\"sent\":{},"
                             "\"p50_ms\":{:.1f},\"p99_ms\":{:.1f},\"max_ms\":{:.1f},"
                             "\"rss_mb\":{:.1f}}}",
                             args.rate, received, total, at(0.50), at(0.99),
                             latencies.back(), peak_rss / 1024.0)
              << std::endl;
}

} // namespace

int main(int argc, char** argv) {
    if (std::getenv("BENCH_SPLIT_DEBUG"))
        log::set_level(log::Level::debug);
    Args args = parse(argc, argv);
    commit_ms = args.commit_ms;
    quiet_ms = args.quiet_ms;
    std::optional<kafka::Admin> admin;
    std::vector<std::string> topics;
    if (args.mode == "split")
        split(args, admin, topics);
    else if (args.mode == "relay")
        relay(args, admin, topics);
    else if (args.mode == "latency")
        latency(args, admin, topics);
    else
        die("unknown mode " + args.mode);
    for (const auto& topic : topics)
        (void)admin->delete_topic(topic, 30s);
    return 0;
}

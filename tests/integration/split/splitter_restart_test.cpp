// A splitter whose transactional producer breaks for good without being fenced (librdkafka makes
// a broker's INVALID_TXN_STATE fatal; a session topic deleted inside a transaction can cause it)
// starts a new engine from its last commit, as a new leader would: the session goes on getting
// each of its copies exactly once, and the splitter does not report a failure. A fenced one
// stops for good (splitter_flow_test.cpp). A broker restart mid-stream, commits in flight
// included, loses no copy and duplicates none.

#include "tests/integration/kube/testenv.hpp"
#include "tests/integration/split/split_support.hpp"

using namespace mirrord;
using namespace mirrord::split_testing;

namespace {

constexpr int partitions = 3;

} // namespace

TEST_CASE("splitter restarting after a fatal producer error", "[split][kafka]") {
    Scratch scratch;
    std::string original = scratch.topic("split-restart", partitions);
    std::string session_topic = scratch.topic("split-it-restart", partitions);
    std::string key = unique_name("restart");
    scratch.own_group(agent::splitter_group(key));

    agent::MemoryRegistry registry;
    agent::SplitterOptions options = options_for(original, key);
    options.hold_settle = 0ms;
    options.max_hold = 0ms;
    auto splitter = must(agent::Splitter::start(options, registry));
    registry.add({"s", session_topic, {{"source", "^test-"}}, std::nullopt});
    auto start = registry.wait_acknowledged("s", 30s);
    REQUIRE(start);

    Flow flow(original, partitions, 0, 100000, 200);
    REQUIRE(testing::wait_until(20s, [&] { return registry.delivered_count("s") > 50; }));
    SECTION("once") {
        splitter->inject_fatal_error(RD_KAFKA_RESP_ERR_INVALID_TXN_STATE);
    }
    SECTION("twice in a row") {
        splitter->inject_fatal_error(RD_KAFKA_RESP_ERR_INVALID_TXN_STATE);
        std::this_thread::sleep_for(1s);
        splitter->inject_fatal_error(RD_KAFKA_RESP_ERR_INVALID_TXN_STATE);
    }
    auto at_break = registry.delivered_count("s");
    int produced_at_break = flow.produced();
    // The new engine rejoins the group and goes on from the committed offsets.
    REQUIRE(testing::wait_until(30s, [&] { return flow.produced() >= produced_at_break + 600; }));
    REQUIRE(testing::wait_until(
        30s, [&] { return registry.delivered_count("s") > at_break + 200; }));
    flow.stop();

    auto all = read_all(original, partitions, static_cast<size_t>(flow.produced()), 60s);
    REQUIRE(all.size() == static_cast<size_t>(flow.produced()));
    auto expected = expected_after(all, *start, test_sources);
    INFO("each copy exactly once, across the restart (read_committed)");
    CHECK(ids(read_all(session_topic, partitions, expected.size(), 60s)) == expected);
    CHECK_FALSE(splitter->failed());
    splitter->stop();
}

TEST_CASE("splitter across a broker restart", "[split][kafka][restart]") {
    Scratch scratch;
    std::string original = scratch.topic("split-broker", partitions);
    std::string session_topic = scratch.topic("split-it-broker", partitions);
    std::string key = unique_name("broker");
    scratch.own_group(agent::splitter_group(key));

    agent::MemoryRegistry registry;
    agent::SplitterOptions options = options_for(original, key);
    options.hold_settle = 0ms;
    options.max_hold = 0ms;
    auto splitter = must(agent::Splitter::start(options, registry));
    registry.add({"s", session_topic, {{"source", "^test-"}}, std::nullopt});
    auto start = registry.wait_acknowledged("s", 30s);
    REQUIRE(start);

    Flow flow(original, partitions, 0, 100000, 200);
    REQUIRE(testing::wait_until(20s, [&] { return registry.delivered_count("s") > 50; }));
    // The broker goes away mid-stream, commits in flight included, and comes back on the same
    // port with its data (scripts/testenv restart kafka: SIGTERM, then a new process).
    std::string restart_log;
    REQUIRE(testing::run_command(std::string(MIRRORD_SOURCE_DIR) + "/scripts/testenv restart kafka",
                                 &restart_log, true) == 0);
    INFO(restart_log);
    auto at_restart = registry.delivered_count("s");
    int produced_at_restart = flow.produced();
    REQUIRE(testing::wait_until(60s, [&] { return flow.produced() >= produced_at_restart + 600; }));
    REQUIRE(testing::wait_until(
        60s, [&] { return registry.delivered_count("s") > at_restart + 200; }));
    flow.stop();

    auto all = read_all(original, partitions, static_cast<size_t>(flow.produced()), 60s);
    REQUIRE(all.size() == static_cast<size_t>(flow.produced()));
    auto expected = expected_after(all, *start, test_sources);
    INFO("each copy exactly once, across the broker's restart (read_committed)");
    CHECK(ids(read_all(session_topic, partitions, expected.size(), 60s)) == expected);
    CHECK_FALSE(splitter->failed());
    INFO(splitter->failure());
    splitter->stop();
}

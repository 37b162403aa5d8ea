// A splitter whose transactional producer breaks for good without being fenced (librdkafka makes
// a broker's INVALID_TXN_STATE fatal; a session topic deleted inside a transaction can cause it)
// starts a new engine from its last commit, as a new leader would: the session goes on getting
// each of its copies exactly once, and the splitter does not report a failure. A fenced one
// stops for good (splitter_flow_test.cpp). A broker restart mid-stream, commits in flight
// included, loses no copy and duplicates none.

#include <functional>

#include "tests/integration/kube/testenv.hpp"
#include "tests/integration/split/split_support.hpp"

using namespace mirrord;
using namespace mirrord::split_testing;

namespace {

constexpr int partitions = 3;

// One session ("source": "^test-") while records flow at ~200/s; `fault` strikes once the
// session has copies. Afterwards the splitter has not failed and the session topic holds each
// matching record produced after the session's start exactly once (read_committed).
void survives(const std::string& name, const std::function<void(agent::Splitter&)>& fault) {
    Scratch scratch;
    std::string original = scratch.topic("split-" + name, partitions);
    std::string session_topic = scratch.topic("split-it-" + name, partitions);
    std::string key = unique_name(name);
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
    fault(*splitter);
    auto at_fault = registry.delivered_count("s");
    int produced_at_fault = flow.produced();
    // Reading goes on from the committed offsets (a new engine's, or the same one's).
    REQUIRE(testing::wait_until(60s, [&] { return flow.produced() >= produced_at_fault + 600; }));
    REQUIRE(testing::wait_until(
        60s, [&] { return registry.delivered_count("s") > at_fault + 200; }));
    flow.stop();

    auto all = read_produced(original, partitions, flow);
    auto expected = expected_after(all, *start, test_sources);
    INFO("each copy exactly once, across the fault (read_committed)");
    CHECK(ids(read_all(session_topic, partitions, expected.size(), 60s)) == expected);
    INFO(splitter->failure());
    CHECK_FALSE(splitter->failed());
    splitter->stop();
}

} // namespace

TEST_CASE("splitter restarting after a fatal producer error", "[split][kafka]") {
    SECTION("once") {
        survives("restart", [](agent::Splitter& splitter) {
            splitter.inject_fatal_error(RD_KAFKA_RESP_ERR_INVALID_TXN_STATE);
        });
    }
    SECTION("twice in a row") {
        survives("restart", [](agent::Splitter& splitter) {
            splitter.inject_fatal_error(RD_KAFKA_RESP_ERR_INVALID_TXN_STATE);
            std::this_thread::sleep_for(1s);
            splitter.inject_fatal_error(RD_KAFKA_RESP_ERR_INVALID_TXN_STATE);
        });
    }
}

TEST_CASE("splitter across a broker restart", "[split][kafka][restart]") {
    // The broker goes away mid-stream, commits in flight included, and comes back on the same
    // port with its data (scripts/testenv restart kafka: SIGTERM, then a new process).
    survives("broker", [](agent::Splitter&) {
        std::string restart_log;
        int status = testing::run_command(
            std::string(MIRRORD_SOURCE_DIR) + "/scripts/testenv restart kafka", &restart_log, true);
        INFO(restart_log);
        REQUIRE(status == 0);
    });
}

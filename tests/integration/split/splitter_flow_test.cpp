// The splitter while records flow at ~200/s: a session that joins mid-stream gets every matching
// record from its acknowledged start offsets on, none twice; a second splitter of the same split
// fences the first and resumes from the committed offsets with no loss and no duplicate.

#include "tests/integration/split/split_support.hpp"

using namespace mirrord;
using namespace mirrord::split_testing;

namespace {

constexpr int partitions = 3;

bool test_a(const kafka::Message& record) {
    auto source = header(record, "source");
    return source && source->find("test-a") != std::string::npos;
}

} // namespace

TEST_CASE("splitter session joining mid-stream", "[split][kafka]") {
    Scratch scratch;
    std::string original = scratch.topic("split-flow", partitions);
    std::string early_topic = scratch.topic("split-it-early", partitions);
    std::string late_topic = scratch.topic("split-it-late", partitions);
    std::string key = unique_name("flow");
    scratch.own_group(agent::splitter_group(key));

    agent::MemoryRegistry registry;
    auto splitter = must(agent::Splitter::start(options_for(original, key), registry));
    registry.add({"early", early_topic, {{"source", "^test-"}}, std::nullopt});
    auto early_start = registry.wait_acknowledged("early", 30s);
    REQUIRE(early_start);
    Collector early(early_topic, scratch.group("split-app"));

    Flow flow(original, partitions, 0, 100000, 200);
    REQUIRE(testing::wait_until(20s, [&] { return flow.produced() >= 400; }));
    registry.add({"late", late_topic, {{"source", "test-a"}}, std::nullopt});
    auto late_start = registry.wait_acknowledged("late", 30s);
    REQUIRE(late_start);
    int at_ready = flow.produced();
    Collector late(late_topic, scratch.group("split-app"));
    REQUIRE(testing::wait_until(30s, [&] { return flow.produced() >= at_ready + 800; }));
    flow.stop();

    auto all = read_produced(original, partitions, flow);
    auto late_expected = expected_after(all, *late_start, test_a);
    auto early_expected = expected_after(all, *early_start, test_sources);
    // Everything matching produced after the late session's Ready! is in its expected set.
    for (const auto& record : all)
        if (id_of(record) >= at_ready && test_a(record))
            REQUIRE(late_expected.contains(id_of(record)));
    CHECK(late_expected.size() > 200);

    CHECK(ids(late.records(late_expected.size(), 60s)) == late_expected);
    CHECK(ids(early.records(early_expected.size(), 30s, 0ms)) == early_expected);
    splitter->stop();
    CHECK_FALSE(splitter->failed());
}

TEST_CASE("splitter fencing and takeover", "[split][kafka]") {
    Scratch scratch;
    std::string original = scratch.topic("split-fence", partitions);
    std::string session_topic = scratch.topic("split-it-fence", partitions);
    std::string key = unique_name("fence");
    scratch.own_group(agent::splitter_group(key));

    agent::MemoryRegistry registry;
    auto first = must(agent::Splitter::start(options_for(original, key), registry));
    registry.add({"s", session_topic, {{"source", "^test-"}}, std::nullopt});
    auto start = registry.wait_acknowledged("s", 30s);
    REQUIRE(start);
    Collector app(session_topic, scratch.group("split-app"));

    Flow flow(original, partitions, 0, 100000, 200);
    REQUIRE(testing::wait_until(20s, [&] { return flow.produced() >= 300; }));
    // The takeover comes while the first splitter still holds the session's copies back
    // (hold_back.hpp, 2 s after its consumer is seen): they exist only in its memory, and the
    // second gets them again through the committed offsets' metadata (split_resume.hpp).
    CHECK(first->delivered()["s"] == 0);
    // A standby took over while the old leader still runs: the old one is fenced.
    auto second = must(agent::Splitter::start(options_for(original, key), registry));
    REQUIRE(testing::wait_until(20s, [&] { return first->failed(); }));
    INFO(first->failure());
    CHECK_THAT(first->failure(), Catch::Contains("splitter of " + original));
    int at_fence = flow.produced();
    REQUIRE(testing::wait_until(30s, [&] { return flow.produced() >= at_fence + 600; }));
    flow.stop();

    auto all = read_produced(original, partitions, flow);
    auto expected = expected_after(all, *start, test_sources);
    CHECK(expected.size() > 300);
    CHECK(ids(app.records(expected.size(), 60s)) == expected);
    // The session topic as any read_committed reader sees it: each copy exactly once.
    CHECK(ids(read_all(session_topic, partitions, expected.size(), 30s)) == expected);
    CHECK_FALSE(second->failed());
    second->stop();
    first->stop();
}

TEST_CASE("splitter takeover keeps the delivered count", "[split][kafka]") {
    Scratch scratch;
    std::string original = scratch.topic("split-count", partitions);
    std::string session_topic = scratch.topic("split-it-count", partitions);
    std::string key = unique_name("count");
    scratch.own_group(agent::splitter_group(key));
    agent::SplitterOptions options = options_for(original, key);
    options.hold_settle = 0ms; // delivering at once: the first leader's copies are committed
    options.max_hold = 0ms;

    agent::MemoryRegistry registry;
    auto first = must(agent::Splitter::start(options, registry));
    registry.add({"s", session_topic, {{"source", "^test-"}}, std::nullopt});
    auto start = registry.wait_acknowledged("s", 30s);
    REQUIRE(start);
    Flow flow(original, partitions, 0, 100000, 200);
    REQUIRE(testing::wait_until(20s, [&] { return first->delivered()["s"] >= 100; }));

    std::unique_ptr<agent::Splitter> second;
    agent::MemoryRegistry successor_registry;
    SECTION("after the leader stops, its successor counts on from its count") {
        first->stop();
        second = must(agent::Splitter::start(options, registry));
    }
    SECTION("after the leader is fenced mid-stream, its successor counts on from the committed "
            "offsets' metadata alone") {
        // As after a SIGKILL: the successor's registry has no count (a Lease's lags by up to
        // 2 s), only the acknowledged start.
        successor_registry.add({"s", session_topic, {{"source", "^test-"}}, *start});
        second = must(agent::Splitter::start(options, successor_registry));
        REQUIRE(testing::wait_until(20s, [&] { return first->failed(); }));
    }
    int at_takeover = flow.produced();
    REQUIRE(testing::wait_until(30s, [&] { return flow.produced() >= at_takeover + 400; }));
    flow.stop();

    auto all = read_produced(original, partitions, flow);
    auto expected = expected_after(all, *start, test_sources);
    CHECK(ids(read_all(session_topic, partitions, expected.size(), 30s)) == expected);
    INFO("the second leader's count is every copy of the session, both leaders' together");
    CHECK(testing::wait_until(20s, [&] { return second->delivered()["s"] == expected.size(); }));
    CHECK(second->delivered()["s"] == expected.size());
    CHECK_FALSE(second->failed());
    second->stop();
    first->stop();
}

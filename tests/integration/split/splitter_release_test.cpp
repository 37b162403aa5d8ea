// The end of a session as the splitter sees it (agent/split_sessions.cpp): an unregistered
// session is released only once none of its copies can still be written, and a session topic
// deleted while copies to it are still queued stays deleted (the splitter's producer may not
// auto-create it), without loss or duplicates for the other sessions.

#include "tests/integration/split/split_support.hpp"

using namespace mirrord;
using namespace mirrord::split_testing;

namespace {

constexpr int partitions = 3;

bool topic_exists(kafka::Admin& admin, const std::string& topic) {
    auto topics = must(admin.list_topics(5s));
    return std::find(topics.begin(), topics.end(), topic) != topics.end();
}

} // namespace

TEST_CASE("splitter releasing an ended session", "[split][kafka]") {
    Scratch scratch;
    std::string original = scratch.topic("split-release", partitions);
    std::string ending_topic = scratch.topic("split-it-ending", partitions);
    std::string staying_topic = scratch.topic("split-it-staying", partitions);
    std::string key = unique_name("release");
    scratch.own_group(agent::splitter_group(key));

    agent::MemoryRegistry registry;
    agent::SplitterOptions options = options_for(original, key);
    options.hold_settle = 0ms;
    options.max_hold = 0ms;
    auto splitter = must(agent::Splitter::start(options, registry));
    registry.add({"ending", ending_topic, {{"source", "^test-"}}, std::nullopt});
    registry.add({"staying", staying_topic, {{"source", "^test-"}}, std::nullopt});
    auto start = registry.wait_acknowledged("staying", 30s);
    REQUIRE(start);
    REQUIRE(registry.wait_acknowledged("ending", 30s));

    Flow flow(original, partitions, 0, 100000, 200);
    REQUIRE(testing::wait_until(20s, [&] { return registry.delivered_count("ending") > 50; }));

    SECTION("it is released once nothing more is written to its topic, with the final count") {
        registry.remove("ending");
        REQUIRE(testing::wait_until(
            5s, [&] { return registry.released_count("ending").has_value(); }));
        auto released = *registry.released_count("ending");
        int at_release = flow.produced();
        REQUIRE(testing::wait_until(20s, [&] { return flow.produced() >= at_release + 300; }));
        // Read with the flow still running: copies after the release would show here.
        auto copies = read_all(ending_topic, partitions, released, 20s);
        CHECK(copies.size() == released);
        auto copied = ids(copies);
        CHECK(std::set<int>(copied.begin(), copied.end()).size() == copied.size());
    }
    SECTION("its topic deleted while copies to it are queued stays deleted") {
        // A topic deleted under the splitter's idempotent producer while copies to it are in
        // flight stalls the producer on every partition until those copies time out (librdkafka
        // 2.0.2), so the transaction does not commit: after stuck_commit (5 s) the splitter
        // starts a new engine from the last commit, whose producer fences the stuck one.
        // mirrord itself never deletes a topic under a live splitter (exec and the reaper
        // unregister the session and wait for its release, agent::await_release); a delete by
        // hand can.
        // A delete by hand (or an old mirrord's reaper): the topic goes at once, while the
        // splitter still routes to it until its next look at the registry.
        must(scratch.admin().delete_topic(ending_topic, 10s));
        REQUIRE(testing::wait_until(10s, [&] { return !topic_exists(scratch.admin(),
                                                                   ending_topic); }));
        int at_delete = flow.produced();
        REQUIRE(testing::wait_until(10s, [&] { return flow.produced() >= at_delete + 100; }));
        registry.remove("ending");
        // The stuck commit (5 s), a new engine (about 1 s), its first look at the registry.
        REQUIRE(testing::wait_until(
            20s, [&] { return registry.released_count("ending").has_value(); }));
        // The producer's metadata refreshes and retries take a few seconds to give up.
        auto until = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < until) {
            REQUIRE_FALSE(topic_exists(scratch.admin(), ending_topic));
            std::this_thread::sleep_for(250ms);
        }
    }
    int at_end = flow.produced();
    REQUIRE(testing::wait_until(20s, [&] { return flow.produced() >= at_end + 200; }));
    flow.stop();
    auto all = read_produced(original, partitions, flow);
    auto expected = expected_after(all, *start, test_sources);
    INFO("the other session gets each of its copies exactly once");
    CHECK(ids(read_all(staying_topic, partitions, expected.size(), 60s)) == expected);
    CHECK_FALSE(splitter->failed());
    splitter->stop();
}

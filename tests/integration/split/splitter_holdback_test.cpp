// The hold-back (agent/hold_back.hpp): a consumer with a hard-coded group and
// auto.offset.reset=latest that joins seconds after Ready! still gets everything produced after
// Ready!; a session topic that does not exist yet is waited for; an ended session is dropped.

#include "tests/integration/split/split_support.hpp"

using namespace mirrord;
using namespace mirrord::split_testing;

namespace {

constexpr int partitions = 2;

bool all_ids_once(const std::vector<kafka::Message>& records, int from, int to) {
    std::multiset<int> expected;
    for (int i = from; i < to; ++i)
        expected.insert(i);
    return ids(records) == expected;
}

} // namespace

TEST_CASE("splitter hold-back for a late latest consumer", "[split][kafka]") {
    Scratch scratch;
    std::string original = scratch.topic("split-hold", partitions);
    std::string session_topic = scratch.topic("split-it-hold", partitions);
    std::string key = unique_name("hold");
    scratch.own_group(agent::splitter_group(key));
    // The guide's app hard-codes the deployed consumer's own group, an active group already.
    std::string shared_group = scratch.group("test-consumer-group");
    Collector deployed(original, shared_group);

    agent::MemoryRegistry registry;
    auto splitter = must(agent::Splitter::start(options_for(original, key), registry));
    registry.add({"s", session_topic, {{"source", "^test-a"}}, std::nullopt});
    REQUIRE(registry.wait_acknowledged("s", 30s)); // exec prints Ready! here

    kafka::Producer producer = must(kafka::Producer::create(broker()));
    for (int i = 0; i < 100; ++i)
        must(producer.produce(
            {.topic = original, .key = {}, .value = "x",
             .headers = {{"id", std::to_string(i)}, {"source", "test-a"}},
             .partition = i % partitions, .timestamp_ms = {}}));
    must(producer.flush(30s));
    // The local app starts a few seconds after Ready! (the scenario, not a wait for a state).
    std::this_thread::sleep_for(3s);
    Collector app(session_topic, shared_group);

    auto received = app.records(100, 30s);
    CHECK(all_ids_once(received, 0, 100));
    CHECK(splitter->delivered()["s"] <= 100);
    CHECK_FALSE(splitter->failed());
}

TEST_CASE("splitter session topic created late and the session ended", "[split][kafka]") {
    Scratch scratch;
    std::string original = scratch.topic("split-late", partitions);
    std::string session_topic = unique_name("split-it-late-topic");
    std::string key = unique_name("late");
    scratch.own_group(agent::splitter_group(key));

    agent::MemoryRegistry registry;
    auto splitter = must(agent::Splitter::start(options_for(original, key), registry));
    registry.add({"s", session_topic, {}, std::nullopt});
    REQUIRE(registry.wait_acknowledged("s", 30s));
    produce_all(original, partitions, 0, 20);
    // The copies wait for the topic instead of failing the transaction.
    std::this_thread::sleep_for(1500ms);
    CHECK_FALSE(splitter->failed());
    scratch.create(session_topic, partitions);
    {
        Collector app(session_topic, scratch.group("split-app"));
        CHECK(all_ids_once(app.records(20, 30s, 0ms), 0, 20));
    }
    REQUIRE(testing::wait_until(10s, [&] { return splitter->delivered()["s"] == 20; }));

    registry.remove("s");
    // Past one registry refresh (500 ms) the session is gone: later records are not copied.
    std::this_thread::sleep_for(1s);
    produce_all(original, partitions, 20, 40);
    auto all = read_all(session_topic, partitions, 40, 5s);
    CHECK(all_ids_once(all, 0, 20));
    CHECK_FALSE(splitter->failed());
}

// The splitter against the testenv broker: three sessions with different and overlapping
// filters receive exactly their matching records, copied unchanged, once each; nothing produced
// before the split started is replayed.

#include "tests/integration/split/split_support.hpp"

using namespace mirrord;
using namespace mirrord::split_testing;

namespace {

constexpr int partitions = 3;
constexpr int count = 1000;

bool matches_a(int i) { return source_of(i) && source_of(i)->starts_with("test-"); }
bool matches_b(int i) { return source_of(i) == "test-b"; }
bool matches_c(int i) {
    return source_of(i) && source_of(i)->find("test-a") != std::string::npos &&
           (i % 10 == 0 || i % 10 == 5);
}

std::multiset<int> expected(bool (*matches)(int)) {
    std::multiset<int> ids;
    for (int i = 0; i < count; ++i)
        if (matches(i))
            ids.insert(i);
    return ids;
}

} // namespace

TEST_CASE("splitter routing", "[split][kafka]") {
    Scratch scratch;
    std::string original = scratch.topic("split-original", partitions);
    std::map<std::string, std::string> topics;
    for (const char* session : {"a", "b", "c", "d", "e"})
        topics[session] = scratch.topic(fmt::format("split-it-{}", session), partitions);
    std::string key = unique_name("route");
    scratch.own_group(agent::splitter_group(key));

    // Produced before the split exists: never replayed.
    produce_all(original, partitions, 100000, 100060, "old");

    agent::MemoryRegistry registry;
    auto splitter = must(agent::Splitter::start(options_for(original, key), registry));
    registry.add({"a", topics["a"], {{"source", "^test-"}}, std::nullopt});
    registry.add({"b", topics["b"], {{"source", "^test-b$"}}, std::nullopt});
    // Unanchored, and both entries must match.
    registry.add({"c", topics["c"], {{"source", "test-a"}, {"id", "[05]$"}}, std::nullopt});
    // A header no record has never matches, even with a pattern that matches anything.
    registry.add({"d", topics["d"], {{"missing", ""}}, std::nullopt});
    registry.add({"e", topics["e"], {{"source", "^(test"}}, std::nullopt});

    std::map<std::string, std::unique_ptr<Collector>> consumers;
    for (const char* session : {"a", "b", "c", "d"}) {
        REQUIRE(registry.wait_acknowledged(session, 30s));
        consumers[session] =
            std::make_unique<Collector>(topics[session], scratch.group("split-app"));
    }
    produce_all(original, partitions, 0, count);

    auto a = consumers["a"]->records(expected(matches_a).size(), 60s);
    auto b = consumers["b"]->records(expected(matches_b).size(), 30s, 0ms);
    auto c = consumers["c"]->records(expected(matches_c).size(), 30s, 0ms);
    auto d = consumers["d"]->records(0, 0s, 0ms);

    {
        INFO("each session gets exactly its matching records, overlapping ones in every session");
        CHECK(ids(a) == expected(matches_a));
        CHECK(ids(b) == expected(matches_b));
        CHECK(ids(c) == expected(matches_c));
        CHECK(d.empty());
        CHECK(expected(matches_b).size() > 100);
        CHECK(expected(matches_c).size() > 50);
    }
    {
        INFO("copies keep key, value, headers, timestamp and partition");
        REQUIRE(!a.empty());
        for (const auto& record : a) {
            int id = id_of(record);
            kafka::OutgoingMessage sent = numbered(original, id, partitions);
            CHECK(record.key == sent.key);
            CHECK(record.value == sent.value);
            CHECK(record.headers == sent.headers);
            CHECK(record.timestamp ==
                  kafka::Timestamp{kafka::TimestampType::create_time, *sent.timestamp_ms});
            CHECK(record.partition == *sent.partition);
        }
    }
    {
        INFO("a read_committed reader of the session topic sees each copy once, and no old one");
        auto all = read_all(topics["a"], partitions, expected(matches_a).size(), 30s);
        CHECK(ids(all) == expected(matches_a));
    }
    {
        INFO("the delivered counts are the committed copies, and a bad regex is that session's "
            "error");
        REQUIRE(testing::wait_until(10s, [&] {
            return splitter->delivered()["a"] == expected(matches_a).size();
        }));
        CHECK(splitter->delivered()["b"] == expected(matches_b).size());
        REQUIRE(testing::wait_until(5s, [&] { return registry.delivered_count("a") > 0; }));
        auto errors = splitter->session_errors();
        REQUIRE(errors.contains("e"));
        CHECK_THAT(errors["e"], Catch::Contains("header source: invalid regex \"^(test\""));
        CHECK_FALSE(registry.start_offsets("e"));
        CHECK_FALSE(splitter->failed());
    }
    splitter->stop();
    CHECK_FALSE(splitter->failed());
}

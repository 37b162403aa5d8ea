// The names and annotations a split shares between exec, the splitter, the reaper and reset
// (agent/split_names.hpp): stable keys, and edited annotations read as errors, never thrown.

#include <catch2/catch.hpp>

#include "agent/split_names.hpp"
#include "tests/bench/bench_names.hpp"

using namespace mirrord::agent;

TEST_CASE("split names") {
    SECTION("the split key is 12 hex digits of SHA-256 over ns/kind/name/topic_id") {
        // printf 'default/Deployment/kafka-consumer/test_topic' | sha256sum | cut -c1-12
        CHECK(split_key("default", "Deployment", "kafka-consumer", "test_topic") ==
              "96583bc7c4e7");
        CHECK(split_key("default", "Deployment", "kafka-consumer", "other") !=
              split_key("default", "Deployment", "kafka-consumer", "test_topic"));
        CHECK(splitter_lease_name("abc") == "mirrord-splitter-abc");
    }
    SECTION("temporary names carry the session id, and only mirrord-tmp- names are ours") {
        CHECK(session_topic("1a2b3c4d", "test_topic") == "mirrord-tmp-1a2b3c4d-test_topic");
        CHECK(session_of_temporary("mirrord-tmp-1a2b3c4d-test_topic") == "1a2b3c4d");
        CHECK_FALSE(session_of_temporary("mirrord-split-abc"));
        CHECK_FALSE(session_of_temporary("mirrord-tmp--x"));
        CHECK_FALSE(session_of_temporary("test-topic"));
        // Only an id mirrord could have made: reset deletes what this names.
        CHECK_FALSE(session_of_temporary("mirrord-tmp-fence-1a2b3c4d"));
        CHECK_FALSE(session_of_temporary("mirrord-tmp-orders-v2"));
        CHECK_FALSE(session_of_temporary("mirrord-tmp-1A2B3C4D-x"));
        CHECK_FALSE(session_of_temporary("mirrord-tmp-1a2b3c4d5-x"));
    }
    SECTION("the benchmark's topics are never taken for a dead session's temporaries") {
        // `mirrord reset` deletes those whose session has no Lease, also mid-benchmark.
        for (const auto& name : {mirrord::bench::session_topic_name(0),
                                 mirrord::bench::session_topic_name(99),
                                 mirrord::bench::bench_name("original")})
            CHECK_FALSE(session_of_temporary(name));
    }
    SECTION("a registration reads back as written") {
        Registration written{"test_topic", "test-topic", "mirrord-tmp-1-test_topic",
                             {{"source", "^test-"}, {"x", "y"}}, "mirror"};
        auto read = parse_registration(to_json(written).dump());
        REQUIRE(read);
        CHECK(read->session_topic == written.session_topic);
        CHECK(read->filter == written.filter);
        CHECK(describe_filter(read->filter) == "source=^test-, x=y");
    }
    SECTION("edited annotations are errors naming the key") {
        CHECK(parse_registration("{").error().message().find("mirrord.dev/split") !=
              std::string::npos);
        auto wrong = parse_registration(R"({"topic_id":"t","original_topic":"o",
                                            "session_topic":"s","filter":{"source":5}})");
        REQUIRE_FALSE(wrong);
        CHECK(wrong.error().message().find("filter.source") != std::string::npos);
        CHECK_FALSE(parse_split_start(R"({"offsets":{"x":1}})"));
        CHECK_FALSE(parse_split_start(R"({"offsets":{"0":"1"}})"));
        auto start = parse_split_start(split_start_text({{{0, 5}, {2, 9}}, "abc"}));
        REQUIRE(start);
        CHECK(start->offsets == std::map<int32_t, int64_t>{{0, 5}, {2, 9}});
    }
}

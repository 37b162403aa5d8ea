#include <catch2/catch.hpp>

#include "agent/split_resume.hpp"

using namespace mirrord::agent;

TEST_CASE("split resume metadata", "[agent][split]") {
    SECTION("what a leader encodes, its successor decodes") {
        Resume resume{120, {{"sess-a", 100}, {"sess-b", 117}}};
        CHECK(encode(resume) == "mirrord-split/1 until=120 sess-a=100 sess-b=117");
        CHECK(decode(encode(resume)) == resume);
    }
    SECTION("empty, foreign or damaged metadata is ignored") {
        CHECK_FALSE(decode(""));
        CHECK_FALSE(decode("someone else's"));
        CHECK_FALSE(decode("mirrord-split/1 sess-a=1"));
        CHECK_FALSE(decode("mirrord-split/1 until=x"));
        CHECK_FALSE(decode("mirrord-split/1 until=5 sess-a=-1"));
    }
}

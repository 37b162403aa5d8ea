#include <catch2/catch.hpp>

#include "agent/split_resume.hpp"

using namespace mirrord::agent;

TEST_CASE("split resume metadata", "[agent][split]") {
    SECTION("what a leader encodes, its successor decodes") {
        Resume resume{120, {{"sess-a", 100}, {"sess-b", 117}}};
        CHECK(encode(resume) == "mirrord-split/1 until=120 sess-a=100 sess-b=117");
        CHECK(decode(encode(resume)) == resume);
    }
    SECTION("the delivered counts travel with it, also without needs") {
        Resume resume{120, {{"sess-a", 100}}, {{"sess-a", 7}, {"sess-b", 12000}}};
        CHECK(encode(resume) == "mirrord-split/1 until=120 sess-a=100 #sess-a=7 #sess-b=12000");
        CHECK(decode(encode(resume)) == resume);
        Resume counts_only{5, {}, {{"sess-b", 3}}};
        CHECK(decode(encode(counts_only)) == counts_only);
        CHECK(decode(encode(counts_only))->needs.empty());
    }
    SECTION("empty, foreign or damaged metadata is ignored") {
        CHECK_FALSE(decode("mirrord-split/1 until=5 #=3"));
        CHECK_FALSE(decode("mirrord-split/1 until=5 #sess-a=x"));
        CHECK_FALSE(decode(""));
        CHECK_FALSE(decode("someone else's"));
        CHECK_FALSE(decode("mirrord-split/1 sess-a=1"));
        CHECK_FALSE(decode("mirrord-split/1 until=x"));
        CHECK_FALSE(decode("mirrord-split/1 until=5 sess-a=-1"));
    }
}

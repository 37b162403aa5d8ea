#include <catch2/catch.hpp>

#include "agent/filter.hpp"

using namespace mirrord;
using namespace mirrord::agent;

namespace {

Filter compiled(const Filter::Entries& entries) {
    auto filter = Filter::compile(entries);
    if (!filter)
        FAIL(filter.error().message());
    return std::move(filter).value();
}

} // namespace

TEST_CASE("split filter", "[agent][filter]") {
    SECTION("a pattern is searched anywhere in the header's value") {
        Filter filter = compiled({{"source", "test"}});
        CHECK(filter.matches({{"source", "my-test-1"}}));
        CHECK_FALSE(filter.matches({{"source", "prod"}}));
    }
    SECTION("every entry must match its own header") {
        Filter filter = compiled({{"source", "^test-"}, {"tenant", "^a$"}});
        CHECK(filter.matches({{"tenant", "a"}, {"source", "test-1"}}));
        CHECK_FALSE(filter.matches({{"source", "test-1"}, {"tenant", "b"}}));
        CHECK_FALSE(filter.matches({{"source", "test-1"}}));
    }
    SECTION("a missing header or a null value does not match, even an empty pattern") {
        Filter filter = compiled({{"source", ""}});
        CHECK_FALSE(filter.matches({}));
        CHECK_FALSE(filter.matches({{"other", "x"}}));
        CHECK_FALSE(filter.matches({{"source", std::nullopt}}));
        CHECK(filter.matches({{"source", ""}}));
    }
    SECTION("with a repeated header, any of its values may match") {
        Filter filter = compiled({{"source", "^test-"}});
        CHECK(filter.matches({{"source", "prod"}, {"source", "test-2"}}));
    }
    SECTION("an empty filter matches every record") {
        CHECK(compiled({}).matches({}));
    }
    SECTION("binary values are searched as bytes; invalid UTF-8 matches no pattern character") {
        Filter prefix = compiled({{"source", "^test-"}});
        CHECK(prefix.matches({{"source", std::string("test-\xff\x00z", 8)}}));
        CHECK_FALSE(compiled({{"source", "^test-.$"}}).matches({{"source", "test-\xff"}}));
        CHECK(compiled({{"source", "\\x00z$"}}).matches({{"source", std::string("a\0z", 3)}}));
    }
    SECTION("a pattern that does not compile names the header and the pattern") {
        auto filter = Filter::compile({{"source", "^test-"}, {"tenant", "^(a"}});
        REQUIRE_FALSE(filter);
        CHECK_THAT(filter.error().message(),
                   Catch::StartsWith("header tenant: invalid regex \"^(a\": missing )"));
    }
    SECTION("describe lists the entries for the summary") {
        CHECK(compiled({{"source", "^test-"}, {"tenant", "a"}}).describe() ==
              "source=^test-, tenant=a");
    }
}

#include <catch2/catch.hpp>

#include "common/core/log.hpp"
#include "common/core/result.hpp"

using namespace mirrord;

TEST_CASE("log::redact") {
    log::add_secret("s3cr3t-token-value");
    SECTION("a registered secret is masked wherever it appears") {
        CHECK(log::redact("Authorization: Bearer s3cr3t-token-value.") ==
              "Authorization: Bearer ********.");
    }
    SECTION("short values are not registered, so ordinary words survive") {
        log::add_secret("ab");
        CHECK(log::redact("tab") == "tab");
    }
}

TEST_CASE("Result") {
    SECTION("wrap puts context in front of the cause") {
        Result<int> r = fail("403 Forbidden");
        auto wrapped = std::move(r).wrap("scaling down deployment default/x");
        REQUIRE_FALSE(wrapped);
        CHECK(wrapped.error().message() == "scaling down deployment default/x: 403 Forbidden");
    }
    SECTION("a value passes through wrap untouched") {
        Result<int> r = 7;
        CHECK(*std::move(r).wrap("x") == 7);
    }
}

#include <catch2/catch.hpp>

#include "common/kube/retry.hpp"

using namespace mirrord::kube;
using namespace std::chrono_literals;

namespace {

AttemptOutcome http(long status, std::optional<std::chrono::seconds> retry_after = {}) {
    AttemptOutcome outcome;
    outcome.http_status = status;
    outcome.retry_after = retry_after;
    return outcome;
}

AttemptOutcome broken(bool nothing_sent) {
    AttemptOutcome outcome;
    outcome.connection_failed = true;
    outcome.nothing_sent = nothing_sent;
    return outcome;
}

} // namespace

TEST_CASE("retry_delay") {
    RetryPolicy policy;
    SECTION("success and client errors are never retried") {
        CHECK_FALSE(retry_delay(policy, http(200), true, 1, 0ms));
        CHECK_FALSE(retry_delay(policy, http(403), true, 1, 0ms));
        CHECK_FALSE(retry_delay(policy, http(409), true, 1, 0ms));
    }
    SECTION("429 is retried for every verb and waits at least Retry-After") {
        auto delay = retry_delay(policy, http(429, 2s), false, 1, 0ms);
        REQUIRE(delay);
        CHECK(*delay >= 2000ms);
    }
    SECTION("5xx with Retry-After is retried for every verb (client-go's rule)") {
        CHECK(retry_delay(policy, http(500, 1s), false, 1, 0ms));
    }
    SECTION("503 without Retry-After is retried only for idempotent requests") {
        CHECK(retry_delay(policy, http(503), true, 1, 0ms));
        CHECK_FALSE(retry_delay(policy, http(503), false, 1, 0ms));
        CHECK_FALSE(retry_delay(policy, http(500), true, 1, 0ms));
    }
    SECTION("a broken connection is retried for GET, and for POST only if nothing was sent") {
        CHECK(retry_delay(policy, broken(false), true, 1, 0ms));
        CHECK_FALSE(retry_delay(policy, broken(false), false, 1, 0ms));
        CHECK(retry_delay(policy, broken(true), false, 1, 0ms));
    }
    SECTION("the attempt count and the time budget bound retries") {
        CHECK_FALSE(retry_delay(policy, http(429), true, policy.max_attempts, 0ms));
        CHECK_FALSE(retry_delay(policy, http(429, 5s), true, 2, policy.budget - 1s));
    }
    SECTION("backoff grows and is capped") {
        auto first = *retry_delay(policy, broken(true), true, 1, 0ms);
        auto later = *retry_delay(policy, broken(true), true, 8, 0ms);
        CHECK(first <= 240ms);
        CHECK(later > first);
        CHECK(later <= policy.max_delay * 12 / 10);
    }
    SECTION("a huge Retry-After is capped") {
        auto delay = retry_delay(policy, http(429, std::chrono::seconds(100000)), true, 1, 0ms);
        REQUIRE(delay);
        CHECK(*delay <= policy.max_retry_after);
    }
}

TEST_CASE("parse_retry_after") {
    CHECK(parse_retry_after("3") == std::chrono::seconds(3));
    CHECK(parse_retry_after("") == std::nullopt);
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == std::chrono::seconds(1));
}

TEST_CASE("is_idempotent") {
    CHECK(is_idempotent("GET"));
    CHECK(is_idempotent("DELETE"));
    CHECK_FALSE(is_idempotent("POST"));
    CHECK_FALSE(is_idempotent("PATCH"));
}

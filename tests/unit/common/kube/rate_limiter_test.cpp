#include <catch2/catch.hpp>

#include "common/kube/rate_limiter.hpp"

using namespace mirrord::kube;
using namespace std::chrono_literals;

TEST_CASE("RateLimiter") {
    SECTION("a full bucket lets `burst` requests through at once, then spaces them by 1/qps") {
        RateLimiter limiter(5, 10);
        const auto start = RateLimiter::Clock::now();
        for (int i = 0; i < 10; ++i)
            CHECK(limiter.reserve(start) == RateLimiter::Clock::duration::zero());
        CHECK(limiter.reserve(start) == std::chrono::duration_cast<RateLimiter::Clock::duration>(200ms));
        CHECK(limiter.reserve(start) == std::chrono::duration_cast<RateLimiter::Clock::duration>(400ms));
    }
    SECTION("tokens refill with time, up to the burst") {
        RateLimiter limiter(10, 2);
        const auto start = RateLimiter::Clock::now();
        limiter.reserve(start);
        limiter.reserve(start);
        CHECK(limiter.reserve(start + 100ms) == RateLimiter::Clock::duration::zero());
        // An hour idle still only saves up `burst` tokens.
        auto later = start + 1h;
        CHECK(limiter.reserve(later) == RateLimiter::Clock::duration::zero());
        CHECK(limiter.reserve(later) == RateLimiter::Clock::duration::zero());
        CHECK(limiter.reserve(later) > RateLimiter::Clock::duration::zero());
    }
    SECTION("qps 0 disables throttling") {
        RateLimiter limiter(0, 1);
        const auto start = RateLimiter::Clock::now();
        for (int i = 0; i < 100; ++i)
            CHECK(limiter.reserve(start) == RateLimiter::Clock::duration::zero());
    }
}

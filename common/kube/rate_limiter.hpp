#pragma once
// Client-side throttle: a token bucket shared by every request of a Client (client-go's
// flowcontrol.NewTokenBucketRateLimiter).

#include <chrono>
#include <mutex>

namespace mirrord::kube {

// Token bucket: `qps` tokens per second, at most `burst` saved up. qps <= 0 disables it.
// Thread-safe.
class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    RateLimiter(double qps, int burst);

    // Takes one token and returns how long the caller must wait before sending. Reserving
    // (rather than sleeping under the lock) keeps concurrent callers in FIFO order.
    Clock::duration reserve(Clock::time_point now = Clock::now());

    // reserve() then sleep for the returned delay.
    void acquire();

private:
    double qps_;
    double burst_;
    double tokens_;
    Clock::time_point last_;
    std::mutex mutex_;
};

} // namespace mirrord::kube

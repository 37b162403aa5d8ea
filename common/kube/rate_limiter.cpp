#include "common/kube/rate_limiter.hpp"

#include <algorithm>
#include <thread>

namespace mirrord::kube {

RateLimiter::RateLimiter(double qps, int burst)
    : qps_(qps), burst_(std::max(1, burst)), tokens_(std::max(1, burst)), last_(Clock::now()) {}

RateLimiter::Clock::duration RateLimiter::reserve(Clock::time_point now) {
    if (qps_ <= 0)
        return Clock::duration::zero();
    std::lock_guard lock(mutex_);
    if (now > last_) {
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
        last_ = now;
    }
    // Tokens may go negative: each waiter owns a slot further in the future.
    tokens_ -= 1.0;
    if (tokens_ >= 0)
        return Clock::duration::zero();
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(-tokens_ / qps_));
}

void RateLimiter::acquire() {
    auto delay = reserve();
    if (delay > Clock::duration::zero())
        std::this_thread::sleep_for(delay);
}

} // namespace mirrord::kube

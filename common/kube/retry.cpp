#include "common/kube/retry.hpp"

#include <algorithm>
#include <cctype>
#include <random>

namespace mirrord::kube {
namespace {

bool retryable(const AttemptOutcome& outcome, bool idempotent) {
    if (outcome.connection_failed)
        return idempotent || outcome.nothing_sent;
    if (outcome.http_status == 429)
        return true; // rejected before any processing, so safe for every verb
    if (outcome.http_status >= 500 && outcome.retry_after)
        return true; // the server asked for it (client-go's rule)
    return idempotent &&
           (outcome.http_status == 502 || outcome.http_status == 503 || outcome.http_status == 504);
}

// Exponential backoff with +-20% jitter so parallel clients do not retry in lockstep.
std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempt) {
    double delay = static_cast<double>(policy.base_delay.count());
    for (int i = 1; i < attempt && delay < static_cast<double>(policy.max_delay.count()); ++i)
        delay *= 2;
    delay = std::min(delay, static_cast<double>(policy.max_delay.count()));
    thread_local std::minstd_rand random{std::random_device{}()};
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    return std::chrono::milliseconds(static_cast<long>(delay * jitter(random)));
}

} // namespace

std::optional<std::chrono::milliseconds> retry_delay(const RetryPolicy& policy,
                                                     const AttemptOutcome& outcome,
                                                     bool idempotent, int attempt,
                                                     std::chrono::milliseconds waited) {
    if (attempt >= policy.max_attempts || !retryable(outcome, idempotent))
        return std::nullopt;
    std::chrono::milliseconds delay = backoff(policy, attempt);
    if (outcome.retry_after) {
        // Retry-After is the server's minimum; never wait less, but cap a hostile value.
        auto asked = std::min<std::chrono::milliseconds>(*outcome.retry_after,
                                                         policy.max_retry_after);
        delay = std::max(delay, asked);
    }
    if (waited + delay > policy.budget)
        return std::nullopt;
    return delay;
}

std::optional<std::chrono::seconds> parse_retry_after(const std::string& value) {
    if (value.empty())
        return std::nullopt;
    if (std::all_of(value.begin(), value.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
        if (value.size() > 6)
            return std::chrono::seconds(999999);
        return std::chrono::seconds(std::stol(value));
    }
    return std::chrono::seconds(1);
}

bool is_idempotent(const std::string& method) {
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
           method == "OPTIONS";
}

} // namespace mirrord::kube

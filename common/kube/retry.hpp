#pragma once
// When and how long to wait before retrying a request. Pure decisions, so they are unit-tested
// without a network; rest_client.cpp applies them.
//
// client-go retries only 429/5xx that carry Retry-After (with_retry.go). We also retry, for
// idempotent requests only, 502/503/504 without Retry-After and connection failures: a CLI run
// should survive an apiserver restart or a flaky load balancer, and a GET cannot do harm twice.

#include <chrono>
#include <optional>
#include <string>

namespace mirrord::kube {

// Limits for one logical request.
struct RetryPolicy {
    int max_attempts = 10;                                   // client-go maxRetries: 10
    std::chrono::milliseconds budget{std::chrono::seconds(60)}; // total time spent waiting
    std::chrono::milliseconds base_delay{200};
    std::chrono::milliseconds max_delay{std::chrono::seconds(5)};
    std::chrono::milliseconds max_retry_after{std::chrono::seconds(30)};
};

// What happened on one attempt.
struct AttemptOutcome {
    long http_status = 0;             // 0 when the transfer failed before a response
    bool connection_failed = false;   // refused, reset, timed out, empty reply
    bool nothing_sent = false;        // failed before the request left (connect failure)
    std::optional<std::chrono::seconds> retry_after;
};

// Decides whether attempt number `attempt` (1-based) should be followed by another, and after
// what delay; nullopt means stop. `waited` is the time already spent waiting on this request.
std::optional<std::chrono::milliseconds> retry_delay(const RetryPolicy& policy,
                                                     const AttemptOutcome& outcome,
                                                     bool idempotent, int attempt,
                                                     std::chrono::milliseconds waited);

// Parses a Retry-After header value (delta seconds; HTTP dates are treated as 1 s).
std::optional<std::chrono::seconds> parse_retry_after(const std::string& value);

// True for the HTTP methods that can be repeated safely (GET, HEAD, PUT, DELETE, OPTIONS).
bool is_idempotent(const std::string& method);

} // namespace mirrord::kube

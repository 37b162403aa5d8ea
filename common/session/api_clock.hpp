#pragma once
// The apiserver's clock, as seen from this machine.
//
// Why: a session Lease's renewTime is written by the machine that runs the session and judged
// by other machines (`ls`, `reset`, another `exec`, the guardian). Two laptops whose clocks are
// 20 s apart would each take the other's live session for stale (lease duration 15 s) if each
// wrote and judged with its own clock. So both sides use one clock, the apiserver's: every
// response carries a Date header; we keep the offset between it and the local clock, write
// renewTime as local time + offset, and judge staleness as local time + offset against
// renewTime + leaseDurationSeconds. Date has a resolution of one second, so the error is about a
// second plus the request's round trip, small against a 15 s lease. (We could also judge by
// watching renewTime change for a lease duration, which needs no shared clock, but every later
// `exec` and `ls` would then have to wait 15 s before it may undo anything.)
//
// Test only: MIRRORD_TEST_CLOCK_SKEW_SECONDS shifts the local clock this type reads, to test two
// machines with different clocks on one machine.

#include <atomic>
#include <chrono>
#include <string>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"

namespace mirrord::session {

using Clock = std::chrono::system_clock;

class ApiClock {
public:
    // The local clock, shifted by MIRRORD_TEST_CLOCK_SKEW_SECONDS when set (tests only).
    static Clock::time_point local_now();
    // Parses an HTTP Date ("Tue, 01 Dec 2026 18:48:35 GMT"); false when it is not one.
    static bool parse_http_date(const std::string& text, Clock::time_point& out);

    // Learns the offset from a response's Date header, received at `received` (local_now()).
    // Ignores an empty or unreadable header.
    void observe(const std::string& date_header, Clock::time_point received);
    // Takes over what `other` learnt.
    void copy_from(const ApiClock& other) {
        offset_micros_ = other.offset_micros_.load();
        known_ = other.known_.load();
    }
    // True once a Date header was seen.
    bool known() const { return known_.load(); }
    // The apiserver's time now: local_now() + the learnt offset (no offset before known()).
    Clock::time_point now() const;

    // client.call(request), observing the response's Date. Non-2xx statuses are returned as
    // responses, as call() does.
    Result<kube::Response> call(kube::Client& client, const kube::ApiRequest& request);
    // GET `path` through call(); non-2xx becomes the usual status error.
    Result<nlohmann::json> get(kube::Client& client, const std::string& path,
                               const kube::Query& query = {});

private:
    std::atomic<long long> offset_micros_{0};
    std::atomic<bool> known_{false};
};

} // namespace mirrord::session

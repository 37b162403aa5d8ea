#include "common/session/api_clock.hpp"

#include <cstdlib>
#include <ctime>

#include "common/kube/status_error.hpp"

namespace mirrord::session {

Clock::time_point ApiClock::local_now() {
    static const long long skew = [] {
        const char* value = std::getenv("MIRRORD_TEST_CLOCK_SKEW_SECONDS");
        return value != nullptr ? std::strtoll(value, nullptr, 10) : 0LL;
    }();
    return Clock::now() + std::chrono::seconds(skew);
}

bool ApiClock::parse_http_date(const std::string& text, Clock::time_point& out) {
    std::tm utc{};
    const char* rest = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &utc);
    if (rest == nullptr || *rest != '\0')
        return false;
    out = Clock::from_time_t(timegm(&utc));
    return true;
}

void ApiClock::observe(const std::string& date_header, Clock::time_point received) {
    Clock::time_point server;
    if (date_header.empty() || !parse_http_date(date_header, server))
        return;
    // Date is truncated to the second: the server's time was somewhere in [Date, Date + 1 s).
    server += std::chrono::milliseconds(500);
    auto offset = std::chrono::duration_cast<std::chrono::microseconds>(server - received);
    offset_micros_ = offset.count();
    known_ = true;
}

Clock::time_point ApiClock::now() const {
    return local_now() + std::chrono::microseconds(offset_micros_.load());
}

Result<kube::Response> ApiClock::call(kube::Client& client, const kube::ApiRequest& request) {
    auto response = client.call(request);
    if (response)
        observe(response->date, local_now());
    return response;
}

Result<nlohmann::json> ApiClock::get(kube::Client& client, const std::string& path,
                                     const kube::Query& query) {
    MIRRORD_TRY_ASSIGN(auto response, call(client, {"GET", path, query, "", ""}));
    if (response.status < 200 || response.status > 299)
        return kube::status_error("GET", path, response.status, response.raw);
    return std::move(response.body);
}

} // namespace mirrord::session

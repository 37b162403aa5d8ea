#pragma once
// Matches responses to requests. A Kafka response names only its correlation id; its layout
// (header version and body) depends on the api key and version of the request it answers.

#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "common/core/result.hpp"

namespace mirrord::tunnel::kafka {

// What a response answers.
struct PendingRequest {
    std::int16_t api_key = 0;
    std::int16_t api_version = 0;
    std::int32_t correlation_id = 0;
};

// The requests of one connection that still wait for their response.
class Correlator {
public:
    // Records a request frame (size prefix included) sent by the client. Produce with acks=0
    // gets no response, so it is not recorded. Errors for an unreadable header or a correlation
    // id that is already waiting.
    Status on_request(std::string_view frame);

    // Returns and forgets the request that a response frame answers; an error when none waits.
    Result<PendingRequest> on_response(std::string_view frame);
    // The same by correlation id, for a proxy that has read only the start of a response.
    Result<PendingRequest> take(std::int32_t correlation_id);

    std::size_t pending() const { return pending_.size(); }

private:
    std::unordered_map<std::int32_t, PendingRequest> pending_;
};

// Whether a Produce request frame (size prefix included) asks for no response (acks=0).
Result<bool> produce_without_response(std::string_view frame);

} // namespace mirrord::tunnel::kafka

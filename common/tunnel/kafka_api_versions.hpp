#pragma once
// Reading and capping the ApiVersions response, the broker's list of the versions it supports.
//
// The proxy caps what the broker advertises instead of parsing every response a newer version
// might put an address in:
// - Fetch v16+ and Produce v10+ (KIP-951) add a NodeEndpoints tagged field at the very end of
//   the body. Rewriting it means walking the whole response (every topic, partition and records
//   field) and buffering each Fetch response in full before the client sees a byte of it; capping
//   Fetch at v15 and Produce at v9 keeps the data path a byte-for-byte pass-through. The cost is
//   KIP-951's shortcut only: on a leader change the client refreshes Metadata, as before 3.7.
// - ShareFetch and ShareAcknowledge (KIP-932, preview) carry node endpoints in their bodies at
//   every version: removing them from the list makes share-group clients report the API as
//   unsupported rather than connect around the tunnel.
// - Metadata, FindCoordinator and DescribeCluster are capped at the newest versions
//   kafka_addresses.cpp can parse, so a newer broker cannot send a layout we do not know.
// Clients pick min(their max, the broker's max) per API, so a cap only lowers what is used.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.hpp"

namespace mirrord::tunnel::kafka {

// One entry of the ApiKeys array.
struct ApiVersionRange {
    std::int16_t api_key = 0;
    std::int16_t min_version = 0;
    std::int16_t max_version = 0;
};

// A limit on the max version advertised for one API; below the API's min version the API is
// removed from the list.
struct VersionCap {
    std::int16_t api_key = 0;
    std::int16_t max_version = 0;
};

// The caps the Kafka tunnel proxy applies (see the top of this file).
const std::vector<VersionCap>& proxy_version_caps();

// The decoded ApiVersions response body.
struct ApiVersions {
    std::int16_t error_code = 0;
    std::vector<ApiVersionRange> api_keys;
    // The version the body was encoded at: the request's, or 0 when the broker answered
    // UNSUPPORTED_VERSION (35), which it always does at v0 so any client can read it.
    std::int16_t body_version = 0;
};

// Decodes the body (after the v0 response header) of an ApiVersions response to a request of
// `request_version`.
Result<ApiVersions> parse_api_versions(std::int16_t request_version, std::string_view body);

// Returns the body with each capped API's max version lowered (or the API removed); all other
// bytes (throttle time, supported and finalized features) stay as they were.
Result<std::string> cap_api_versions(std::int16_t request_version, std::string_view body,
                                     const std::vector<VersionCap>& caps);

} // namespace mirrord::tunnel::kafka

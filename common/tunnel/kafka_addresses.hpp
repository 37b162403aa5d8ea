#pragma once
// Where the broker addresses sit in the responses that carry them. In each of them node id, host
// and port are consecutive fields, so rewriting an address replaces the host and port bytes and
// leaves everything else of the body as the broker sent it.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/core/result.hpp"

namespace mirrord::tunnel::kafka {

// One broker address inside a response body.
struct BrokerAddress {
    std::int32_t node_id = -1;
    std::string_view host;
    std::int32_t port = -1;
    std::optional<std::string_view> rack; // Metadata v1+ and DescribeCluster; null or absent
    std::size_t offset = 0;               // of the host field in the body
    std::size_t size = 0;                 // bytes of the host and port fields
};

// The highest version of each address-carrying response this file can parse; the proxy caps the
// versions the broker advertises to these (kafka_api_versions.hpp), so it never sees a newer one.
inline constexpr std::int16_t max_metadata_version = 13;
inline constexpr std::int16_t max_find_coordinator_version = 6;
inline constexpr std::int16_t max_describe_cluster_version = 2;

// Whether responses to (api_key, api_version) carry broker addresses that find_broker_addresses()
// locates: Metadata, FindCoordinator and DescribeCluster.
bool carries_broker_addresses(std::int16_t api_key);

// Finds the broker addresses in the body (after the response header) of a response to
// (api_key, api_version). Parses only up to the last address; the rest of the body is not
// looked at. Errors name the API, version and the offset in the body.
Result<std::vector<BrokerAddress>> find_broker_addresses(std::int16_t api_key,
                                                         std::int16_t api_version,
                                                         std::string_view body);

} // namespace mirrord::tunnel::kafka

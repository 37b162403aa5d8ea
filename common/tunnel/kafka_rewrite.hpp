#pragma once
// Rewrites the broker addresses in Kafka responses so that a client outside the cluster connects
// to local listeners instead (DESIGN.md s8). Everything but the addresses, the lengths that encode
// them and the frame size is returned byte for byte as the broker sent it.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.hpp"
#include "common/tunnel/kafka_api_versions.hpp"

namespace mirrord::tunnel::kafka {

// A host and port a client can reach.
struct Endpoint {
    std::string host;
    std::int32_t port = 0;
};

// Maps a broker's advertised address to the one the client gets. Must return the same endpoint
// for the same node id for the whole session: librdkafka >= 2.10 identifies brokers by node id
// and reconnects when a node's address changes.
using AddressMapper =
    std::function<Endpoint(std::int32_t node_id, std::string_view host, std::int32_t port)>;

// How rewrite_response() changes responses.
struct ResponseRewrite {
    AddressMapper map_address;                           // empty: addresses are kept
    std::vector<VersionCap> caps = proxy_version_caps(); // applied to ApiVersions responses
};

// Whether responses to `api_key` may be changed by rewrite_response(): Metadata,
// FindCoordinator, DescribeCluster and ApiVersions. The proxy may stream all other responses
// without buffering them.
bool response_needs_rewrite(std::int16_t api_key);

// Whether responses to (api_key, api_version) can carry addresses that this file does not
// rewrite (Fetch v16+, Produce v10+, ShareFetch, ShareAcknowledge): the ApiVersions caps keep
// clients from sending those, so seeing one is worth a warning.
bool carries_unrewritten_addresses(std::int16_t api_key, std::int16_t api_version);

// Returns the body of a response to (api_key, api_version) with each broker address replaced by
// `map`'s. Entries with a negative node id (FindCoordinator errors) are kept as they are.
Result<std::string> rewrite_addresses(std::int16_t api_key, std::int16_t api_version,
                                      std::string_view body, const AddressMapper& map);

// Rewrites one response frame (size prefix included) that answers a request of
// (api_key, api_version): addresses for Metadata, FindCoordinator and DescribeCluster, version
// caps for ApiVersions; any other frame is returned unchanged. The response header is kept.
Result<std::string> rewrite_response(std::string_view frame, std::int16_t api_key,
                                     std::int16_t api_version, const ResponseRewrite& how);

} // namespace mirrord::tunnel::kafka

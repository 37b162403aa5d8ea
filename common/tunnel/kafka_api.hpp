#pragma once
// Kafka API keys the tunnel cares about, and which request/response header version each
// (api_key, api_version) uses. The proxy must know the header version of every API, not only
// the ones it rewrites: a flexible response header carries a tagged-field section before the
// body.

#include <cstdint>

namespace mirrord::tunnel::kafka {

namespace api {
inline constexpr std::int16_t produce = 0;
inline constexpr std::int16_t fetch = 1;
inline constexpr std::int16_t metadata = 3;
inline constexpr std::int16_t controlled_shutdown = 7;
inline constexpr std::int16_t find_coordinator = 10;
inline constexpr std::int16_t sasl_handshake = 17;
inline constexpr std::int16_t api_versions = 18;
inline constexpr std::int16_t describe_cluster = 60;
inline constexpr std::int16_t share_fetch = 78;
inline constexpr std::int16_t share_acknowledge = 79;
} // namespace api

// The first version of `api_key` that uses flexible encoding (compact strings and arrays, tagged
// fields), or -1 for an API that is never flexible. API keys we do not know are flexible from
// version 0: KIP-482 made that mandatory for every API added after it.
std::int16_t first_flexible_version(std::int16_t api_key);

// Whether `api_version` of `api_key` is a flexible version.
bool is_flexible(std::int16_t api_key, std::int16_t api_version);

// Request header version: 2 for flexible versions, 1 otherwise, 0 for ControlledShutdown v0
// (no client id).
int request_header_version(std::int16_t api_key, std::int16_t api_version);

// Response header version: 1 (with tagged fields) for flexible versions, 0 otherwise, and always 0
// for ApiVersions, so a client can read the response before it knows what the broker supports.
int response_header_version(std::int16_t api_key, std::int16_t api_version);

} // namespace mirrord::tunnel::kafka

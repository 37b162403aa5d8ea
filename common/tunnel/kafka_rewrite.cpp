#include "common/tunnel/kafka_rewrite.hpp"

#include "common/tunnel/kafka_addresses.hpp"
#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_codec.hpp"
#include "common/tunnel/kafka_frame.hpp"

namespace mirrord::tunnel::kafka {

namespace {

// STRING's length is an int16; COMPACT_STRING's decoders in clients use the same bound.
constexpr std::size_t max_host_size = 32767;

} // namespace

bool response_needs_rewrite(std::int16_t api_key) {
    return carries_broker_addresses(api_key) || api_key == api::api_versions;
}

bool carries_unrewritten_addresses(std::int16_t api_key, std::int16_t api_version) {
    // FetchResponse.json and ProduceResponse.json: NodeEndpoints, tag 0, from v16 and v10.
    return (api_key == api::fetch && api_version >= 16) ||
           (api_key == api::produce && api_version >= 10) || api_key == api::share_fetch ||
           api_key == api::share_acknowledge;
}

Result<std::string> rewrite_addresses(std::int16_t api_key, std::int16_t api_version,
                                      std::string_view body, const AddressMapper& map) {
    MIRRORD_TRY_ASSIGN(auto addresses, find_broker_addresses(api_key, api_version, body));
    const bool flexible = is_flexible(api_key, api_version);
    Writer out;
    std::size_t copied = 0;
    for (const auto& address : addresses) {
        if (address.node_id < 0)
            continue;
        auto endpoint = map(address.node_id, address.host, address.port);
        // An unchanged address keeps its bytes: a broker may encode a length as a longer varint
        // than ours, and the identity mapping must give back the same frame.
        if (endpoint.host == address.host && endpoint.port == address.port)
            continue;
        if (endpoint.host.size() > max_host_size)
            return fail("host of {} bytes for node {} is too long for Kafka", endpoint.host.size(),
                        address.node_id);
        out.raw(body.substr(copied, address.offset - copied));
        out.string(endpoint.host, flexible).int32(endpoint.port);
        copied = address.offset + address.size;
    }
    out.raw(body.substr(copied));
    return out.take();
}

Result<std::string> rewrite_response(std::string_view frame, std::int16_t api_key,
                                     std::int16_t api_version, const ResponseRewrite& how) {
    const bool addresses = carries_broker_addresses(api_key) && how.map_address;
    const bool versions = api_key == api::api_versions && !how.caps.empty();
    if (!addresses && !versions)
        return std::string(frame);
    MIRRORD_TRY_ASSIGN(auto header,
                       parse_response_header(frame, response_header_version(api_key, api_version)));
    const auto payload = frame.substr(4);
    const auto body = payload.substr(header.size);
    Result<std::string> rewritten =
        addresses ? rewrite_addresses(api_key, api_version, body, how.map_address)
                  : cap_api_versions(api_version, body, how.caps);
    if (!rewritten)
        return std::move(rewritten).error().wrap(
            fmt::format("response to correlation id {}", header.correlation_id));
    Writer out;
    out.int32(static_cast<std::int32_t>(header.size + rewritten->size()));
    out.raw(payload.substr(0, header.size)).raw(*rewritten);
    return out.take();
}

} // namespace mirrord::tunnel::kafka

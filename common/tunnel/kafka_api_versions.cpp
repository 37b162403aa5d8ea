#include "common/tunnel/kafka_api_versions.hpp"

#include <algorithm>

#include "common/tunnel/kafka_addresses.hpp"
#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_codec.hpp"

namespace mirrord::tunnel::kafka {

namespace {

constexpr std::int16_t unsupported_version = 35; // UNSUPPORTED_VERSION

// ApiVersionsResponse.json: ErrorCode, ApiKeys[] of ApiKey, MinVersion, MaxVersion; the array is
// compact and each entry has tagged fields from v3. `array_end` receives the offset after it.
Result<ApiVersions> parse_prefix(std::int16_t request_version, std::string_view body,
                                 std::size_t& array_start, std::size_t& array_end) {
    Reader reader(body);
    ApiVersions parsed;
    MIRRORD_TRY_ASSIGN(parsed.error_code, reader.int16());
    parsed.body_version = parsed.error_code == unsupported_version ? 0 : request_version;
    const bool flexible = is_flexible(api::api_versions, parsed.body_version);
    array_start = reader.offset();
    MIRRORD_TRY_ASSIGN(auto count, reader.array_length(flexible));
    parsed.api_keys.reserve(static_cast<std::size_t>(std::max(count, 0)));
    for (std::int32_t i = 0; i < count; ++i) {
        ApiVersionRange range;
        MIRRORD_TRY_ASSIGN(range.api_key, reader.int16());
        MIRRORD_TRY_ASSIGN(range.min_version, reader.int16());
        MIRRORD_TRY_ASSIGN(range.max_version, reader.int16());
        if (flexible)
            MIRRORD_TRY(reader.skip_tagged_fields());
        parsed.api_keys.push_back(range);
    }
    array_end = reader.offset();
    return parsed;
}

} // namespace

const std::vector<VersionCap>& proxy_version_caps() {
    static const std::vector<VersionCap> caps = {
        {api::produce, 9},
        {api::fetch, 15},
        {api::metadata, max_metadata_version},
        {api::find_coordinator, max_find_coordinator_version},
        {api::describe_cluster, max_describe_cluster_version},
        {api::share_fetch, -1},
        {api::share_acknowledge, -1},
    };
    return caps;
}

Result<ApiVersions> parse_api_versions(std::int16_t request_version, std::string_view body) {
    std::size_t start = 0;
    std::size_t end = 0;
    return parse_prefix(request_version, body, start, end)
        .wrap(fmt::format("ApiVersions response v{}", request_version));
}

Result<std::string> cap_api_versions(std::int16_t request_version, std::string_view body,
                                     const std::vector<VersionCap>& caps) {
    // An error answer (UNSUPPORTED_VERSION) lists at most ApiVersions itself, nothing we cap,
    // and not every broker encodes it at v0 (librdkafka's mock cluster answers a v3 request
    // with a one-byte count and v0 entries): it passes unread, the client retries lower.
    if (body.size() >= 2 && (body[0] != 0 || body[1] != 0))
        return std::string(body);
    std::size_t start = 0;
    std::size_t end = 0;
    MIRRORD_TRY_ASSIGN(auto parsed, parse_prefix(request_version, body, start, end)
                                        .wrap(fmt::format("ApiVersions response v{}",
                                                          request_version)));
    const bool flexible = is_flexible(api::api_versions, parsed.body_version);
    // Each entry is 6 bytes plus, from v3, its own tagged fields, kept as the broker sent them.
    Reader entries(body.substr(start, end - start));
    (void)entries.array_length(flexible); // parsed once above: cannot fail now
    Writer kept;
    std::int32_t kept_count = 0;
    bool changed = false;
    for (const auto& range : parsed.api_keys) {
        const std::size_t entry_start = entries.offset();
        (void)entries.bytes(6);
        if (flexible)
            (void)entries.skip_tagged_fields();
        const auto entry = body.substr(start + entry_start, entries.offset() - entry_start);
        auto cap = std::find_if(caps.begin(), caps.end(),
                                [&](const VersionCap& c) { return c.api_key == range.api_key; });
        if (cap == caps.end() || range.max_version <= cap->max_version) {
            kept.raw(entry);
            ++kept_count;
            continue;
        }
        changed = true;
        if (cap->max_version < range.min_version)
            continue; // the broker cannot go that low: hide the API
        kept.int16(range.api_key).int16(range.min_version).int16(cap->max_version);
        kept.raw(entry.substr(6));
        ++kept_count;
    }
    if (!changed)
        return std::string(body);
    Writer out;
    out.raw(body.substr(0, start)).array_length(kept_count, flexible);
    out.raw(kept.bytes()).raw(body.substr(end));
    return out.take();
}

} // namespace mirrord::tunnel::kafka

// `feature.network.outgoing` and `feature.network.dns`. Without a layer in the process, outgoing
// traffic is what exec tunnels: the in-cluster addresses named in the target's env (DESIGN.md
// section 8). The filters keep mirrord's syntax so that a config written for mirrord means the
// same addresses here.
#include <charconv>

#include "common/config/parse.hpp"
#include "common/config/values.hpp"

namespace mirrord::config {
namespace {

Result<bool> read_optional_bool(const json& object, std::string_view path, std::string_view key,
                                bool fallback) {
    if (const json* value = member(object, key))
        return read_bool(*value, child_path(path, key));
    return fallback;
}

// `filter`: exactly one of {local: [...]} and {remote: [...]}.
Status parse_outgoing_filter(const json& value, std::string_view path, OutgoingConfig& out) {
    if (!value.is_object())
        return key_error(path, "invalid type: expected {{\"local\": [...]}} or "
                               "{{\"remote\": [...]}}, found {}",
                         type_name(value));
    const json* local = member(value, "local");
    const json* remote = member(value, "remote");
    if (local && remote)
        return key_error(path, "give either `local` or `remote`, not both");
    if (!local && !remote)
        return {};
    std::string side = local ? "local" : "remote";
    out.filter_side = local ? OutgoingConfig::FilterSide::local : OutgoingConfig::FilterSide::remote;
    auto list_path = child_path(path, side);
    MIRRORD_TRY_ASSIGN(auto entries, read_string_list(local ? *local : *remote, list_path));
    for (size_t i = 0; i < entries.size(); ++i) {
        MIRRORD_TRY_ASSIGN(auto entry,
                           parse_address_filter(entries[i], fmt::format("{}[{}]", list_path, i)));
        out.filter.push_back(std::move(entry));
    }
    return {};
}

Result<OutgoingConfig> parse_outgoing(const json& value, std::string_view path) {
    OutgoingConfig out;
    if (value.is_boolean()) {
        out.tcp = out.udp = value.get<bool>();
        return out;
    }
    if (!value.is_object())
        return key_error(path, "invalid type: expected true, false or an object, found {}",
                         type_name(value));
    MIRRORD_TRY_ASSIGN(out.tcp, read_optional_bool(value, path, "tcp", true));
    MIRRORD_TRY_ASSIGN(out.udp, read_optional_bool(value, path, "udp", true));
    MIRRORD_TRY_ASSIGN(out.ignore_localhost,
                       read_optional_bool(value, path, "ignore_localhost", false));
    if (const json* filter = member(value, "filter"))
        MIRRORD_TRY(parse_outgoing_filter(*filter, child_path(path, "filter"), out));
    if (const json* unix_streams = member(value, "unix_streams")) {
        MIRRORD_TRY(read_string_list(*unix_streams, child_path(path, "unix_streams")));
        out.unix_streams_set = true;
    }
    return out;
}

Result<DnsConfig> parse_dns(const json& value, std::string_view path) {
    DnsConfig out;
    out.set = true;
    if (value.is_boolean()) {
        out.enabled = value.get<bool>();
        return out;
    }
    if (!value.is_object())
        return key_error(path, "invalid type: expected true, false or an object, found {}",
                         type_name(value));
    MIRRORD_TRY_ASSIGN(out.enabled, read_optional_bool(value, path, "enabled", true));
    if (const json* filter = member(value, "filter")) {
        // Validated like an outgoing filter, then unused (see DnsConfig).
        OutgoingConfig scratch;
        MIRRORD_TRY(parse_outgoing_filter(*filter, child_path(path, "filter"), scratch));
    }
    return out;
}

std::optional<int> parse_port(std::string_view text) {
    int port = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (error != std::errc{} || end != text.data() + text.size() || port < 0 || port > 65535)
        return std::nullopt;
    return port;
}

} // namespace

Result<AddressFilter> parse_address_filter(std::string_view text, std::string_view path) {
    AddressFilter filter;
    filter.text = std::string(text);
    std::string_view rest = text;
    if (auto scheme = rest.find("://"); scheme != std::string_view::npos) {
        auto protocol = rest.substr(0, scheme);
        if (protocol != "tcp" && protocol != "udp")
            return key_error(path, "\"{}\": the protocol must be tcp:// or udp://, got \"{}\"",
                             text, protocol);
        filter.protocol = std::string(protocol);
        rest.remove_prefix(scheme + 3);
    }
    // [v6]:port, host:port, :port, host; a bare IPv6 address has several colons.
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos)
            return key_error(path, "\"{}\": missing `]` after the IPv6 address", text);
        filter.host = std::string(rest.substr(1, close - 1));
        rest.remove_prefix(close + 1);
        if (!rest.empty() && rest.front() != ':')
            return key_error(path, "\"{}\": expected `:port` after `]`", text);
    } else if (auto colon = rest.rfind(':');
               colon != std::string_view::npos && rest.find(':') == colon) {
        filter.host = std::string(rest.substr(0, colon));
        rest.remove_prefix(colon);
    } else {
        filter.host = std::string(rest);
        rest = {};
    }
    if (!rest.empty()) {
        auto port = parse_port(rest.substr(1));
        if (!port)
            return key_error(path, "\"{}\": the port must be a number from 0 to 65535", text);
        filter.port = port;
    }
    if (filter.host.empty() && !filter.port)
        return key_error(path, "\"{}\": name an address, a subnet or a port", text);
    return filter;
}

Result<NetworkConfig> parse_network(const json& value, std::string_view path) {
    NetworkConfig out;
    if (value.is_boolean()) { // mirrord's toggle: `false` turns every network feature off
        out.outgoing.tcp = out.outgoing.udp = value.get<bool>();
        return out;
    }
    if (!value.is_object())
        return key_error(path, "invalid type: expected true, false or an object, found {}",
                         type_name(value));
    if (const json* outgoing = member(value, "outgoing")) {
        MIRRORD_TRY_ASSIGN(out.outgoing, parse_outgoing(*outgoing, child_path(path, "outgoing")));
    }
    if (const json* dns = member(value, "dns")) {
        MIRRORD_TRY_ASSIGN(out.dns, parse_dns(*dns, child_path(path, "dns")));
    }
    return out;
}

} // namespace mirrord::config

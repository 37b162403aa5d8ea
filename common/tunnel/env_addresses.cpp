#include "common/tunnel/env_addresses.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

#include "common/core/strings.hpp"

namespace mirrord::tunnel {
namespace {

bool is_separator(char c) { return c == ',' || c == ';' || std::isspace(static_cast<unsigned char>(c)); }

bool is_host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// A DNS name with at least one letter: "10.0.0.7" is an address, not a name.
bool is_name(std::string_view host) {
    if (host.empty() || host.front() == '.' || host.front() == '-')
        return false;
    if (!std::all_of(host.begin(), host.end(), is_host_char))
        return false;
    return std::any_of(host.begin(), host.end(),
                       [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned port = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (error != std::errc{} || end != text.data() + text.size() || port == 0 || port > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(port);
}

// "host:port" (port required) or, for URLs, "host" with the scheme's port. `offset` is where
// `text` starts in the value.
std::optional<EnvAddress> parse_host_port(std::string_view text, std::size_t offset,
                                          std::optional<std::uint16_t> default_port) {
    EnvAddress address;
    address.begin = offset;
    address.end = offset + text.size();
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        if (!default_port)
            return std::nullopt;
        address.port = *default_port;
        address.port_written = false;
        address.host = std::string(text);
    } else {
        auto port = parse_port(text.substr(colon + 1));
        if (!port)
            return std::nullopt;
        address.port = *port;
        address.host = std::string(text.substr(0, colon));
    }
    if (!is_name(address.host))
        return std::nullopt;
    return address;
}

// The length of "scheme://" at the start of `text`, 0 when there is none.
std::size_t scheme_length(std::string_view text) {
    auto end = text.find("://");
    if (end == std::string_view::npos || end == 0 ||
        !std::isalpha(static_cast<unsigned char>(text.front())))
        return 0;
    for (char c : text.substr(0, end))
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
            return 0;
    return end + 3;
}

// A URL at value[pos...] whose "scheme://" is `prefix` long: its hosts into `out`; returns
// where its authority ends.
std::size_t parse_url(std::string_view value, std::size_t pos, std::size_t prefix,
                      std::vector<EnvAddress>& out) {
    auto scheme = value.substr(pos, prefix - 3);
    auto default_port = scheme_port(scheme);
    std::size_t begin = pos + prefix;
    // The authority ends at the path, or where a next URL of a list starts ("a://x,b://y").
    std::size_t end = begin;
    while (end < value.size() && value[end] != '/' && value[end] != '?' && value[end] != '#' &&
           !std::isspace(static_cast<unsigned char>(value[end])) &&
           !(value[end] == ',' && scheme_length(value.substr(end + 1)) != 0))
        ++end;
    auto authority = value.substr(begin, end - begin);
    if (auto at = authority.rfind('@'); at != std::string_view::npos)
        begin += at + 1; // user:password@
    // Several hosts: mongodb://a:27017,b:27017/db.
    std::size_t piece_begin = begin;
    while (piece_begin <= end) {
        auto comma = value.find(',', piece_begin);
        auto piece_end = std::min(comma == std::string_view::npos ? end : comma, end);
        auto piece = value.substr(piece_begin, piece_end - piece_begin);
        if (auto address = parse_host_port(piece, piece_begin, default_port))
            out.push_back(std::move(*address));
        piece_begin = piece_end + 1;
    }
    return end;
}

} // namespace

std::optional<std::uint16_t> scheme_port(std::string_view scheme) {
    static constexpr std::array<std::pair<std::string_view, std::uint16_t>, 20> ports{{
        {"amqp", 5672},        {"amqps", 5671},      {"http", 80},           {"https", 443},
        {"ws", 80},            {"wss", 443},         {"mongodb", 27017},     {"mysql", 3306},
        {"mariadb", 3306},     {"nats", 4222},       {"postgres", 5432},     {"postgresql", 5432},
        {"redis", 6379},       {"rediss", 6379},     {"memcached", 11211},   {"mqtt", 1883},
        {"cassandra", 9042},   {"grpc", 80},         {"clickhouse", 9000},   {"zookeeper", 2181},
    }};
    std::string lower = to_lower(scheme);
    for (const auto& [name, port] : ports)
        if (name == lower)
            return port;
    return std::nullopt;
}

std::vector<EnvAddress> find_env_addresses(std::string_view value) {
    std::vector<EnvAddress> out;
    std::size_t pos = 0;
    while (pos < value.size()) {
        if (is_separator(value[pos])) {
            ++pos;
            continue;
        }
        if (auto prefix = scheme_length(value.substr(pos)); prefix != 0) {
            pos = parse_url(value, pos, prefix, out);
            while (pos < value.size() && !is_separator(value[pos])) // the URL's path
                ++pos;
            continue;
        }
        auto end = pos;
        while (end < value.size() && !is_separator(value[end]))
            ++end;
        if (auto address = parse_host_port(value.substr(pos, end - pos), pos, std::nullopt))
            out.push_back(std::move(*address));
        pos = end;
    }
    return out;
}

std::string replace_env_addresses(std::string_view value, const std::vector<EnvAddress>& addresses,
                                  const std::vector<std::string>& replacements) {
    std::string out;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < addresses.size() && i < replacements.size(); ++i) {
        if (replacements[i].empty())
            continue;
        out.append(value.substr(pos, addresses[i].begin - pos));
        out.append(replacements[i]);
        pos = addresses[i].end;
    }
    out.append(value.substr(pos));
    return out;
}

} // namespace mirrord::tunnel

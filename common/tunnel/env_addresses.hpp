#pragma once
// The network addresses inside an environment value (DESIGN.md s8): `host:port` and
// comma-separated lists of them (KAFKA_BOOTSTRAP_SERVERS, BROKERS), and URLs with an explicit
// port or a scheme's well-known port (postgres://db.default.svc:5432/app, redis://cache,
// mongodb://a:27017,b:27017/db). Only the text is read here; whether a host is an in-cluster
// name is for the caller to decide (a bare `cache` may be a Service or a laptop's /etc/hosts).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mirrord::tunnel {

// One address in a value: value[begin, end) is the host and, when written, `:port`.
struct EnvAddress {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string host; // as written
    std::uint16_t port = 0;
    bool port_written = true; // false: a URL that relies on its scheme's port
};

// Every address in `value`, in order. Hosts are DNS names (letters, digits, `-`, `_`, `.`);
// IP literals are left out: a pod or Service IP is not a name the tunnel can look up.
std::vector<EnvAddress> find_env_addresses(std::string_view value);

// The well-known port of a URL scheme (postgres 5432, redis 6379, http 80, ...), if we know one.
std::optional<std::uint16_t> scheme_port(std::string_view scheme);

// `value` with addresses[i] replaced by replacements[i] ("127.0.0.1:41237"); an address whose
// replacement is empty stays as it is. Both vectors have the same size, addresses in order.
std::string replace_env_addresses(std::string_view value, const std::vector<EnvAddress>& addresses,
                                  const std::vector<std::string>& replacements);

} // namespace mirrord::tunnel

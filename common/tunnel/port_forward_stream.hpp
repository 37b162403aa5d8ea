#pragma once
// One v4.channel.k8s.io WebSocket to the apiserver's pods/portforward, as an Upstream: the
// transport half of port_forward.hpp (TLS, the upgrade, channel framing), kept apart from the
// PortForwarder that chooses the URL, the credential and what to do with a refused upgrade.

#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "common/core/result.hpp"
#include "common/kube/auth/credentials.hpp"
#include "common/tunnel/port_forward.hpp"
#include "common/tunnel/upstream.hpp"

namespace mirrord::tunnel {

// What the upgrade answered when it was not 101.
struct UpgradeDeclined {
    unsigned status = 0;
    std::string body;
};

// Everything one upgrade needs.
struct ChannelHandshake {
    asio::ip::tcp::resolver::results_type endpoints;
    bool tls = true;
    std::string host_header; // host:port as the URL has it
    std::string target;      // path and query
    std::string tls_name;    // SNI and the name the server certificate must carry
    bool insecure = false;
    std::string ca_pem;
    kube::Credential credential;
};

// Connects, does TLS (HTTP/1.1 only) and the upgrade for `target`. An upgrade refused with an
// HTTP status sets `declined` (and returns a stream that is of no use); other failures are
// errors without the target's name, which the caller adds.
asio::awaitable<Result<std::unique_ptr<Upstream>>>
open_channel_stream(const ChannelHandshake& how, const PodPort& target,
                    std::optional<UpgradeDeclined>& declined);

} // namespace mirrord::tunnel

#pragma once
// A port-forward stream through the apiserver (DESIGN.md s8): a WebSocket to
// /api/v1/namespaces/NS/pods/P/portforward?ports=N with subprotocol v4.channel.k8s.io, over the
// same TLS settings and credentials as the REST client (common/kube), HTTP/1.1 only.
// v4.channel.k8s.io: every message is one channel byte and a payload, both ways; for our one
// port, channel 0 carries data and channel 1 error text; the server first sends the port (2
// bytes, little endian) on each channel. One WebSocket per TCP connection, no half-close.
//
// Boost.Beast (WebSocket, RFC 6455 client side with masking) over Boost.Asio and its OpenSSL
// stream: Debian 12's libcurl has no WebSocket support, and Beast is the maintained library
// already in Debian (libboost1.81-dev) that also gives us the event loop.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "common/core/result.hpp"
#include "common/kube/auth/credentials.hpp"
#include "common/kube/connection.hpp"
#include "common/tunnel/upstream.hpp"

namespace mirrord::tunnel {

// One pod port to forward to.
struct PodPort {
    std::string namespace_;
    std::string pod;
    std::uint16_t port = 0;
    // "pod NS/NAME port N", how errors name the tunnel.
    std::string describe() const;
};

// The request target of the upgrade: /api/v1/namespaces/NS/pods/P/portforward?ports=N.
std::string port_forward_path(const PodPort& target);

class PortForwarder : public std::enable_shared_from_this<PortForwarder> {
public:
    // Reads the server URL and TLS settings of `connection` (server, ca_pem, insecure,
    // tls_server_name) and its credential source. Errors name the setting.
    static Result<std::shared_ptr<PortForwarder>> create(const kube::Connection& connection);
    // The same with the credential source of a REST client (Client::credential_source()), so
    // that an exec plugin runs once for both (an interactive one prompts once).
    static Result<std::shared_ptr<PortForwarder>>
    create(const kube::Connection& connection, std::shared_ptr<kube::CredentialSource> credentials);

    // Opens one stream to `target`. A 401 is retried once when the credential source may give
    // a fresh credential; a 403 names pods/portforward and the verbs the Role needs. Errors
    // start with target.describe().
    asio::awaitable<Result<std::unique_ptr<Upstream>>> open(PodPort target);

    // A Connector that tries `endpoints` in order for each connection and returns the first
    // stream that opens; when none does, the error lists each endpoint's.
    Connector connector(std::vector<PodPort> endpoints);

    struct Server {
        bool tls = true;
        std::string host; // as in the URL, without brackets
        std::string port;
        std::string path_prefix; // e.g. /k8s/clusters/c-x (Rancher), no trailing slash
    };

private:
    PortForwarder() = default;

    Server server_;
    std::string ca_pem_;
    bool insecure_ = false;
    std::string tls_name_; // SNI and certificate check: tls-server-name, else the host
    std::shared_ptr<kube::CredentialSource> credentials_;
    // Runs credentials_->get(): an exec plugin may take seconds, and the loop thread must keep
    // moving every other tunnel meanwhile.
    std::unique_ptr<asio::thread_pool> credential_thread_;
};

// Splits an apiserver URL (http or https, optional port and path prefix). Errors quote it.
Result<PortForwarder::Server> parse_server_url(const std::string& url);

} // namespace mirrord::tunnel

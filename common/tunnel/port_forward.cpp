#include "common/tunnel/port_forward.hpp"

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/core/log.hpp"
#include "common/kube/status_error.hpp"
#include "common/tunnel/port_forward_stream.hpp"

namespace mirrord::tunnel {
namespace {

using tcp = asio::ip::tcp;
using boost::system::error_code;

auto redirect(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

// co_spawn hands a default-constructed value to the handler on an exception: Result has none.
struct Fetched {
    std::optional<Result<kube::Credential>> credential;
};

} // namespace

std::string PodPort::describe() const {
    return fmt::format("pod {}/{} port {}", namespace_, pod, port);
}

std::string port_forward_path(const PodPort& target) {
    return fmt::format("/api/v1/namespaces/{}/pods/{}/portforward?ports={}", target.namespace_,
                       target.pod, target.port);
}

Result<PortForwarder::Server> parse_server_url(const std::string& url) {
    PortForwarder::Server server;
    std::string_view rest = url;
    if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        server.tls = false;
        rest.remove_prefix(7);
    } else {
        return fail("server URL \"{}\" must use https (or http)", url);
    }
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos)
        server.path_prefix = std::string(rest.substr(slash));
    while (server.path_prefix.ends_with('/'))
        server.path_prefix.pop_back();
    std::string_view port;
    if (authority.starts_with('[')) { // [::1]:6443
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return fail("invalid server URL \"{}\"", url);
        server.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            port = authority.substr(close + 2);
    } else {
        const auto colon = authority.rfind(':');
        server.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos)
            port = authority.substr(colon + 1);
    }
    if (server.host.empty())
        return fail("invalid server URL \"{}\"", url);
    server.port = port.empty() ? (server.tls ? "443" : "80") : std::string(port);
    if (server.port.find_first_not_of("0123456789") != std::string::npos)
        return fail("invalid port in server URL \"{}\"", url);
    return server;
}

Result<std::shared_ptr<PortForwarder>> PortForwarder::create(const kube::Connection& connection) {
    return create(connection, kube::make_credential_source(connection));
}

Result<std::shared_ptr<PortForwarder>>
PortForwarder::create(const kube::Connection& connection,
                      std::shared_ptr<kube::CredentialSource> credentials) {
    if (!connection.proxy_url.empty())
        return fail("proxy-url {} is not supported by the port-forward tunnel yet",
                    connection.proxy_url);
    std::shared_ptr<PortForwarder> forwarder(new PortForwarder());
    MIRRORD_TRY_ASSIGN(forwarder->server_, parse_server_url(connection.server));
    forwarder->ca_pem_ = connection.ca_pem;
    forwarder->insecure_ = connection.insecure;
    forwarder->tls_name_ = connection.tls_server_name.empty() ? forwarder->server_.host
                                                              : connection.tls_server_name;
    forwarder->credentials_ = std::move(credentials);
    forwarder->credential_thread_ = std::make_unique<asio::thread_pool>(1);
    return forwarder;
}

asio::awaitable<Result<std::unique_ptr<Upstream>>> PortForwarder::open(PodPort target) {
    auto self = shared_from_this(); // alive until the coroutine ends
    const std::string where = target.describe();
    const std::string path = server_.path_prefix + port_forward_path(target);
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    error_code ec;
    ChannelHandshake how;
    how.endpoints = co_await resolver.async_resolve(server_.host, server_.port, redirect(ec));
    if (ec)
        co_return fail("{}: resolving the apiserver {}: {}", where, server_.host, ec.message());
    how.host_header = server_.host.find(':') != std::string::npos
                          ? fmt::format("[{}]:{}", server_.host, server_.port)
                          : fmt::format("{}:{}", server_.host, server_.port);
    how.target = path;
    how.tls_name = tls_name_;
    how.insecure = insecure_;
    how.tls = server_.tls;
    how.ca_pem = ca_pem_;
    const std::string url =
        fmt::format("{}://{}{}", server_.tls ? "https" : "http", how.host_header, path);
    for (int attempt = 0;; ++attempt) {
        // An exec plugin may run here (on the credential thread); the source caches until the
        // credential expires.
        auto fetched = co_await asio::co_spawn(
            *credential_thread_,
            [source = credentials_.get()]() -> asio::awaitable<Fetched> {
                co_return Fetched{source->get()};
            },
            asio::use_awaitable);
        if (!fetched.credential)
            co_return fail("{}: reading the credential failed", where);
        auto credential = std::move(*fetched.credential);
        if (!credential)
            co_return std::move(credential).error().wrap(where);
        how.credential = std::move(*credential);
        std::optional<UpgradeDeclined> declined;
        auto opened = co_await open_channel_stream(how, target, declined);
        if (!opened)
            co_return std::move(opened).error().wrap(where);
        if (!declined) {
            log::debug("port-forward GET {} -> 101", url);
            co_return opened;
        }
        log::debug("port-forward GET {} -> {}", url, declined->status);
        if (declined->status == 401 && attempt == 0 && credentials_->invalidate())
            continue;
        auto error = kube::status_error("GET", path, declined->status, declined->body);
        if (declined->status == 403)
            error = Error(error.message() +
                          " (port-forward needs get and create on pods/portforward in the "
                          "pod's namespace: configs/rbac/role.yaml)");
        co_return std::move(error).wrap(where);
    }
}

Connector PortForwarder::connector(std::vector<PodPort> endpoints) {
    using Opened = Result<std::unique_ptr<Upstream>>;
    return [self = shared_from_this(),
            endpoints = std::move(endpoints)]() -> asio::awaitable<Opened> {
        if (endpoints.empty())
            co_return fail("no ready endpoint to forward to");
        std::vector<std::string> errors;
        for (const auto& endpoint : endpoints) {
            auto opened = co_await self->open(endpoint);
            if (opened)
                co_return opened;
            log::debug("tunnel: {}; trying the next endpoint", opened.error().message());
            errors.push_back(opened.error().message());
        }
        if (errors.size() == 1)
            co_return Error(errors.front());
        co_return fail("no endpoint could be reached: {}", fmt::join(errors, "; "));
    };
}

} // namespace mirrord::tunnel

#include "common/tunnel/port_forward_stream.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <type_traits>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "common/kube/base64.hpp"

namespace mirrord::tunnel {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Declined = UpgradeDeclined;
using Handshake = ChannelHandshake;

constexpr const char* subprotocol = "v4.channel.k8s.io";
constexpr auto connect_timeout = std::chrono::seconds(30);
constexpr std::uint8_t data_channel = 0;
constexpr std::uint8_t error_channel = 1;

auto redirect(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

bool is_ip_address(const std::string& host) {
    error_code ec;
    (void)asio::ip::make_address(host, ec);
    return !ec;
}

template <bool Tls> class WsUpstream final : public Upstream {
    using Next = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

public:
    WsUpstream(const asio::any_io_executor& executor, ssl::context context, PodPort target)
        : context_(std::move(context)), target_(std::move(target)), where_(target_.describe()) {
        if constexpr (Tls)
            ws_.emplace(executor, context_);
        else
            ws_.emplace(executor);
    }

    // Connects, does TLS and the upgrade. Returns the declined answer when the upgrade was
    // refused with an HTTP status.
    asio::awaitable<Result<std::optional<Declined>>> handshake(const Handshake& how) {
        error_code ec;
        auto& lowest = beast::get_lowest_layer(*ws_);
        lowest.expires_after(connect_timeout);
        co_await lowest.async_connect(how.endpoints, redirect(ec));
        if (ec)
            co_return fail("connecting to the apiserver {}: {}", how.host_header, ec.message());
        lowest.socket().set_option(tcp::no_delay(true), ec);
        if constexpr (Tls) {
            auto* native = ws_->next_layer().native_handle();
            // SNI must be a host name (RFC 6066); an IP address is checked but not sent.
            if (!is_ip_address(how.tls_name))
                // SSL_set_tlsext_host_name is a macro with a C cast: the call it stands for.
                SSL_ctrl(native, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                         const_cast<char*>(how.tls_name.c_str()));
            // Force HTTP/1.1: the upgrade to WebSocket does not exist in HTTP/2.
            static constexpr unsigned char alpn[] = "\x08http/1.1";
            SSL_set_alpn_protos(native, alpn, sizeof(alpn) - 1);
            if (how.insecure) {
                ws_->next_layer().set_verify_mode(ssl::verify_none);
            } else {
                ws_->next_layer().set_verify_mode(ssl::verify_peer);
                ws_->next_layer().set_verify_callback(ssl::host_name_verification(how.tls_name));
            }
            co_await ws_->next_layer().async_handshake(ssl::stream_base::client, redirect(ec));
            if (ec)
                co_return fail("TLS with the apiserver {}: {}", how.host_header, ec.message());
        }
        lowest.expires_never(); // the WebSocket has its own timeouts from here on
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = connect_timeout;
        timeouts.idle_timeout = websocket::stream_base::none();
        timeouts.keep_alive_pings = false;
        ws_->set_option(timeouts);
        ws_->set_option(websocket::stream_base::decorator(
            [credential = how.credential](websocket::request_type& request) {
                request.set(beast::http::field::user_agent, "mirrord/" MIRRORD_VERSION);
                request.set(beast::http::field::sec_websocket_protocol, subprotocol);
                if (!credential.bearer_token.empty())
                    request.set(beast::http::field::authorization,
                                "Bearer " + credential.bearer_token);
                else if (!credential.username.empty())
                    request.set(beast::http::field::authorization,
                                "Basic " + kube::base64_encode(credential.username + ":" +
                                                               credential.password));
            }));
        websocket::response_type response;
        co_await ws_->async_handshake(response, how.host_header, how.target, redirect(ec));
        if (ec == websocket::error::upgrade_declined)
            co_return std::optional<Declined>(Declined{response.result_int(), response.body()});
        if (ec)
            co_return fail("upgrading to a WebSocket: {}", ec.message());
        if (response[beast::http::field::sec_websocket_protocol] != subprotocol)
            co_return fail("the apiserver did not accept the WebSocket subprotocol {}",
                           subprotocol);
        ws_->binary(true);
        ws_->auto_fragment(false); // one frame per message: the default cuts at 4 KiB
        ws_->read_message_max(64 * 1024 * 1024);
        co_return std::optional<Declined>();
    }

    asio::awaitable<Result<std::string_view>> read() override {
        for (;;) {
            buffer_.consume(buffer_.size());
            error_code ec;
            co_await ws_->async_read(buffer_, redirect(ec));
            if (ec == websocket::error::closed || ec == asio::error::eof)
                co_return std::string_view();
            if (ec)
                co_return fail("{}: {}", where_, ec.message());
            std::string_view message(static_cast<const char*>(buffer_.data().data()),
                                     buffer_.size());
            if (message.empty())
                continue;
            const auto channel = static_cast<std::uint8_t>(message[0]);
            message.remove_prefix(1);
            if (channel == data_channel) {
                strip_port(message, data_port_left_);
                if (!message.empty())
                    co_return message;
            } else if (channel == error_channel) {
                strip_port(message, error_port_left_);
                // The server closes the socket after the error text; say it now.
                if (!message.empty())
                    co_return fail("{}: {}", where_, message);
            }
        }
    }

    asio::awaitable<Status> write(std::string_view data) override {
        static constexpr std::uint8_t channel = data_channel;
        const std::array<asio::const_buffer, 2> message{asio::buffer(&channel, 1),
                                                        asio::buffer(data.data(), data.size())};
        error_code ec;
        co_await ws_->async_write(message, redirect(ec));
        if (ec)
            co_return fail("{}: {}", where_, ec.message());
        co_return Status{};
    }

    bool shutdown_send() override { return false; }

    void close() override {
        error_code ignored;
        beast::get_lowest_layer(*ws_).socket().close(ignored);
    }

    std::string describe() const override { return where_; }

private:
    // The first two bytes on each channel are the port number (little endian), not data.
    static void strip_port(std::string_view& message, std::size_t& left) {
        const auto skip = std::min(left, message.size());
        message.remove_prefix(skip);
        left -= skip;
    }

    ssl::context context_;
    PodPort target_;
    std::string where_;
    std::optional<websocket::stream<Next>> ws_;
    beast::flat_buffer buffer_;
    std::size_t data_port_left_ = 2;
    std::size_t error_port_left_ = 2;
};

// A TLS context for one connection: the cluster CA (or the system's) and the client
// certificate of the current credential. Built per connection because an exec plugin may
// rotate the certificate.
Result<ssl::context> tls_context(const std::string& ca_pem, bool insecure,
                                 const kube::Credential& credential) {
    ssl::context context(ssl::context::tls_client);
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1);
    error_code ec;
    if (!insecure) {
        if (!ca_pem.empty())
            context.add_certificate_authority(asio::buffer(ca_pem), ec);
        else
            context.set_default_verify_paths(ec);
        if (ec)
            return fail("certificate-authority: {}", ec.message());
    }
    if (!credential.client_cert_pem.empty()) {
        context.use_certificate_chain(asio::buffer(credential.client_cert_pem), ec);
        if (ec)
            return fail("client-certificate: {}", ec.message());
        context.use_private_key(asio::buffer(credential.client_key_pem), ssl::context::pem, ec);
        if (ec)
            return fail("client-key: {}", ec.message());
    }
    return context;
}


// One attempt with a fixed credential. `declined` is set when the upgrade got an HTTP status.
template <bool Tls>
asio::awaitable<Result<std::unique_ptr<Upstream>>>
open_once(asio::any_io_executor executor, const Handshake& how, const PodPort& target,
          std::optional<Declined>& declined) {
    // MIRRORD_TRY returns, which a coroutine cannot: errors are passed on by hand here.
    ssl::context context(ssl::context::tls_client);
    if constexpr (Tls) {
        auto made = tls_context(how.ca_pem, how.insecure, how.credential);
        if (!made)
            co_return std::move(made).error();
        context = std::move(*made);
    }
    auto upstream = std::make_unique<WsUpstream<Tls>>(executor, std::move(context), target);
    auto shaken = co_await upstream->handshake(how);
    if (!shaken)
        co_return std::move(shaken).error();
    declined = std::move(*shaken);
    co_return std::unique_ptr<Upstream>(std::move(upstream));
}

} // namespace

asio::awaitable<Result<std::unique_ptr<Upstream>>>
open_channel_stream(const ChannelHandshake& how, const PodPort& target,
                    std::optional<UpgradeDeclined>& declined) {
    auto executor = co_await asio::this_coro::executor;
    // Not a ?: of two co_awaits: gcc 12 miscompiles co_await inside a conditional.
    if (how.tls)
        co_return co_await open_once<true>(executor, how, target, declined);
    co_return co_await open_once<false>(executor, how, target, declined);
}

} // namespace mirrord::tunnel

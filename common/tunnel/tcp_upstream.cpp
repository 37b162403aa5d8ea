#include "common/tunnel/tcp_upstream.hpp"

#include <array>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace mirrord::tunnel {
namespace {

using tcp = asio::ip::tcp;

class TcpUpstream final : public Upstream {
public:
    TcpUpstream(tcp::socket socket, std::string where)
        : socket_(std::move(socket)), where_(std::move(where)) {}

    asio::awaitable<Result<std::string_view>> read() override {
        boost::system::error_code ec;
        const auto got = co_await socket_.async_read_some(
            asio::buffer(buffer_), asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::eof)
            co_return std::string_view();
        if (ec)
            co_return fail("{}: {}", where_, ec.message());
        co_return std::string_view(buffer_.data(), got);
    }

    asio::awaitable<Status> write(std::string_view data) override {
        boost::system::error_code ec;
        co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec)
            co_return fail("{}: {}", where_, ec.message());
        co_return Status{};
    }

    bool shutdown_send() override {
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        return true;
    }

    void close() override {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    std::string describe() const override { return where_; }

private:
    tcp::socket socket_;
    std::string where_;
    std::vector<char> buffer_ = std::vector<char>(256 * 1024);
};

} // namespace

asio::awaitable<Result<std::unique_ptr<Upstream>>> connect_tcp(std::string host,
                                                               std::uint16_t port) {
    const std::string where = fmt::format("{}:{}", host, port);
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    boost::system::error_code ec;
    auto endpoints = co_await resolver.async_resolve(
        host, std::to_string(port), asio::redirect_error(asio::use_awaitable, ec));
    if (ec)
        co_return fail("resolving {}: {}", host, ec.message());
    tcp::socket socket(executor);
    co_await asio::async_connect(socket, endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec)
        co_return fail("connecting to {}: {}", where, ec.message());
    socket.set_option(tcp::no_delay(true), ec);
    co_return std::unique_ptr<Upstream>(std::make_unique<TcpUpstream>(std::move(socket), where));
}

Connector tcp_connector(std::string host, std::uint16_t port) {
    return [host = std::move(host), port]() { return connect_tcp(host, port); };
}

} // namespace mirrord::tunnel

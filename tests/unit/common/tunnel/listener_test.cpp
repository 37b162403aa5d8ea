// TunnelListener and the pump over plain TCP on loopback: what a local client sees through the
// tunnel (bytes both ways, large payloads with back-pressure, half-close, errors reported once).

#include <catch2/catch.hpp>

#include <mutex>
#include <vector>

#include "common/tunnel/listener.hpp"
#include "common/tunnel/tcp_upstream.hpp"
#include "sockets.hpp"

using namespace mirrord;
using namespace mirrord::tunnel;
using namespace mirrord::tunnel_test;

namespace {

// Collects what the listener reports, from the loop thread.
struct Reports {
    std::mutex mutex;
    std::vector<std::string> messages;
    ErrorHandler handler() {
        return [this](const std::string& message) {
            std::lock_guard lock(mutex);
            messages.push_back(message);
        };
    }
    std::vector<std::string> get() {
        std::lock_guard lock(mutex);
        return messages;
    }
};

// A port nothing listens on (bound once, then closed).
std::uint16_t closed_port() {
    EchoServer server;
    return server.port();
}

ListenerOptions named(const std::string& name) {
    ListenerOptions options;
    options.name = name;
    return options;
}

} // namespace

TEST_CASE("tunnel listener over TCP", "[tunnel]") {
    EchoServer echo;
    REQUIRE(echo.listening());
    EventLoop loop;
    Reports reports;
    auto listener = TunnelListener::start(loop, tcp_connector("127.0.0.1", echo.port()),
                                          named("echo"), reports.handler());
    REQUIRE(listener);
    CHECK((*listener)->address() == fmt::format("127.0.0.1:{}", (*listener)->port()));

    SECTION("bytes pass both ways, one upstream connection per client connection") {
        auto first = connect_local((*listener)->port());
        auto second = connect_local((*listener)->port());
        REQUIRE(send_all(first.get(), "hello"));
        REQUIRE(send_all(second.get(), "world!"));
        CHECK(read_up_to(first.get(), 5) == "hello");
        CHECK(read_up_to(second.get(), 6) == "world!");
        CHECK(echo.accepted() == 2);
        CHECK((*listener)->accepted() == 2);
    }
    SECTION("an 8 MiB payload comes back intact") {
        auto client = connect_local((*listener)->port());
        const auto payload = pattern(8 << 20);
        CHECK(echo_round_trip(client.get(), payload) == payload);
    }
    SECTION("a client's half-close reaches the server, and the answer still arrives") {
        auto client = connect_local((*listener)->port());
        REQUIRE(send_all(client.get(), "last words"));
        ::shutdown(client.get(), SHUT_WR);
        CHECK(read_up_to(client.get(), 100) == "last words");
        CHECK(closed_by_peer(client.get()));
    }
    SECTION("sniffing passes a non-Kafka protocol untouched, also when it starts short") {
        ListenerOptions options = named("auto");
        options.pump.protocol = Protocol::automatic;
        auto sniffing = TunnelListener::start(loop, tcp_connector("127.0.0.1", echo.port()),
                                              options, reports.handler());
        REQUIRE(sniffing);
        auto client = connect_local((*sniffing)->port());
        REQUIRE(send_all(client.get(), "GET")); // fewer bytes than the sniffer needs
        REQUIRE(send_all(client.get(), " / HTTP/1.1\r\n\r\n"));
        CHECK(read_up_to(client.get(), 18) == "GET / HTTP/1.1\r\n\r\n");
    }
    SECTION("stop() closes open connections") {
        auto client = connect_local((*listener)->port());
        REQUIRE(send_all(client.get(), "x"));
        REQUIRE(read_up_to(client.get(), 1) == "x");
        (*listener)->stop();
        CHECK(closed_by_peer(client.get()));
        CHECK(connect_local((*listener)->port()).get() < 0);
    }
    CHECK(reports.get().empty());
}

TEST_CASE("tunnel listener errors", "[tunnel]") {
    EventLoop loop;
    Reports reports;
    const auto port = closed_port();

    SECTION("a failed upstream is reported once with the listener and the address") {
        auto listener = TunnelListener::start(loop, tcp_connector("127.0.0.1", port),
                                              named("kafka:9092"), reports.handler());
        REQUIRE(listener);
        for (int i = 0; i < 3; ++i) {
            auto client = connect_local((*listener)->port());
            CHECK(closed_by_peer(client.get()));
        }
        const auto messages = reports.get();
        REQUIRE(messages.size() == 1);
        CHECK_THAT(messages[0], Catch::StartsWith("kafka:9092: connecting to 127.0.0.1:" +
                                                  std::to_string(port)) &&
                                    Catch::Contains("refused"));
    }
    SECTION("a port in use is an error naming the address") {
        EchoServer taken;
        ListenerOptions options = named("x");
        options.port = taken.port();
        auto listener = TunnelListener::start(loop, tcp_connector("127.0.0.1", port),
                                              options, reports.handler());
        REQUIRE_FALSE(listener);
        CHECK_THAT(listener.error().message(),
                   Catch::StartsWith(fmt::format("listening on 127.0.0.1:{}: ", taken.port())) &&
                       Catch::Contains("in use"));
    }
}

TEST_CASE("tunnel protocol sniffing", "[tunnel]") {
    SECTION("an ApiVersions request header is Kafka") {
        // size 0x1c, api key 18, version 3, correlation id 1
        CHECK(sniff_kafka(std::string("\x00\x00\x00\x1c\x00\x12\x00\x03\x00\x00\x00\x01", 12)) ==
              Sniffed::kafka);
    }
    SECTION("fewer than 8 bytes need more") {
        CHECK(sniff_kafka(std::string("\x00\x00\x00\x1c\x00\x12", 6)) == Sniffed::need_more);
    }
    SECTION("HTTP, TLS and other Kafka requests are not") {
        CHECK(sniff_kafka("GET / HTTP/1.1\r\n") == Sniffed::other);
        CHECK(sniff_kafka(std::string("\x16\x03\x01\x02\x00\x01\x00\x01", 8)) == Sniffed::other);
        CHECK(sniff_kafka(std::string("\x00\x00\x00\x1c\x00\x03\x00\x09", 8)) == Sniffed::other);
        CHECK(sniff_kafka(std::string("\x7f\x00\x00\x1c\x00\x12\x00\x03", 8)) == Sniffed::other);
    }
}

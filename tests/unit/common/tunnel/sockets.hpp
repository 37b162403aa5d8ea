#pragma once
// Header-only (the test globs compile *_test.cpp only). Blocking loopback sockets for the tunnel
// tests: an echo server on a chosen port (kwok forwards every pod port to 127.0.0.1:18080, so
// the integration tests run one there), and client helpers that wait with a deadline.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mirrord::tunnel_test {

using namespace std::chrono_literals;

// A socket fd closed at the end of the scope.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept {
        reset(other.release());
        return *this;
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_;
};

inline sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// Connects to 127.0.0.1:port; -1 inside the Fd on failure.
inline Fd connect_local(std::uint16_t port) {
    Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    auto address = loopback(port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        return Fd();
    return fd;
}

inline bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const auto sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent <= 0)
            return false;
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

// Reads until `size` bytes arrived, the peer closed, or `timeout` passed.
inline std::string read_up_to(int fd, std::size_t size, std::chrono::milliseconds timeout = 10s) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[65536];
    while (out.size() < size) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            break;
        pollfd waiting{fd, POLLIN, 0};
        if (::poll(&waiting, 1, static_cast<int>(left.count())) <= 0)
            break;
        const auto got = ::recv(fd, buffer, std::min(sizeof buffer, size - out.size()), 0);
        if (got <= 0)
            break;
        out.append(buffer, static_cast<std::size_t>(got));
    }
    return out;
}

// True when the peer closed (EOF or reset) within `timeout` with no more data.
inline bool closed_by_peer(int fd, std::chrono::milliseconds timeout = 10s) {
    pollfd waiting{fd, POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(timeout.count())) <= 0)
        return false;
    char byte;
    return ::recv(fd, &byte, 1, 0) <= 0;
}

// A TCP server on 127.0.0.1 that sends back every byte it receives and half-closes after the
// client did. Port 0 picks a free one.
class EchoServer {
public:
    explicit EchoServer(std::uint16_t port = 0) : listener_(::socket(AF_INET, SOCK_STREAM, 0)) {
        int one = 1;
        ::setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        auto address = loopback(port);
        if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listener_.get(), 64) != 0) {
            listener_.reset();
            return;
        }
        socklen_t length = sizeof address;
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::jthread([this](std::stop_token stop) { accept_loop(stop); });
    }
    ~EchoServer() {
        thread_.request_stop();
        if (thread_.joinable())
            thread_.join();
        std::lock_guard lock(mutex_);
        connections_.clear(); // each one stops and joins
    }

    // False when the port could not be bound (another process holds it).
    bool listening() const { return port_ != 0; }
    std::uint16_t port() const { return port_; }
    std::size_t accepted() const { return accepted_; }

private:
    void accept_loop(const std::stop_token& stop) {
        while (!stop.stop_requested()) {
            pollfd waiting{listener_.get(), POLLIN, 0};
            if (::poll(&waiting, 1, 100) <= 0)
                continue;
            Fd client(::accept(listener_.get(), nullptr, nullptr));
            if (client.get() < 0)
                continue;
            accepted_++;
            std::lock_guard lock(mutex_);
            connections_.emplace_back([fd = std::move(client)](std::stop_token done) {
                echo(fd.get(), done);
            });
        }
    }

    static void echo(int fd, const std::stop_token& stop) {
        char buffer[65536];
        while (!stop.stop_requested()) {
            pollfd waiting{fd, POLLIN, 0};
            if (::poll(&waiting, 1, 100) <= 0)
                continue;
            const auto got = ::recv(fd, buffer, sizeof buffer, 0);
            if (got <= 0)
                break;
            if (!send_all(fd, std::string_view(buffer, static_cast<std::size_t>(got))))
                break;
        }
        ::shutdown(fd, SHUT_WR);
    }

    Fd listener_;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> accepted_{0};
    std::mutex mutex_;
    std::list<std::jthread> connections_;
    std::jthread thread_;
};

// A payload of `size` bytes that is not all one value, so a reordering would show.
inline std::string pattern(std::size_t size) {
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        out[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
    return out;
}

// Sends `payload` on one thread while reading the echo on this one (an echo needs both at once
// or the buffers fill); returns what came back.
inline std::string echo_round_trip(int fd, const std::string& payload,
                                   std::chrono::milliseconds timeout = 30s) {
    std::jthread writer([&] { send_all(fd, payload); });
    return read_up_to(fd, payload.size(), timeout);
}

} // namespace mirrord::tunnel_test

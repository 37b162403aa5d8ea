#pragma once
// A local listener on 127.0.0.1 whose every accepted connection gets its own upstream (one
// port-forward stream per TCP connection, DESIGN.md s8) and is pumped both ways until either
// side ends. A tunnel error is reported once (per distinct message) to the error handler, with
// the listener's name and the pod and port the connector tried; it is never retried in a loop.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/core/result.hpp"
#include "common/tunnel/event_loop.hpp"
#include "common/tunnel/pump.hpp"
#include "common/tunnel/upstream.hpp"

namespace mirrord::tunnel {

// Receives a tunnel error for the user, already prefixed with the listener's name. Called on
// the loop thread.
using ErrorHandler = std::function<void(const std::string& message)>;

struct ListenerOptions {
    std::string name;               // what the listener stands in for, e.g. "kafka:9092"
    std::string host = "127.0.0.1"; // processes we start listen on loopback only
    std::uint16_t port = 0;         // 0: any free port
    PumpOptions pump;
};

class TunnelListener {
public:
    // Binds and starts accepting on `loop`. `loop` must outlive the listener. Errors name the
    // address ("listening on 127.0.0.1:9092: Address already in use").
    static Result<std::unique_ptr<TunnelListener>> start(EventLoop& loop, Connector connect,
                                                         ListenerOptions options,
                                                         ErrorHandler on_error);
    // Stops (see stop()).
    ~TunnelListener();
    TunnelListener(const TunnelListener&) = delete;
    TunnelListener& operator=(const TunnelListener&) = delete;

    // The bound port and "127.0.0.1:port".
    std::uint16_t port() const { return port_; }
    std::string address() const;

    // Stops accepting and closes every open connection and its upstream. Idempotent; may be
    // called from any thread, including the loop's.
    void stop();

    // Connections accepted so far, and those still open.
    std::size_t accepted() const;
    std::size_t open_connections() const;

    struct State;

private:
    TunnelListener(EventLoop& loop, std::shared_ptr<State> state, std::uint16_t port)
        : loop_(loop), state_(std::move(state)), port_(port) {}

    EventLoop& loop_;
    std::shared_ptr<State> state_;
    std::uint16_t port_ = 0;
};

} // namespace mirrord::tunnel

#pragma once
// The far side of one tunnelled connection: a port-forward stream through the apiserver
// (port_forward.hpp) or, for loopback tests and the bench, a plain TCP connection
// (tcp_upstream.hpp). The pump (pump.hpp) moves a local client's bytes to and from one.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "common/core/result.hpp"

namespace mirrord::tunnel {

namespace asio = boost::asio;

// One byte stream; all calls on the event loop's thread, at most one read() and one write()
// outstanding at a time.
class Upstream {
public:
    virtual ~Upstream() = default;

    // The next bytes from the far side, valid until the next read(). An empty view is the
    // orderly end of the stream; an error names the tunnel ("pod ns/p port 9092: ...").
    virtual asio::awaitable<Result<std::string_view>> read() = 0;

    // Sends all of `data`.
    virtual asio::awaitable<Status> write(std::string_view data) = 0;

    // Ends our direction while the other keeps flowing, when the transport can (TCP); false
    // when it cannot (a port-forward stream has no half-close).
    virtual bool shutdown_send() = 0;

    // Closes the stream at once; a pending read() or write() completes with an error.
    virtual void close() = 0;

    // Where the stream goes, for messages ("pod ns/kafka-0 port 9092", "127.0.0.1:19092").
    virtual std::string describe() const = 0;
};

// Opens one upstream per accepted connection. Errors name where it tried to go.
using Connector = std::function<asio::awaitable<Result<std::unique_ptr<Upstream>>>()>;

} // namespace mirrord::tunnel

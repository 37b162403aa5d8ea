#pragma once
// An Upstream that is a plain TCP connection: the Kafka proxy's loopback tests and
// scripts/bench-tunnel run the proxy against the testenv broker without an apiserver.

#include <cstdint>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "common/tunnel/upstream.hpp"

namespace mirrord::tunnel {

// Connects to host:port (resolved on the loop). Errors name the address.
asio::awaitable<Result<std::unique_ptr<Upstream>>> connect_tcp(std::string host,
                                                               std::uint16_t port);

// A Connector that opens a new TCP connection to host:port each time.
Connector tcp_connector(std::string host, std::uint16_t port);

} // namespace mirrord::tunnel

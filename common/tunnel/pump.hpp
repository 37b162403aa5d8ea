#pragma once
// Moves the bytes of one accepted local connection to and from its upstream, both ways at once,
// with back-pressure: each side reads its next chunk only after the previous one was written.
// A connection whose first bytes are a Kafka ApiVersions request goes through KafkaConnection,
// which rewrites the broker addresses in responses (DESIGN.md s8); all else passes untouched.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/core/result.hpp"
#include "common/tunnel/kafka_rewrite.hpp"
#include "common/tunnel/upstream.hpp"

namespace mirrord::tunnel {

// How a connection's bytes are treated.
enum class Protocol {
    automatic, // Kafka when the first request is ApiVersions, else raw
    raw,       // every byte passes through
    kafka,     // always through the Kafka proxy
};

// What the first bytes a client sent say about its protocol.
enum class Sniffed { need_more, kafka, other };

// Kafka clients (librdkafka, the Java client) open every connection with an ApiVersions request:
// size (int32), api key 18 (int16), a version the broker may not know yet (int16). Needs 8 bytes.
Sniffed sniff_kafka(std::string_view first_bytes);

struct PumpOptions {
    Protocol protocol = Protocol::raw;
    // Used for Kafka connections; its mapper runs on the loop thread.
    kafka::ResponseRewrite kafka;
    // Receives one-line warnings (a Kafka request version whose responses are not rewritten).
    std::function<void(const std::string&)> warn;
    // The port-forward protocol has no half-close: after the client ended its side, answers
    // are still delivered until the upstream was quiet this long, then the stream is closed.
    std::chrono::milliseconds linger{std::chrono::seconds(2)};
};

// Runs until both directions ended. Returns the upstream's error (the tunnel failed, or the
// Kafka stream could not be read); a client that closes or resets is not an error.
asio::awaitable<Status> pump(asio::ip::tcp::socket& client, Upstream& upstream,
                             const PumpOptions& options);

} // namespace mirrord::tunnel

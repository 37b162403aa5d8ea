#pragma once
// The Kafka-aware proxy over sockets (DESIGN.md s8): a bootstrap listener that stands in for the
// cluster's bootstrap address, and one local listener per broker node id, created the first
// time a response names that node and kept for the whole session (librdkafka >= 2.10 identifies
// brokers by node id and reconnects when a node's address changes; KIP-899 rebootstrap
// reconnects to the bootstrap listener, so it stays up too). Each accepted connection opens its
// own upstream to the broker it stands for, through the caller's BrokerConnector: a port-forward
// stream in a session, plain TCP in loopback tests and scripts/bench-tunnel.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "common/core/result.hpp"
#include "common/tunnel/event_loop.hpp"
#include "common/tunnel/kafka_rewrite.hpp"
#include "common/tunnel/listener.hpp"

namespace mirrord::tunnel {

// Opens a connection to the broker at its advertised address (host, port as the broker wrote
// them in Metadata, FindCoordinator or DescribeCluster; the bootstrap address for the bootstrap
// listener).
using BrokerConnector =
    std::function<asio::awaitable<Result<std::unique_ptr<Upstream>>>(std::string, std::int32_t)>;

struct KafkaProxyOptions {
    std::string bootstrap_host; // the cluster's bootstrap address
    std::uint16_t bootstrap_port = 0;
    std::uint16_t listen_port = 0; // the bootstrap listener's local port; 0: any free port
    // How the bootstrap listener treats its connections; node listeners always speak Kafka.
    Protocol protocol = Protocol::kafka;
};

class KafkaProxy {
public:
    // Starts the bootstrap listener on 127.0.0.1. `loop` must outlive the proxy.
    static Result<std::unique_ptr<KafkaProxy>> start(EventLoop& loop, BrokerConnector connect,
                                                     KafkaProxyOptions options,
                                                     ErrorHandler on_error);
    // Stops every listener.
    ~KafkaProxy();
    KafkaProxy(const KafkaProxy&) = delete;
    KafkaProxy& operator=(const KafkaProxy&) = delete;

    // "127.0.0.1:port" of the bootstrap listener: what the local process gets instead of the
    // cluster's bootstrap.servers.
    std::string bootstrap_address() const;

    // Node id -> "127.0.0.1:port" for every broker a response has named so far.
    std::map<std::int32_t, std::string> brokers() const;

    // The address rewriting this proxy applies, for connections a general listener accepted
    // and found to speak Kafka (the node listeners are the same).
    kafka::ResponseRewrite rewrite() const;

    // Stops every listener and closes every connection. Idempotent.
    void stop();

    struct Registry;

private:
    KafkaProxy() = default;

    std::shared_ptr<Registry> registry_;
    std::unique_ptr<TunnelListener> bootstrap_;
};

} // namespace mirrord::tunnel

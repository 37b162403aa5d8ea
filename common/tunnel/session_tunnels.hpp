#pragma once
// The tunnels of one exec session (DESIGN.md s8): one event loop, one port-forward client, and
// one local listener per in-cluster host:port the local process was given, each a Kafka proxy
// whose connections are sniffed (Kafka clients get their broker addresses rewritten to one
// local listener per node id; any other protocol passes byte for byte). Every connection opens
// its own port-forward stream to a ready endpoint of the Service, looked up afresh (on a worker
// thread, never the loop's) so that a deleted pod's successor is found.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"
#include "common/tunnel/cluster_address.hpp"
#include "common/tunnel/kafka_proxy.hpp"

namespace mirrord::tunnel {

class SessionTunnels {
public:
    // Starts the loop. `client` is the session's REST client; the tunnels share its credential
    // source. `on_error` gets each tunnel error once (on the loop thread), for the terminal.
    static Result<std::unique_ptr<SessionTunnels>> start(const kube::Client& client,
                                                         std::string pod_namespace,
                                                         ErrorHandler on_error);
    // Stops every listener and the loop.
    ~SessionTunnels();
    SessionTunnels(const SessionTunnels&) = delete;
    SessionTunnels& operator=(const SessionTunnels&) = delete;

    // "127.0.0.1:port" standing in for host:port, which names `address`; the listener starts
    // on first use and is shared by every later use of the same host:port.
    Result<std::string> listen(const std::string& host, std::uint16_t port,
                               const ClusterAddress& address);

    // Stops every listener and closes every connection. Idempotent.
    void stop();

    struct Shared;

private:
    SessionTunnels() = default;

    std::unique_ptr<EventLoop> loop_;
    std::shared_ptr<Shared> shared_;
    ErrorHandler on_error_;
    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<KafkaProxy>> proxies_; // by lower-case host:port
};

} // namespace mirrord::tunnel

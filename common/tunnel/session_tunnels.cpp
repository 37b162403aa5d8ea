#include "common/tunnel/session_tunnels.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/core/strings.hpp"

namespace mirrord::tunnel {
namespace {

std::string key_of(const std::string& host, std::int32_t port) {
    return fmt::format("{}:{}", to_lower(host), port);
}

// co_spawn hands a default-constructed value to the handler on an exception: Result has none.
struct Looked {
    std::optional<Result<std::vector<PodPort>>> endpoints;
};

} // namespace

// What the connectors need, kept alive by each connection in flight.
struct SessionTunnels::Shared {
    std::shared_ptr<kube::Client> client; // thread-safe; used on the lookup thread only
    std::shared_ptr<PortForwarder> forwarder;
    std::string pod_namespace;
    asio::thread_pool lookups{1};
    std::mutex mutex;
    std::map<std::string, ClusterAddress> known; // host:port given to the process -> address

    std::optional<ClusterAddress> address_of(const std::string& host, std::int32_t port) {
        {
            std::lock_guard lock(mutex);
            if (auto found = known.find(key_of(host, port)); found != known.end())
                return found->second;
        }
        // A broker's advertised name (kafka-0.kafka.ns.svc.cluster.local) is always qualified.
        return parse_cluster_address(host, pod_namespace);
    }
};

Result<std::unique_ptr<SessionTunnels>> SessionTunnels::start(const kube::Client& client,
                                                              std::string pod_namespace,
                                                              ErrorHandler on_error) {
    std::unique_ptr<SessionTunnels> tunnels(new SessionTunnels());
    tunnels->shared_ = std::make_shared<Shared>();
    auto& shared = *tunnels->shared_;
    MIRRORD_TRY_ASSIGN(auto rest, client.with_options(kube::client_options_from_env()));
    shared.client = std::move(rest);
    MIRRORD_TRY_ASSIGN(shared.forwarder,
                       PortForwarder::create(client.connection(), client.credential_source()));
    shared.pod_namespace = std::move(pod_namespace);
    tunnels->on_error_ = std::move(on_error);
    tunnels->loop_ = std::make_unique<EventLoop>();
    return tunnels;
}

SessionTunnels::~SessionTunnels() { stop(); }

Result<std::string> SessionTunnels::listen(const std::string& host, std::uint16_t port,
                                           const ClusterAddress& address) {
    std::lock_guard lock(mutex_);
    auto key = key_of(host, port);
    if (auto found = proxies_.find(key); found != proxies_.end())
        return found->second->bootstrap_address();
    {
        std::lock_guard known_lock(shared_->mutex);
        shared_->known[key] = address;
    }
    BrokerConnector connect =
        [shared = shared_](std::string to_host,
                           std::int32_t to_port) -> asio::awaitable<Result<std::unique_ptr<Upstream>>> {
        auto target = shared->address_of(to_host, to_port);
        if (!target || to_port <= 0 || to_port > 65535)
            co_return fail("{}:{} is not an in-cluster Service address the tunnel can reach",
                           to_host, to_port);
        // Only trivially copyable captures: gcc 12 mis-copies a lambda with non-trivial
        // members into co_spawn's coroutine frame (ASan: free of a pointer into this frame).
        // Both pointees live in this frame, which waits for the lookup.
        const ClusterAddress* where = &*target;
        kube::Client* client = shared->client.get();
        auto looked = co_await asio::co_spawn(
            shared->lookups,
            [client, where, to_port]() -> asio::awaitable<Looked> {
                co_return Looked{resolve_cluster_address(*client, *where,
                                                         static_cast<std::uint16_t>(to_port))};
            },
            asio::use_awaitable);
        if (!looked.endpoints)
            co_return fail("{}:{}: looking up its endpoints failed", to_host, to_port);
        if (!*looked.endpoints)
            co_return std::move(*looked.endpoints).error().wrap(
                fmt::format("{}:{}", to_host, to_port));
        auto open = shared->forwarder->connector(std::move(**looked.endpoints));
        co_return co_await open();
    };
    KafkaProxyOptions options;
    options.bootstrap_host = host;
    options.bootstrap_port = port;
    options.protocol = Protocol::automatic;
    MIRRORD_TRY_ASSIGN(auto proxy,
                       KafkaProxy::start(*loop_, std::move(connect), options, on_error_));
    auto local = proxy->bootstrap_address();
    proxies_.emplace(key, std::move(proxy));
    return local;
}

void SessionTunnels::stop() {
    std::map<std::string, std::unique_ptr<KafkaProxy>> proxies;
    {
        std::lock_guard lock(mutex_);
        proxies.swap(proxies_);
    }
    for (auto& [key, proxy] : proxies)
        proxy->stop();
    proxies.clear();
    if (loop_)
        loop_->stop();
    if (shared_)
        shared_->lookups.join();
}

} // namespace mirrord::tunnel

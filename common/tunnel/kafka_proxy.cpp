#include "common/tunnel/kafka_proxy.hpp"

#include <mutex>
#include <vector>

#include "common/core/log.hpp"

namespace mirrord::tunnel {

// The per-node listeners. The mapper runs on the loop thread (inside a connection's pump);
// brokers() and stop() may run on others, hence the mutex. Listeners and mappers refer back
// here through weak pointers, so a stopped proxy is not kept alive by its own connections.
struct KafkaProxy::Registry {
    struct Node {
        std::string host; // the latest advertised address
        std::int32_t port = 0;
        std::unique_ptr<TunnelListener> listener;
    };

    EventLoop* loop = nullptr;
    BrokerConnector connect;
    ErrorHandler on_error;
    std::weak_ptr<Registry> self;
    mutable std::mutex mutex;
    std::map<std::int32_t, Node> nodes;
    bool stopped = false;

    kafka::ResponseRewrite rewrite() const {
        kafka::ResponseRewrite how;
        how.map_address = [weak = self](std::int32_t node_id, std::string_view host,
                                        std::int32_t port) {
            if (auto registry = weak.lock())
                return registry->map(node_id, host, port);
            return kafka::Endpoint{std::string(host), port};
        };
        return how;
    }

    Connector node_connector(std::int32_t node_id) const {
        return [weak = self, node_id]() -> asio::awaitable<Result<std::unique_ptr<Upstream>>> {
            auto registry = weak.lock();
            if (!registry)
                co_return fail("the Kafka proxy is stopped");
            std::string host;
            std::int32_t port = 0;
            {
                std::lock_guard lock(registry->mutex);
                auto node = registry->nodes.find(node_id);
                if (node == registry->nodes.end())
                    co_return fail("the Kafka proxy is stopped");
                host = node->second.host;
                port = node->second.port;
            }
            auto open = registry->connect;
            registry.reset(); // not held across the connect
            co_return co_await open(std::move(host), port);
        };
    }

    kafka::Endpoint map(std::int32_t node_id, std::string_view host, std::int32_t port) {
        std::lock_guard lock(mutex);
        auto found = nodes.find(node_id);
        if (found != nodes.end()) {
            found->second.host = std::string(host); // same node, maybe moved: same local port
            found->second.port = port;
            return {"127.0.0.1", found->second.listener->port()};
        }
        if (stopped)
            return {std::string(host), port};
        ListenerOptions options;
        options.name = fmt::format("Kafka broker {} ({}:{})", node_id, host, port);
        options.pump.protocol = Protocol::kafka;
        options.pump.kafka = rewrite();
        auto& node = nodes[node_id];
        node.host = std::string(host);
        node.port = port;
        auto listener =
            TunnelListener::start(*loop, node_connector(node_id), std::move(options), on_error);
        if (!listener) {
            nodes.erase(node_id);
            if (on_error)
                on_error(fmt::format("Kafka broker {} ({}:{}): {}", node_id, host, port,
                                     listener.error().message()));
            return {std::string(host), port};
        }
        node.listener = std::move(*listener);
        log::info("Kafka broker {} ({}:{}) is reachable at {}", node_id, host, port,
                  node.listener->address());
        return {"127.0.0.1", node.listener->port()};
    }
};

Result<std::unique_ptr<KafkaProxy>> KafkaProxy::start(EventLoop& loop, BrokerConnector connect,
                                                      KafkaProxyOptions options,
                                                      ErrorHandler on_error) {
    std::unique_ptr<KafkaProxy> proxy(new KafkaProxy());
    proxy->registry_ = std::make_shared<Registry>();
    auto& registry = *proxy->registry_;
    registry.loop = &loop;
    registry.connect = connect;
    registry.on_error = on_error;
    registry.self = proxy->registry_;

    ListenerOptions listen;
    listen.name = fmt::format("Kafka bootstrap {}:{}", options.bootstrap_host,
                              options.bootstrap_port);
    listen.port = options.listen_port;
    listen.pump.protocol = options.protocol;
    listen.pump.kafka = registry.rewrite();
    Connector bootstrap = [connect, host = options.bootstrap_host,
                           port = options.bootstrap_port]() { return connect(host, port); };
    MIRRORD_TRY_ASSIGN(proxy->bootstrap_, TunnelListener::start(loop, std::move(bootstrap),
                                                                std::move(listen), on_error));
    return proxy;
}

KafkaProxy::~KafkaProxy() { stop(); }

std::string KafkaProxy::bootstrap_address() const { return bootstrap_->address(); }

std::map<std::int32_t, std::string> KafkaProxy::brokers() const {
    std::lock_guard lock(registry_->mutex);
    std::map<std::int32_t, std::string> out;
    for (const auto& [id, node] : registry_->nodes)
        if (node.listener)
            out[id] = node.listener->address();
    return out;
}

kafka::ResponseRewrite KafkaProxy::rewrite() const { return registry_->rewrite(); }

void KafkaProxy::stop() {
    if (bootstrap_)
        bootstrap_->stop();
    std::vector<std::unique_ptr<TunnelListener>> listeners;
    {
        std::lock_guard lock(registry_->mutex);
        registry_->stopped = true;
        for (auto& [id, node] : registry_->nodes)
            if (node.listener)
                listeners.push_back(std::move(node.listener));
        registry_->nodes.clear();
    }
    for (auto& listener : listeners)
        listener->stop(); // not under the mutex: stop() waits for the loop, which may map
}

} // namespace mirrord::tunnel

#include "common/tunnel/cluster_address.hpp"

#include <algorithm>
#include <vector>

#include "common/core/strings.hpp"
#include "common/tunnel/service_endpoints.hpp"

namespace mirrord::tunnel {
namespace {

std::vector<std::string> labels_of(std::string_view host) { return split(to_lower(host), '.'); }

} // namespace

std::optional<ClusterAddress> parse_cluster_address(std::string_view host,
                                                    const std::string& default_namespace,
                                                    std::string_view cluster_domain) {
    while (host.ends_with('.'))
        host.remove_suffix(1);
    if (host.empty())
        return std::nullopt;
    auto labels = labels_of(host);
    if (std::any_of(labels.begin(), labels.end(), [](const auto& l) { return l.empty(); }))
        return std::nullopt;
    if (labels.size() == 1)
        return ClusterAddress{default_namespace, labels[0], ""};
    // Drop the cluster domain, then expect ...<ns>.svc at the end.
    const auto domain = labels_of(cluster_domain);
    if (labels.size() > domain.size() &&
        std::equal(domain.begin(), domain.end(), labels.end() - static_cast<long>(domain.size())))
        labels.resize(labels.size() - domain.size());
    if (labels.size() < 3 || labels.back() != "svc")
        return std::nullopt;
    labels.pop_back();
    if (labels.size() == 2)
        return ClusterAddress{labels[1], labels[0], ""};
    if (labels.size() == 3)
        return ClusterAddress{labels[2], labels[1], labels[0]};
    return std::nullopt;
}

Result<std::vector<PodPort>> resolve_cluster_address(kube::Client& client,
                                                     const ClusterAddress& address,
                                                     std::uint16_t port) {
    if (!address.pod.empty())
        return std::vector<PodPort>{{address.namespace_, address.pod, port}};
    return resolve_service_endpoints(client, address.namespace_, address.service, port);
}

BrokerConnector cluster_connector(std::shared_ptr<PortForwarder> forwarder,
                                  std::shared_ptr<kube::Client> client,
                                  std::string default_namespace) {
    return [forwarder = std::move(forwarder), client = std::move(client),
            default_namespace = std::move(default_namespace)](
               std::string host,
               std::int32_t port) -> asio::awaitable<Result<std::unique_ptr<Upstream>>> {
        auto address = parse_cluster_address(host, default_namespace);
        if (!address || port <= 0 || port > 65535)
            co_return fail("{}:{} is not an in-cluster Service address the tunnel can reach",
                           host, port);
        auto endpoints =
            resolve_cluster_address(*client, *address, static_cast<std::uint16_t>(port));
        if (!endpoints)
            co_return std::move(endpoints).error().wrap(fmt::format("{}:{}", host, port));
        auto connect = forwarder->connector(std::move(*endpoints)); // outlives the co_await
        co_return co_await connect();
    };
}

} // namespace mirrord::tunnel

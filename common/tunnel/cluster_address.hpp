#pragma once
// In-cluster DNS names (DESIGN.md s8): which Service, and for a headless Service which pod, a
// host name stands for, and a BrokerConnector that opens a port-forward stream to it. A Kafka
// broker in a StatefulSet advertises kafka-0.kafka.<ns>.svc.cluster.local:9092, a name a laptop
// cannot resolve; the proxy's node listener for it reaches pod kafka-0 this way.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/kube/rest_client.hpp"
#include "common/tunnel/kafka_proxy.hpp"
#include "common/tunnel/port_forward.hpp"

namespace mirrord::tunnel {

// What an in-cluster host name names.
struct ClusterAddress {
    std::string namespace_;
    std::string service;
    std::string pod; // set for <pod>.<service>.<ns>.svc...: one pod of a headless Service
};

// Parses <service>.<ns>.svc[.<domain>], <pod>.<service>.<ns>.svc[.<domain>] and a bare
// <service> (in `default_namespace`), case-insensitively, with or without a trailing dot.
// nullopt for anything else: "<a>.<b>" could as well be a public host, so callers that want
// it must check that the Service exists.
std::optional<ClusterAddress>
parse_cluster_address(std::string_view host, const std::string& default_namespace,
                      std::string_view cluster_domain = "cluster.local");

// The pods to try for host:port: the pod itself for a headless pod name (at `port`: a headless
// Service does not translate ports), else the Service's ready endpoints. Errors name the host.
Result<std::vector<PodPort>> resolve_cluster_address(kube::Client& client,
                                                     const ClusterAddress& address,
                                                     std::uint16_t port);

// Opens a port-forward stream for an in-cluster host:port, trying each endpoint in turn. The
// Service lookup is a blocking REST call on the loop thread: one per new connection, while
// the rest of the loop waits. A host that is not an in-cluster name is an error naming it.
BrokerConnector cluster_connector(std::shared_ptr<PortForwarder> forwarder,
                                  std::shared_ptr<kube::Client> client,
                                  std::string default_namespace);

} // namespace mirrord::tunnel

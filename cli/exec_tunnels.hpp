#pragma once
// exec's side of the tunnels (DESIGN.md s8): which addresses in the target's environment name
// in-cluster Services or pods, the local listeners that stand in for them, and the environment
// the local process gets instead. A name counts as in-cluster when it is written the way the
// pod would resolve it (svc, svc.ns, svc.ns.svc, svc.ns.svc.cluster.local, and
// pod.svc.ns.svc.cluster.local under a headless Service) and that Service exists; anything else
// (localhost, public names, IPs) is left alone.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/config/config.hpp"
#include "common/config/env_apply.hpp"
#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"
#include "common/tunnel/cluster_address.hpp"
#include "common/tunnel/env_addresses.hpp"
#include "common/tunnel/session_tunnels.hpp"

namespace mirrord::cli {

// GET of a Service: nullopt when there is none of that name. Errors keep the HTTP status.
using ServiceLookup = std::function<Result<std::optional<nlohmann::json>>(
    const std::string& namespace_, const std::string& name)>;

ServiceLookup service_lookup(kube::Client& client);

// One address of one variable that gets a tunnel.
struct PlannedTunnel {
    std::string var;
    tunnel::EnvAddress where;
    tunnel::ClusterAddress address;
};

struct TunnelPlan {
    std::vector<PlannedTunnel> tunnels; // by variable name, then position in the value
    std::vector<std::string> warnings;  // addresses that look in-cluster but are left alone
};

// Which addresses of `env` (the target's variables after feature.env) to tunnel, given
// feature.network.outgoing. Looks each distinct host up once.
TunnelPlan plan_tunnels(const config::EnvMap& env, const config::OutgoingConfig& outgoing,
                        const std::string& pod_namespace, const ServiceLookup& lookup);

// The running tunnels and what the summary says about them.
struct EnvTunnels {
    std::unique_ptr<tunnel::SessionTunnels> tunnels; // null when nothing is tunnelled
    std::vector<std::string> summary; // "KAFKA_BOOTSTRAP_SERVERS: a:9092 -> 127.0.0.1:41237 (kafka)"
    std::vector<std::string> warnings;
};

// Plans, checks that the user may port-forward in the pods' namespaces (a clear error naming
// the permission otherwise), starts a listener per distinct address (reusing `into`'s tunnels,
// started on first need) and rewrites `env` to them; appends to `into`'s summary and warnings.
// Tunnel errors while the app runs go to `on_error`. `label` prefixes each summary line ("" for
// the target's env); `show` false keeps addresses that came from a Secret out of the summary.
Status add_env_tunnels(kube::Client& client, EnvTunnels& into, config::EnvMap& env,
                       const config::OutgoingConfig& outgoing, const std::string& pod_namespace,
                       const tunnel::ErrorHandler& on_error, const std::string& label = "",
                       bool show = true);

// Installs agent::set_broker_route for brokers met outside exec's own setup (the guardian and
// `reset` deleting a dead session's topics, a reap at exec's start): in-cluster addresses in
// bootstrap.servers get local tunnels, kept for the rest of the process. Call once at startup.
void install_broker_route();

} // namespace mirrord::cli

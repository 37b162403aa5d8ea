#include "cli/exec_tunnels.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "agent/split_cleanup.hpp"
#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "common/kube/resources.hpp"
#include "common/tunnel/service_endpoints.hpp"

namespace mirrord::cli {
namespace {

using json = nlohmann::json;
using config::AddressFilter;
using config::OutgoingConfig;

// Lower case, without the trailing dot of a fully qualified name.
std::string host_key(std::string_view host) {
    std::string text = to_lower(host);
    while (!text.empty() && text.back() == '.')
        text.pop_back();
    return text;
}

std::vector<std::string> labels_of(const std::string& host) {
    std::vector<std::string> labels;
    std::size_t start = 0;
    while (start <= host.size()) {
        auto dot = host.find('.', start);
        labels.push_back(host.substr(start, dot == std::string::npos ? dot : dot - start));
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    return labels;
}

// What a host could name, before asking the cluster. `certain`: written with .svc, so a
// missing Service is worth a warning; a bare `cache` or `db.shop` may be anything.
struct Candidate {
    tunnel::ClusterAddress address;
    bool certain = false;
};

// An RFC 1123 label, as Service and namespace names are.
bool is_label(const std::string& label) {
    return !label.empty() && label.size() <= 63 && label.front() != '-' && label.back() != '-' &&
           std::all_of(label.begin(), label.end(), [](char c) {
               return std::islower(static_cast<unsigned char>(c)) ||
                      std::isdigit(static_cast<unsigned char>(c)) || c == '-';
           });
}

std::optional<Candidate> candidate_of(const std::string& written, const std::string& ns) {
    auto host = host_key(written);
    if (host == "localhost" || host.ends_with(".localhost"))
        return std::nullopt;
    auto labels = labels_of(host);
    if (labels.size() <= 2 && !std::all_of(labels.begin(), labels.end(), is_label))
        return std::nullopt;
    if (labels.size() == 1)
        return Candidate{{ns, labels[0], ""}, false};
    if (labels.size() == 2)
        return Candidate{{labels[1], labels[0], ""}, false};
    if (auto address = tunnel::parse_cluster_address(host, ns))
        return Candidate{std::move(*address), true};
    return std::nullopt;
}

// "svc.ns.svc.cluster.local" (with "pod." first for a pod): how filters compare names.
std::string canonical(const tunnel::ClusterAddress& address) {
    return fmt::format("{}{}.{}.svc.cluster.local", address.pod.empty() ? "" : address.pod + ".",
                       address.service, address.namespace_);
}

bool ipv4_in(const std::string& ip, const std::string& subnet) {
    auto slash = subnet.find('/');
    in_addr address{}, network{};
    if (inet_pton(AF_INET, ip.c_str(), &address) != 1 ||
        inet_pton(AF_INET, subnet.substr(0, slash).c_str(), &network) != 1)
        return false;
    int bits = slash == std::string::npos ? 32 : std::atoi(subnet.c_str() + slash + 1);
    if (bits < 0 || bits > 32)
        return false;
    std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (ntohl(address.s_addr) & mask) == (ntohl(network.s_addr) & mask);
}

// mirrord's filter entry against a TCP connection to `written:port`, which names `address`
// with ClusterIP `cluster_ip`.
bool matches(const AddressFilter& filter, const std::string& written, std::uint16_t port,
             const tunnel::ClusterAddress& address, const std::string& ns,
             const std::string& cluster_ip) {
    if (filter.protocol == "udp")
        return false;
    if (filter.port && *filter.port != port)
        return false;
    if (filter.host.empty())
        return true;
    if (filter.host.find('/') != std::string::npos || std::isdigit(filter.host.front()) ||
        filter.host.find(':') != std::string::npos)
        return !cluster_ip.empty() && (filter.host == cluster_ip || ipv4_in(cluster_ip, filter.host));
    if (host_key(filter.host) == host_key(written))
        return true;
    auto other = candidate_of(filter.host, ns);
    return other && canonical(other->address) == canonical(address);
}

bool tunnelled_by_filter(const OutgoingConfig& outgoing, const std::string& written,
                         std::uint16_t port, const tunnel::ClusterAddress& address,
                         const std::string& ns, const std::string& cluster_ip) {
    auto any = std::any_of(outgoing.filter.begin(), outgoing.filter.end(), [&](const auto& f) {
        return matches(f, written, port, address, ns, cluster_ip);
    });
    switch (outgoing.filter_side) {
    case OutgoingConfig::FilterSide::local:
        return !any;
    case OutgoingConfig::FilterSide::remote:
        return any;
    case OutgoingConfig::FilterSide::none:
        break;
    }
    return true;
}

// Kafka is found by the first bytes of each connection anyway; this only labels the summary.
bool looks_like_kafka(const std::string& var, std::uint16_t port) {
    auto name = var;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return name.find("KAFKA") != std::string::npos || name.find("BROKER") != std::string::npos ||
           port == 9092 || port == 9093 || port == 9094;
}

// One lookup per Service, whichever spelling the env used.
class Services {
public:
    explicit Services(const ServiceLookup& lookup) : lookup_(lookup) {}

    // The Service, nullopt when there is none; an error is said once per cause. A 403 is
    // quiet when `quiet_forbidden`: "github.com" reads as Service github in namespace com, which
    // a namespaced Role may not look into, and that is no reason to warn.
    std::optional<json> find(const tunnel::ClusterAddress& address, bool quiet_forbidden,
                             std::vector<std::string>& warnings) {
        auto key = address.namespace_ + "/" + address.service;
        if (auto found = cache_.find(key); found != cache_.end())
            return found->second;
        auto got = lookup_(address.namespace_, address.service);
        std::optional<json> service;
        if (got) {
            service = std::move(*got);
        } else if (!(quiet_forbidden && got.error().http_status() == 403) &&
                   said_.insert(got.error().message()).second) {
            warnings.push_back(got.error().http_status() == 403
                                   ? fmt::format("{} (reading Services needs get on services: "
                                                 "configs/rbac/role.yaml); addresses in the "
                                                 "environment are left as they are",
                                                 got.error().message())
                                   : got.error().wrap("looking up a Service named in the "
                                                      "environment").message());
        }
        cache_.emplace(key, service);
        return service;
    }

private:
    const ServiceLookup& lookup_;
    std::map<std::string, std::optional<json>> cache_;
    std::set<std::string> said_;
};

std::string cluster_ip_of(const json& service) {
    auto spec = service.find("spec");
    if (spec == service.end() || !spec->is_object())
        return "";
    auto ip = spec->find("clusterIP");
    return ip != spec->end() && ip->is_string() && *ip != "None" ? ip->get<std::string>() : "";
}

// A SelfSubjectAccessReview for `verb` on pods/portforward in `ns`: false when denied.
Result<bool> may_port_forward(kube::Client& client, const std::string& ns, const std::string& verb) {
    json review = {{"apiVersion", "authorization.k8s.io/v1"},
                   {"kind", "SelfSubjectAccessReview"},
                   {"spec",
                    {{"resourceAttributes",
                      {{"namespace", ns},
                       {"verb", verb},
                       {"resource", "pods"},
                       {"subresource", "portforward"}}}}}};
    MIRRORD_TRY_ASSIGN(auto answer,
                       client.create("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review));
    auto status = answer.find("status");
    return status != answer.end() && status->is_object() && status->value("allowed", false);
}

} // namespace

ServiceLookup service_lookup(kube::Client& client) {
    return [&client](const std::string& ns, const std::string& name) {
        return client.get_optional(kube::kinds::service.object(ns, name));
    };
}

TunnelPlan plan_tunnels(const config::EnvMap& env, const OutgoingConfig& outgoing,
                        const std::string& pod_namespace, const ServiceLookup& lookup) {
    TunnelPlan plan;
    if (!outgoing.tcp)
        return plan;
    Services services(lookup);
    for (const auto& [var, value] : env) {
        for (const auto& where : tunnel::find_env_addresses(value)) {
            auto candidate = candidate_of(where.host, pod_namespace);
            if (!candidate)
                continue;
            bool elsewhere = !candidate->certain && candidate->address.namespace_ != pod_namespace;
            auto service = services.find(candidate->address, elsewhere, plan.warnings);
            if (!service) {
                if (candidate->certain)
                    plan.warnings.push_back(fmt::format(
                        "{}: {}:{} names Service {} in namespace {}, which does not exist; left "
                        "as it is",
                        var, where.host, where.port, candidate->address.service,
                        candidate->address.namespace_));
                continue;
            }
            if (!tunnelled_by_filter(outgoing, where.host, where.port, candidate->address,
                                     pod_namespace, cluster_ip_of(*service)))
                continue;
            plan.tunnels.push_back({var, where, candidate->address});
        }
    }
    return plan;
}

Status add_env_tunnels(kube::Client& client, EnvTunnels& out, config::EnvMap& env,
                       const OutgoingConfig& outgoing, const std::string& pod_namespace,
                       const tunnel::ErrorHandler& on_error, const std::string& label,
                       bool show) {
    auto plan = plan_tunnels(env, outgoing, pod_namespace, service_lookup(client));
    out.warnings.insert(out.warnings.end(), plan.warnings.begin(), plan.warnings.end());
    if (plan.tunnels.empty())
        return {};
    std::set<std::string> namespaces;
    for (const auto& planned : plan.tunnels)
        namespaces.insert(planned.address.namespace_);
    for (const auto& ns : namespaces)
        for (const char* verb : {"get", "create"}) {
            MIRRORD_TRY_ASSIGN(auto allowed, may_port_forward(client, ns, verb));
            if (!allowed)
                return fail("tunnelling the in-cluster addresses of the target's environment "
                            "needs `get` and `create` on pods/portforward in namespace {}, and "
                            "`{}` is not allowed (configs/rbac/role.yaml grants both); or set "
                            "feature.network.outgoing to false to leave the addresses as they are",
                            ns, verb);
        }
    if (!out.tunnels) {
        MIRRORD_TRY_ASSIGN(out.tunnels,
                           tunnel::SessionTunnels::start(client, pod_namespace, on_error));
    }
    std::map<std::string, std::vector<const PlannedTunnel*>> by_var;
    for (const auto& planned : plan.tunnels)
        by_var[planned.var].push_back(&planned);
    std::set<std::string> checked;
    for (const auto& [var, planned] : by_var) {
        std::vector<tunnel::EnvAddress> addresses;
        std::vector<std::string> replacements, parts;
        for (const auto* one : planned) {
            MIRRORD_TRY_ASSIGN(auto local, out.tunnels->listen(one->where.host, one->where.port,
                                                               one->address));
            addresses.push_back(one->where);
            replacements.push_back(local);
            parts.push_back(fmt::format("{}:{} -> {}", one->where.host, one->where.port, local));
            // Said now rather than at the app's first connection: a Service nobody serves.
            auto key = canonical(one->address) + ":" + std::to_string(one->where.port);
            if (one->address.pod.empty() && checked.insert(key).second) {
                auto endpoints = tunnel::resolve_cluster_address(client, one->address,
                                                                 one->where.port);
                if (!endpoints)
                    out.warnings.push_back(fmt::format(
                        "{}: {}; connections to {} fail until it has one", var,
                        endpoints.error().message(), local));
            }
        }
        auto& value = env[var];
        value = tunnel::replace_env_addresses(value, addresses, replacements);
        if (show)
            out.summary.push_back(fmt::format("{}{}: {} ({})", label, var, fmt::join(parts, ", "),
                                              looks_like_kafka(var, planned.front()->where.port)
                                                  ? "kafka"
                                                  : "tcp"));
    }
    return {};
}

void install_broker_route() {
    agent::set_broker_route([](kube::Client& client,
                               const std::map<std::string, std::string>& properties)
                                -> Result<std::map<std::string, std::string>> {
        auto servers = properties.find("bootstrap.servers");
        if (servers == properties.end())
            return properties;
        // Never destroyed: the process ends soon after (reset, the guardian), and a static
        // destructor would stop the loop while librdkafka handles may still be closing.
        static std::mutex mutex;
        static auto* tunnels = new EnvTunnels();
        std::lock_guard lock(mutex);
        config::EnvMap values{{"bootstrap.servers", servers->second}};
        MIRRORD_TRY(add_env_tunnels(client, *tunnels, values, OutgoingConfig{},
                                    client.default_namespace(),
                                    [](const std::string& message) {
                                        log::warn("tunnel: {}", message);
                                    },
                                    "", false));
        for (const auto& warning : tunnels->warnings)
            log::debug("{}", warning);
        tunnels->warnings.clear();
        auto routed = properties;
        routed["bootstrap.servers"] = values.at("bootstrap.servers");
        return routed;
    });
}

} // namespace mirrord::cli

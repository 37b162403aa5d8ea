#include "common/tunnel/service_endpoints.hpp"

#include "common/kube/resources.hpp"

namespace mirrord::tunnel {
namespace {

using json = nlohmann::json;

const kube::ResourceKind endpoint_slice{"EndpointSlice", "discovery.k8s.io", "v1",
                                        "endpointslices", true};

std::string string_at(const json& object, const char* key) {
    auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

// The slice's port number for the Service port named `name` ("" for an unnamed single port).
std::optional<std::uint16_t> slice_port(const json& slice, const std::string& name) {
    auto ports = slice.find("ports");
    if (ports == slice.end() || !ports->is_array())
        return std::nullopt;
    for (const auto& port : *ports)
        if (string_at(port, "name") == name && port.contains("port") && port["port"].is_number())
            return port["port"].get<std::uint16_t>();
    return std::nullopt;
}

// `conditions.ready` absent counts as ready (EndpointConditions: "nil ... interpreted as
// true"); a terminating endpoint is not, whatever it says.
bool is_ready(const json& endpoint) {
    auto conditions = endpoint.find("conditions");
    if (conditions == endpoint.end() || !conditions->is_object())
        return true;
    if (conditions->value("terminating", false))
        return false;
    auto ready = conditions->find("ready");
    return ready == conditions->end() || !ready->is_boolean() || ready->get<bool>();
}

} // namespace

Result<std::vector<PodPort>> ready_endpoints(const json& service, const json& slices,
                                             std::uint16_t service_port) {
    const auto& metadata = service.value("metadata", json::object());
    const std::string namespace_ = string_at(metadata, "namespace");
    const std::string where =
        fmt::format("service {}/{} port {}", namespace_, string_at(metadata, "name"), service_port);
    // A headless Service's name resolves to the pod IPs: the client dials the pods at the port
    // it has, whatever the Service lists.
    const bool headless =
        service.value("spec", json::object()).value("clusterIP", std::string()) == "None";
    std::optional<json> chosen; // a copy: value() returns temporaries
    std::vector<std::string> known;
    for (const auto& port : service.value("spec", json::object()).value("ports", json::array())) {
        if (port.value("port", 0) == service_port)
            chosen = port;
        known.push_back(std::to_string(port.value("port", 0)));
    }
    if (headless)
        chosen = json{{"port", service_port}, {"targetPort", service_port}};
    if (!chosen)
        return fail("{}: the service has no such port (it has {})", where,
                    known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", ")));
    const std::string name = string_at(*chosen, "name");
    std::optional<std::uint16_t> numeric_target;
    if (auto target = chosen->find("targetPort"); target == chosen->end())
        numeric_target = service_port; // targetPort defaults to port
    else if (target->is_number())
        numeric_target = target->get<std::uint16_t>();

    std::vector<PodPort> endpoints;
    for (const auto& slice : slices.value("items", json::array())) {
        auto port = headless ? numeric_target : slice_port(slice, name);
        if (!port)
            port = numeric_target;
        if (!port)
            continue; // a named targetPort this slice's pods do not declare
        for (const auto& endpoint : slice.value("endpoints", json::array())) {
            const auto& ref = endpoint.value("targetRef", json::object());
            if (!is_ready(endpoint) || string_at(ref, "kind") != "Pod")
                continue;
            const auto ref_namespace = string_at(ref, "namespace");
            endpoints.push_back({ref_namespace.empty() ? namespace_ : ref_namespace,
                                 string_at(ref, "name"), *port});
        }
    }
    if (endpoints.empty())
        return fail("{}: no ready endpoint pod", where);
    return endpoints;
}

Result<std::vector<PodPort>> resolve_service_endpoints(kube::Client& client,
                                                       const std::string& namespace_,
                                                       const std::string& service,
                                                       std::uint16_t service_port) {
    MIRRORD_TRY_ASSIGN(auto object, client.get(kube::kinds::service.object(namespace_, service)));
    kube::ListOptions options;
    options.label_selector = "kubernetes.io/service-name=" + service;
    MIRRORD_TRY_ASSIGN(auto slices,
                       client.list(endpoint_slice.collection(namespace_), options));
    return ready_endpoints(object, slices, service_port);
}

} // namespace mirrord::tunnel

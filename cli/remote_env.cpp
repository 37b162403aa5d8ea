#include "cli/remote_env.hpp"

#include "common/kube/resources.hpp"

namespace mirrord::cli {
namespace {

using nlohmann::json;

// Node allocatable is only needed for resourceFieldRef limits without a limit set.
bool needs_allocatable(const json& pod, const std::string& container) {
    for (const auto& c : pod["spec"].value("containers", json::array())) {
        if (c.value("name", "") != container)
            continue;
        for (const auto& var : c.value("env", json::array()))
            if (var.contains("valueFrom") && var["valueFrom"].contains("resourceFieldRef"))
                return true;
    }
    return false;
}

std::optional<json> node_allocatable(kube::Client& client, const json& pod) {
    auto node = pod["spec"].value("nodeName", "");
    if (node.empty())
        return std::nullopt;
    auto object = client.get_optional(
        kube::custom_resource("", "v1", "nodes", "Node", /*namespaced=*/false).object("", node));
    if (!object || !object->has_value())
        return std::nullopt; // forbidden or gone: pod_env warns that the value is unknown
    return (**object)["status"].value("allocatable", json::object());
}

} // namespace

Result<kube::ResolvedEnv> fetch_remote_env(kube::Client& client, const json& pod,
                                           const std::string& container,
                                           const std::string& namespace_) {
    auto reader = [&client, namespace_](const kube::ResourceKind& kind) {
        return [&client, namespace_, kind](const std::string& name)
                   -> Result<std::optional<json>> {
            return client.get_optional(kind.object(namespace_, name));
        };
    };
    kube::EnvSources sources{reader(kube::kinds::configmap), reader(kube::kinds::secret)};
    kube::PodEnvOptions options;
    options.namespace_name = namespace_;
    if (needs_allocatable(pod, container))
        options.node_allocatable = node_allocatable(client, pod);
    auto env = kube::resolve_container_env(pod, container, sources, options);
    if (!env)
        return std::move(env).error().wrap(
            fmt::format("resolving the environment of container {}", container));
    return env;
}

} // namespace mirrord::cli

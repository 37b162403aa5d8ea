#include "common/session/target.hpp"

#include <algorithm>

#include "common/core/strings.hpp"
#include "common/kube/targets.hpp"

namespace mirrord::session {
namespace {

using config::TargetKind;

Result<kube::ResourceKind> kind_of(const config::Target& target) {
    switch (target.kind) {
    case TargetKind::pod:
        return kube::kinds::pod;
    case TargetKind::deployment:
        return kube::kinds::deployment;
    case TargetKind::statefulset:
        return kube::kinds::statefulset;
    case TargetKind::replicaset:
        return kube::kinds::replicaset;
    case TargetKind::job:
        return kube::kinds::job;
    case TargetKind::cronjob:
        return kube::kinds::cronjob;
    case TargetKind::rollout:
        return kube::custom_resource("argoproj.io", "v1alpha1", "rollouts", "Rollout");
    case TargetKind::service:
    case TargetKind::label:
    case TargetKind::targetless:
        break;
    }
    return fail("{} targets are not supported by this mirrord; name a pod or a workload "
                "(deployment/x, statefulset/x, ...)",
                split(target.display(), '/').front());
}

const json* template_of(const json& workload, const kube::ResourceKind& kind) {
    const json* spec = &workload["spec"];
    if (kind.kind == "CronJob") {
        if (!spec->contains("jobTemplate"))
            return nullptr;
        spec = &(*spec)["jobTemplate"]["spec"];
    }
    auto found = spec->find("template");
    return found == spec->end() ? nullptr : &*found;
}

bool is_ready_pod(const json& pod) {
    return !pod["metadata"].contains("deletionTimestamp") && kube::pod_is_ready(pod);
}

// A Running, Ready pod selected by the workload's selector, or nullopt. Copy pods carry no
// selector labels, so they are never picked.
Result<std::optional<json>> find_live_pod(kube::Client& client, const json& workload,
                                          const std::string& namespace_) {
    auto selector = workload["spec"].find("selector");
    if (selector == workload["spec"].end() || !selector->is_object())
        return std::optional<json>{};
    // From the watch cache (resourceVersion 0): any Running, Ready pod will do.
    kube::ListOptions options{selector_string(*selector), {}, 500, "0"};
    if (options.label_selector.empty())
        return std::optional<json>{};
    MIRRORD_TRY_ASSIGN(json pods, client.list(kube::kinds::pod.collection(namespace_), options));
    std::vector<json> ready;
    for (auto& pod : pods["items"])
        if (is_ready_pod(pod))
            ready.push_back(std::move(pod));
    if (ready.empty())
        return std::optional<json>{};
    // Oldest first, then by name: the same pod across runs while the workload is stable.
    std::sort(ready.begin(), ready.end(), [](const json& a, const json& b) {
        auto key = [](const json& p) {
            return std::pair(p["metadata"].value("creationTimestamp", ""),
                             p["metadata"].value("name", ""));
        };
        return key(a) < key(b);
    });
    return std::optional<json>(std::move(ready.front()));
}

Result<std::string> choose_container(const json& pod, const config::Target& target) {
    std::vector<std::string> names;
    for (const auto& container : pod["spec"].value("containers", json::array()))
        names.push_back(container.value("name", ""));
    if (target.container) {
        if (std::find(names.begin(), names.end(), *target.container) != names.end())
            return *target.container;
        return fail("container \"{}\" not found; its containers are: {}", *target.container,
                    join(names, ", "));
    }
    for (const auto& name : names)
        if (!kube::is_mesh_container(name))
            return name;
    return fail("no container to target (containers: {})", join(names, ", "));
}

} // namespace

std::string ResolvedTarget::object_path() const {
    return fmt::format("{}/{}", split(target.display(), '/').front(), target.name);
}

const json& ResolvedTarget::container_spec() const {
    for (const auto& c : pod["spec"]["containers"])
        if (c.value("name", "") == container)
            return c;
    static const json none = json::object();
    return none;
}

std::string selector_string(const json& label_selector) {
    std::vector<std::string> terms;
    // items() must iterate a named object: a temporary dies before the loop body runs.
    const json match_labels = label_selector.value("matchLabels", json::object());
    for (const auto& [key, value] : match_labels.items())
        terms.push_back(fmt::format("{}={}", key, value.get<std::string>()));
    for (const auto& expression : label_selector.value("matchExpressions", json::array())) {
        auto key = expression.value("key", "");
        auto op = expression.value("operator", "");
        auto values = expression.value("values", std::vector<std::string>{});
        if (op == "In" || op == "NotIn")
            terms.push_back(fmt::format("{} {} ({})", key, op == "In" ? "in" : "notin",
                                        join(values, ",")));
        else if (op == "Exists")
            terms.push_back(key);
        else if (op == "DoesNotExist")
            terms.push_back("!" + key);
    }
    return join(terms, ",");
}

Result<json> pod_from_template(const json& workload, const kube::ResourceKind& kind) {
    const json* pod_template = template_of(workload, kind);
    if (pod_template == nullptr || !pod_template->contains("spec"))
        return fail("{} {} has no pod template", kind.kind, workload["metadata"].value("name", ""));
    json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
    pod["metadata"] = pod_template->value("metadata", json::object());
    pod["metadata"]["namespace"] = workload["metadata"].value("namespace", "");
    pod["spec"] = (*pod_template)["spec"];
    pod["status"] = json::object();
    return pod;
}

Result<ResolvedTarget> resolve_target(kube::Client& client, const config::Target& target,
                                      const std::string& namespace_) {
    MIRRORD_TRY_ASSIGN(auto kind, kind_of(target));
    ResolvedTarget resolved{target, namespace_, kind, {}, {}, false, {}};
    auto context = fmt::format("resolving target {} in namespace {}", target.display(), namespace_);
    auto object = client.get_optional(kind.object(namespace_, target.name));
    if (!object)
        return std::move(object).error().wrap(context);
    if (!object->has_value())
        return fail("{}: {} \"{}\" not found in namespace \"{}\"", context, kind.kind,
                    target.name, namespace_);
    resolved.workload = std::move(**object);
    if (kind.kind == "Pod") {
        resolved.pod = resolved.workload;
    } else {
        auto live = find_live_pod(client, resolved.workload, namespace_);
        if (!live)
            return std::move(live).error().wrap(context);
        if (live->has_value()) {
            resolved.pod = std::move(**live);
        } else {
            auto built = pod_from_template(resolved.workload, kind);
            if (!built)
                return std::move(built).error().wrap(context);
            resolved.pod = std::move(*built);
            resolved.from_template = true;
        }
    }
    auto container = choose_container(resolved.pod, target);
    if (!container)
        return std::move(container).error().wrap(fmt::format("{}", context));
    resolved.container = std::move(*container);
    return resolved;
}

} // namespace mirrord::session

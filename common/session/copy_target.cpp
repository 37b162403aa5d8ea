#include "common/session/copy_target.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <thread>

#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "common/kube/resources.hpp"
#include "common/session/lease.hpp"

namespace mirrord::session {
namespace {

using namespace std::chrono_literals;

// Labels a controller adds to its pods; a copy must not look like one of them.
constexpr std::array<std::string_view, 5> controller_labels = {
    "pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name",
    "batch.kubernetes.io/controller-uid", "controller-uid"};

void remove_selector_labels(json& labels, const json& workload) {
    const auto& selector = workload["spec"].value("selector", json::object());
    // items() must iterate a named object: a temporary dies before the loop body runs.
    const json match_labels = selector.value("matchLabels", json::object());
    for (const auto& [key, value] : match_labels.items())
        labels.erase(key);
    for (const auto& expression : selector.value("matchExpressions", json::array()))
        labels.erase(expression.value("key", ""));
    for (auto key : controller_labels)
        labels.erase(std::string(key));
}

void remove_named(json& containers, const std::vector<std::string>& names,
                  const std::string& keep) {
    if (!containers.is_array())
        return;
    json kept = json::array();
    for (auto& container : containers) {
        auto name = container.value("name", "");
        if (name == keep || std::find(names.begin(), names.end(), name) == names.end())
            kept.push_back(std::move(container));
    }
    containers = std::move(kept);
}

// Fields of a live pod that a new pod must not carry: the apiserver refuses ephemeralContainers
// on create ("Forbidden: cannot be set on create"); nodeName pins the copy to the original's
// node; admission computes priority, preemptionPolicy and overhead from priorityClassName and
// runtimeClassName, and refuses a pod whose values disagree with what it computed (the class
// may have changed since the original was admitted). hostname and subdomain stay: the copy is
// in no Service, so no DNS record points at it, and the app sees the hostname it expects.
constexpr std::array<std::string_view, 5> live_only_spec_fields = {
    "nodeName", "ephemeralContainers", "priority", "preemptionPolicy", "overhead"};

// The ServiceAccount admission plugin adds a projected `kube-api-access-<random>` volume and its
// mounts to each pod. Left in, the copy would carry the original's generated name; removed, the
// plugin adds the copy its own (or none, when automountServiceAccountToken is false).
bool is_service_account_volume(const json& volume) {
    if (!volume.value("name", "").starts_with("kube-api-access-"))
        return false;
    const json sources =
        volume.value("projected", json::object()).value("sources", json::array());
    for (const auto& source : sources)
        if (source.contains("serviceAccountToken"))
            return true;
    return false;
}

void remove_service_account_volumes(json& spec) {
    if (!spec.contains("volumes") || !spec["volumes"].is_array())
        return;
    std::vector<std::string> removed;
    json kept = json::array();
    for (auto& volume : spec["volumes"]) {
        if (is_service_account_volume(volume))
            removed.push_back(volume.value("name", ""));
        else
            kept.push_back(std::move(volume));
    }
    spec["volumes"] = std::move(kept);
    for (const auto* list : {"initContainers", "containers"}) {
        if (!spec.contains(list))
            continue;
        for (auto& container : spec[list]) {
            if (!container.contains("volumeMounts"))
                continue;
            json mounts = json::array();
            for (auto& mount : container["volumeMounts"])
                if (std::find(removed.begin(), removed.end(), mount.value("name", "")) ==
                    removed.end())
                    mounts.push_back(std::move(mount));
            container["volumeMounts"] = std::move(mounts);
        }
    }
}

// The target's spec as a spec the apiserver accepts for a new, unpinned pod.
json clean_spec(const json& source) {
    json spec = source;
    for (auto field : live_only_spec_fields)
        spec.erase(std::string(field));
    remove_service_account_volumes(spec);
    return spec;
}

void strip_probes(json& containers) {
    if (!containers.is_array())
        return;
    for (auto& container : containers)
        for (const auto* probe : {"livenessProbe", "readinessProbe", "startupProbe"})
            container.erase(probe);
}

// A label value is at most 63 characters and ends alphanumeric; object names may be 253, and
// the apiserver rejects the whole pod for one bad label.
std::string label_value(std::string text) {
    text.resize(std::min<size_t>(text.size(), 63));
    while (!text.empty() && !std::isalnum(static_cast<unsigned char>(text.back())))
        text.pop_back();
    return text;
}

bool is_mirrord_label(const std::string& key) {
    return key == managed_by_label || key == session_label || key == copy_of_label;
}

// Removes from `pod` the labels some Service of its namespace selects it by. A consistent
// read (no resourceVersion=0): a Service created a moment ago must count too.
Status remove_service_labels(kube::Client& client, json& pod) {
    auto namespace_ = pod["metadata"].value("namespace", "");
    auto services = client.list(kube::kinds::service.collection(namespace_));
    if (!services)
        return std::move(services).error().wrap("listing the Services of namespace " +
                                                namespace_ + " (a copy must be in none)");
    auto& labels = pod["metadata"]["labels"];
    auto keys = service_selected_labels(labels, (*services)["items"]);
    if (!keys.empty())
        log::debug("copy pod: removing labels {} that a Service selects", join(keys, ", "));
    for (const auto& key : keys)
        labels.erase(key);
    return {};
}

std::string pod_summary(const json& pod) {
    const auto& status = pod.value("status", json::object());
    std::string text = status.value("phase", "Pending");
    for (const auto& container : status.value("containerStatuses", json::array())) {
        const auto& waiting = container["state"].value("waiting", json::object());
        if (waiting.contains("reason"))
            return text + ": " + waiting.value("reason", "");
    }
    for (const auto& condition : status.value("conditions", json::array()))
        if (condition.value("status", "") == "False" && condition.contains("reason"))
            return fmt::format("{}: {} ({})", text, condition.value("reason", ""),
                               condition.value("message", ""));
    return text;
}

std::string pod_events(kube::Client& client, const std::string& namespace_,
                       const std::string& name) {
    kube::ListOptions options;
    options.field_selector = "involvedObject.kind=Pod,involvedObject.name=" + name;
    auto events = client.list(kube::kinds::event.collection(namespace_), options);
    if (!events || (*events)["items"].empty())
        return "no events";
    std::vector<std::string> lines;
    for (const auto& event : (*events)["items"])
        lines.push_back(fmt::format("{} {}: {}", event.value("type", ""),
                                    event.value("reason", ""), event.value("message", "")));
    return join(lines, "; ");
}

} // namespace

std::string copy_pod_name(const ResolvedTarget& target, const std::string& session_id) {
    auto base = target.workload["metadata"].value("name", "target");
    constexpr size_t limit = 63; // a DNS label, so the name also works as a hostname
    auto suffix = "-" + session_id;
    auto prefix = std::string("mirrord-copy-") + base;
    prefix.resize(std::min(prefix.size(), limit - suffix.size()));
    while (!prefix.empty() && (prefix.back() == '-' || prefix.back() == '.'))
        prefix.pop_back();
    return prefix + suffix;
}

std::vector<std::string> service_selected_labels(const json& labels, const json& services) {
    std::vector<std::string> keys;
    for (const auto& service : services) {
        // A Service without a selector has hand-made endpoints; it selects no pod.
        const json selector =
            service.value("spec", json::object()).value("selector", json::object());
        if (selector.empty())
            continue;
        bool selects = true;
        for (const auto& [key, value] : selector.items())
            selects = selects && labels.contains(key) && labels.at(key) == value;
        if (!selects)
            continue;
        for (const auto& [key, value] : selector.items())
            if (!is_mirrord_label(key) && std::find(keys.begin(), keys.end(), key) == keys.end())
                keys.push_back(key);
    }
    return keys;
}

json build_copy_pod(const ResolvedTarget& target, const config::CopyTargetConfig& copy,
                    const std::string& agent_image, const std::string& session_id,
                    const json& owner) {
    const auto& source = target.pod;
    json labels = source["metadata"].value("labels", json::object());
    remove_selector_labels(labels, target.workload);
    labels[managed_by_label] = "mirrord";
    labels[session_label] = session_id;
    labels[copy_of_label] = label_value(fmt::format(
        "{}.{}", split(target.object_path(), '/').front(),
        target.workload["metadata"].value("name", "")));
    json spec = clean_spec(source["spec"]);
    remove_named(spec["containers"], copy.exclude_containers, target.container);
    if (spec.contains("initContainers"))
        remove_named(spec["initContainers"], copy.exclude_init_containers, "");
    strip_probes(spec["containers"]);
    if (spec.contains("initContainers"))
        strip_probes(spec["initContainers"]);
    for (auto& container : spec["containers"]) {
        if (container.value("name", "") != target.container)
            continue;
        // The app runs locally; the copy keeps the container's env for env resolution and
        // idles in the agent image (mirrord's operator does the same with `sleep`).
        container["image"] = agent_image;
        container["command"] = json::array({"sleep", "infinity"});
        container.erase("args");
        container.erase("lifecycle");
    }
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata",
             {{"name", copy_pod_name(target, session_id)},
              {"namespace", target.namespace_},
              {"labels", labels},
              {"annotations", source["metadata"].value("annotations", json::object())},
              {"ownerReferences", json::array({owner})}}},
            {"spec", spec}};
}

Result<json> create_copy_pod(kube::Client& client, const json& pod,
                             std::chrono::seconds timeout, const WaitProgress& progress,
                             const ShouldStop& stop) {
    auto namespace_ = pod["metadata"].value("namespace", "");
    auto name = pod["metadata"].value("name", "");
    auto context = fmt::format("copying target into pod {}/{}", namespace_, name);
    json unselected = pod;
    if (auto removed = remove_service_labels(client, unselected); !removed)
        return std::move(removed).error().wrap(context);
    auto created = client.create(kube::kinds::pod.collection(namespace_), unselected);
    if (!created)
        return std::move(created).error().wrap(context);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    json current = std::move(*created);
    std::string problem;
    // Short polls first: on a healthy cluster the pod runs within a few hundred ms.
    auto pause = std::chrono::milliseconds(20);
    while (true) {
        auto phase = current["status"].value("phase", "Pending");
        if (phase == "Running")
            return current;
        if (phase == "Failed" || phase == "Succeeded") {
            problem = "the pod ended (" + pod_summary(current) + ")";
            break;
        }
        if (stop && stop()) {
            problem = "interrupted";
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            problem = fmt::format("not Running after {} s (agent.startup_timeout): {}",
                                  timeout.count(), pod_summary(current));
            break;
        }
        if (progress)
            progress(pod_summary(current));
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::milliseconds>(pause * 2, 250ms);
        auto fresh = client.get(kube::kinds::pod.object(namespace_, name));
        if (fresh)
            current = std::move(*fresh);
    }
    auto events = pod_events(client, namespace_, name);
    (void)client.remove(kube::kinds::pod.object(namespace_, name));
    return fail("{}: {}; events: {}", context, problem, events);
}

Result<std::vector<std::string>> delete_copy_pods(kube::Client& client,
                                                  const std::string& namespace_,
                                                  const std::string& session_id) {
    kube::ListOptions options;
    options.label_selector = fmt::format("{}={},{}", session_label, session_id, copy_of_label);
    auto pods = client.list(kube::kinds::pod.collection(namespace_), options);
    if (!pods)
        return std::move(pods).error().wrap("listing copy pods of session " + session_id);
    std::vector<std::string> names;
    for (const auto& pod : (*pods)["items"])
        if (!pod["metadata"].contains("deletionTimestamp")) // already on its way out
            names.push_back(pod["metadata"].value("name", ""));
    return delete_pods_named(client, namespace_, names);
}

Result<std::vector<std::string>> delete_pods_named(kube::Client& client,
                                                   const std::string& namespace_,
                                                   const std::vector<std::string>& names) {
    std::vector<std::string> deleted;
    for (const auto& name : names) {
        auto removed = client.remove(kube::kinds::pod.object(namespace_, name));
        if (!removed)
            return std::move(removed).error().wrap("deleting copy pod " + name);
        if (*removed) // false: the garbage collector or another reaper was first
            deleted.push_back(name);
    }
    return deleted;
}

} // namespace mirrord::session

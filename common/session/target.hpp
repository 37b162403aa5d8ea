#pragma once
// Resolving a config target (deployment/x/container/c, pod/y, ...) to the objects a session
// works with: the workload, a pod (a Running, Ready one when it exists, else one built from the
// pod template), and the container.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/config/config.hpp"
#include "common/core/result.hpp"
#include "common/kube/resources.hpp"
#include "common/kube/rest_client.hpp"

namespace mirrord::session {

using json = nlohmann::json;

// A target found in the cluster.
struct ResolvedTarget {
    config::Target target;
    std::string namespace_;
    kube::ResourceKind kind;  // kind of the named object (Pod, Deployment, ...)
    json workload;            // the named object (for a pod target: the pod)
    json pod;                 // a live pod, or one built from the template (from_template)
    bool from_template = false;
    std::string container;    // the chosen container's name

    // "deployment/x" (no container), for messages and ledgers.
    std::string object_path() const;
    // The container object inside `pod`.
    const json& container_spec() const;
};

// The workload's pod template as a pod object (metadata from the template, namespace set).
Result<json> pod_from_template(const json& workload, const kube::ResourceKind& kind);

// A label selector string ("a=b,c in (d,e)") from a LabelSelector object.
std::string selector_string(const json& label_selector);

// Looks the target up in `namespace_`. Errors name the object; a missing container lists the
// containers that exist.
Result<ResolvedTarget> resolve_target(kube::Client& client, const config::Target& target,
                                      const std::string& namespace_);

} // namespace mirrord::session

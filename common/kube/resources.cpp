#include "common/kube/resources.hpp"

#include <array>

#include "common/core/strings.hpp"

namespace mirrord::kube {

std::string ResourceKind::api_prefix() const {
    return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string ResourceKind::collection(const std::string& ns) const {
    if (!namespaced || ns.empty())
        return api_prefix() + "/" + plural;
    return api_prefix() + "/namespaces/" + ns + "/" + plural;
}

std::string ResourceKind::object(const std::string& ns, const std::string& name) const {
    return collection(ns) + "/" + name;
}

std::string ResourceKind::subresource(const std::string& ns, const std::string& name,
                                      const std::string& sub) const {
    return object(ns, name) + "/" + sub;
}

namespace kinds {
const ResourceKind pod{"Pod", "", "v1", "pods", true};
const ResourceKind deployment{"Deployment", "apps", "v1", "deployments", true};
const ResourceKind statefulset{"StatefulSet", "apps", "v1", "statefulsets", true};
const ResourceKind replicaset{"ReplicaSet", "apps", "v1", "replicasets", true};
const ResourceKind job{"Job", "batch", "v1", "jobs", true};
const ResourceKind cronjob{"CronJob", "batch", "v1", "cronjobs", true};
const ResourceKind configmap{"ConfigMap", "", "v1", "configmaps", true};
const ResourceKind secret{"Secret", "", "v1", "secrets", true};
const ResourceKind lease{"Lease", "coordination.k8s.io", "v1", "leases", true};
const ResourceKind event{"Event", "", "v1", "events", true};
const ResourceKind namespace_{"Namespace", "", "v1", "namespaces", false};
const ResourceKind service{"Service", "", "v1", "services", true};
} // namespace kinds

std::optional<ResourceKind> find_kind(std::string_view name) {
    const std::array<const ResourceKind*, 12> table{
        &kinds::pod,       &kinds::deployment, &kinds::statefulset, &kinds::replicaset,
        &kinds::job,       &kinds::cronjob,    &kinds::configmap,   &kinds::secret,
        &kinds::lease,     &kinds::event,      &kinds::namespace_,  &kinds::service};
    const std::string wanted = to_lower(name);
    for (const ResourceKind* kind : table)
        if (to_lower(kind->kind) == wanted || kind->plural == wanted)
            return *kind;
    return std::nullopt;
}

ResourceKind custom_resource(std::string group, std::string version, std::string plural,
                             std::string kind, bool namespaced) {
    return ResourceKind{std::move(kind), std::move(group), std::move(version), std::move(plural),
                        namespaced};
}

} // namespace mirrord::kube

#pragma once
// Which API path serves which kind. Objects stay nlohmann::json; these helpers only build paths,
// so a typo in a group or plural is fixed in one table.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mirrord::kube {

// One resource type: group ("" for the core group), version, plural, and whether it lives in a
// namespace.
struct ResourceKind {
    std::string kind; // "Deployment"
    std::string group;
    std::string version;
    std::string plural;
    bool namespaced = true;

    // "/api/v1" or "/apis/<group>/<version>".
    std::string api_prefix() const;
    // The collection in `ns` (all namespaces when `ns` is empty or the kind is cluster-scoped).
    std::string collection(const std::string& ns) const;
    // One object.
    std::string object(const std::string& ns, const std::string& name) const;
    // A subresource of one object ("scale", "status", "log").
    std::string subresource(const std::string& ns, const std::string& name,
                            const std::string& sub) const;
};

// The kinds mirrord works with (core, apps, batch, coordination, events).
namespace kinds {
extern const ResourceKind pod;
extern const ResourceKind deployment;
extern const ResourceKind statefulset;
extern const ResourceKind replicaset;
extern const ResourceKind job;
extern const ResourceKind cronjob;
extern const ResourceKind configmap;
extern const ResourceKind secret;
extern const ResourceKind lease;
extern const ResourceKind event;
extern const ResourceKind namespace_;
extern const ResourceKind service;
} // namespace kinds

// Looks a kind up by Kind, lower-case kind, or plural ("Deployment", "deployment",
// "deployments"); nullopt when it is not in the table.
std::optional<ResourceKind> find_kind(std::string_view name);

// A custom resource by group/version/plural (e.g. queues.mirrord.metalbear.co, v1alpha,
// mirrordkafkatopicsconsumers).
ResourceKind custom_resource(std::string group, std::string version, std::string plural,
                             std::string kind = "", bool namespaced = true);

} // namespace mirrord::kube

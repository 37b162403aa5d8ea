#pragma once
// The environment a container gets, resolved from pod JSON the way the kubelet does
// (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables):
//   1. envFrom sources in order: every key of the config map / secret, with `prefix`; keys that
//      are not valid env var names are skipped with a warning; `optional` sources may be absent;
//   2. env entries in order, later ones replacing earlier ones: `value` (with $(VAR) expansion),
//      valueFrom configMapKeyRef / secretKeyRef / fieldRef / resourceFieldRef.
// $(VAR) expansion follows the kubelet: only variables defined earlier in this list (envFrom ones
// included) resolve; `$$` is a literal `$` (so `$$(VAR)` gives `$(VAR)`); an unresolved reference
// stays as written. Service link variables (FOO_SERVICE_HOST...) are not added: they need the
// namespace's Services and mirrord does not import them either.
// Config maps and secrets are looked up through injected functions, so this has no network.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"
#include "common/kube/quantity.hpp"

namespace mirrord::kube {

// Where config maps and secrets come from. Each returns the object's JSON (with `data`),
// nullopt when it does not exist, or an error when it cannot be read. Called once per object.
struct EnvSources {
    std::function<Result<std::optional<nlohmann::json>>(const std::string& name)> config_map;
    std::function<Result<std::optional<nlohmann::json>>(const std::string& name)> secret;
};

// What the pod JSON may not say.
struct PodEnvOptions {
    // The namespace for error messages and metadata.namespace when the pod has none (template).
    std::string namespace_name = "default";
    // The node's status.allocatable, used for limits.* when the container sets no limit (as the
    // kubelet does). Without it such values are left empty, with a warning.
    std::optional<nlohmann::json> node_allocatable;
};

// One resolved variable.
struct EnvVar {
    std::string name;
    std::string value;
    bool from_secret = false; // the value came from a secret, directly or through $(VAR)
};

// A container's resolved environment, in definition order (a redefined name keeps its first
// position and takes the new value).
struct ResolvedEnv {
    std::vector<EnvVar> vars;
    // Things the user should know that did not stop resolution (skipped keys, empty fields).
    std::vector<std::string> warnings;

    // The value of `name`, if defined.
    std::optional<std::string> get(const std::string& name) const;
    // True when `name` is defined and its value came from a secret.
    bool is_secret(const std::string& name) const;
};

// True for names the kubelet accepts from envFrom: [-._a-zA-Z][-._a-zA-Z0-9]*.
bool is_valid_env_name(const std::string& name);

// Resolves the environment of `container` in `pod` (a Pod, or a pod template wrapped as
// {"metadata":..,"spec":..}). Secret values are registered with log::add_secret. Errors name
// the env var and the missing object: `env var KAFKA_PASSWORD: secret "kafka-creds" not found in
// namespace "default"`.
Result<ResolvedEnv> resolve_container_env(const nlohmann::json& pod, const std::string& container,
                                          const EnvSources& sources,
                                          const PodEnvOptions& options = {});

// Expands $(VAR) references in `value` with the kubelet's rules; `lookup` returns nullopt for
// undefined names (the reference then stays literal).
std::string expand_env_references(
    const std::string& value,
    const std::function<std::optional<std::string>(const std::string&)>& lookup);


} // namespace mirrord::kube

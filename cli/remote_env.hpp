#pragma once
// The remote half of the environment: the target container's env, resolved from its pod the way
// the kubelet does, with config maps and secrets read from the API.

#include <string>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"
#include "common/kube/pod_env.hpp"
#include "common/kube/rest_client.hpp"

namespace mirrord::cli {

// Resolves `container` of `pod` in `namespace_`. Each config map and secret is read once; the
// node's allocatable resources are read when the pod is bound and a limit is unset (skipped
// quietly when forbidden). Errors name the env var and the missing object.
Result<kube::ResolvedEnv> fetch_remote_env(kube::Client& client, const nlohmann::json& pod,
                                           const std::string& container,
                                           const std::string& namespace_);

} // namespace mirrord::cli

#pragma once
// The bridge from the mirrord config model to kube::KubeOptions, so every command picks the
// kubeconfig, context and namespace the same way. It lives on the CLI side so that common/kube
// knows nothing of the config model.

#include "common/config/config.hpp"
#include "common/kube/connection.hpp"

namespace mirrord::cli {

// kubeconfig, kube_context, target.namespace and accept_invalid_certificates from `config`.
kube::KubeOptions kube_options_from(const config::Config& config);

} // namespace mirrord::cli

#pragma once
// The bridge from the mirrord config model to KubeOptions, so every command picks the
// kubeconfig, context and namespace the same way.

#include "common/config/config.hpp"
#include "common/kube/connection.hpp"

namespace mirrord::kube {

// kubeconfig, kube_context, target.namespace and accept_invalid_certificates from `config`.
KubeOptions kube_options_from(const config::Config& config);

} // namespace mirrord::kube

#pragma once
// Cluster settings for the commands that need a cluster but no chosen target (ls, reset,
// operator status): kubeconfig, context and namespace from an optional config file, then -n.

#include <optional>
#include <string>

#include "common/config/config.hpp"
#include "common/core/result.hpp"
#include "common/kube/connection.hpp"

namespace mirrord::cli {

// What the config file (if any) says about the cluster.
struct ClusterOptions {
    kube::KubeOptions kube;
    std::optional<config::Config> config; // set when a file was loaded
};

// Loads `config_file` (or MIRRORD_CONFIG_FILE) when given, without requiring a target, and
// applies `namespace_` over it. Namespace order: -n, the config's target.namespace, the
// kube context's.
Result<ClusterOptions> cluster_options(const std::optional<std::string>& config_file,
                                       const std::optional<std::string>& namespace_);

} // namespace mirrord::cli

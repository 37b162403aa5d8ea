#pragma once
// The Kubernetes manifests shipped in configs/ (CRDs, the config namespace, RBAC), embedded in
// the binary at build time (cli/embed_manifests.cmake), and what `mirrord operator setup` prints
// from them.

#include <string>
#include <vector>

#include "agent/split_config.hpp"

namespace mirrord::cli {

// One shipped file: its path in the repository ("configs/crds/...yaml") and its text, verbatim.
struct Manifest {
    const char* path;
    const char* text;
};

// Every file of configs/crds and configs/rbac, CRDs first, then the namespace, then RBAC: the
// order in which `kubectl apply -f -` can create them.
const std::vector<Manifest>& shipped_manifests();

// True for a valid namespace name (an RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, <= 63).
bool valid_namespace_name(const std::string& name);

// The manifests as one multi-document YAML stream, with the config namespace renamed to
// `config_namespace`: the Namespace object's name and every `namespace: mirrord` line.
// The shipped files put it in agent::default_config_namespace ("mirrord").
std::string setup_yaml(const std::string& config_namespace = agent::default_config_namespace);

} // namespace mirrord::cli

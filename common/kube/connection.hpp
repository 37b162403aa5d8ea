#pragma once
// Where to connect and how to authenticate: the result of choosing a kubeconfig source, a
// context and a namespace (kubectl's order), with certificates read into memory as PEM blobs.

#include <optional>
#include <string>

#include "common/core/result.hpp"
#include "common/kube/kubeconfig.hpp"

namespace mirrord::kube {

// What the user chose (config keys `kubeconfig`, `kube_context`, `target.namespace`,
// `accept_invalid_certificates`, and CLI flags). Unset fields fall back to kubectl's defaults.
struct KubeOptions {
    std::optional<std::string> kubeconfig;
    std::optional<std::string> context;
    std::optional<std::string> namespace_;
    bool accept_invalid_certificates = false;
    // Service-account folder for in-cluster config; tests point it elsewhere.
    std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

// Everything the transport and the credential source need. PEM fields hold file contents.
struct Connection {
    std::string server; // https://host:port, no trailing slash
    std::string ca_pem;
    bool insecure = false;
    std::string tls_server_name;
    std::string proxy_url;
    UserEntry user;          // with client cert/key files already read into the *_data fields
    std::string namespace_;  // the effective default namespace
    std::string context;     // context name, or "in-cluster"
    std::string source;      // the file(s) or "in-cluster", for messages
};

// Resolves `options` in kubectl's order: options.kubeconfig, $KUBECONFIG (merged list),
// ~/.kube/config, then the in-cluster service account. Errors name the file and context.
Result<Connection> resolve_connection(const KubeOptions& options);

// Builds a Connection from an already-parsed kubeconfig (no source lookup).
Result<Connection> connection_from_kubeconfig(const Kubeconfig& config, const KubeOptions& options);

// Builds the in-cluster Connection from KUBERNETES_SERVICE_HOST/PORT and the service-account
// folder (token file re-read on rotation by the credential source, CA, namespace).
Result<Connection> in_cluster_connection(const KubeOptions& options);

} // namespace mirrord::kube

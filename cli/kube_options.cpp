#include "cli/kube_options.hpp"

namespace mirrord::cli {

kube::KubeOptions kube_options_from(const config::Config& config) {
    kube::KubeOptions options;
    options.kubeconfig = config.kubeconfig;
    options.context = config.kube_context;
    options.namespace_ = config.target.namespace_;
    options.accept_invalid_certificates = config.accept_invalid_certificates.value_or(false);
    return options;
}

} // namespace mirrord::cli

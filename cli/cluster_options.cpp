#include "cli/cluster_options.hpp"

#include <cstdlib>

#include "cli/kube_options.hpp"

namespace mirrord::cli {

Result<ClusterOptions> cluster_options(const std::optional<std::string>& config_file,
                                       const std::optional<std::string>& namespace_) {
    ClusterOptions options;
    if (config_file || std::getenv("MIRRORD_CONFIG_FILE") != nullptr) {
        config::LoadOptions load_options;
        load_options.path = config_file;
        load_options.ide = true; // these commands need the cluster settings, not a target
        MIRRORD_TRY_ASSIGN(auto loaded, config::load(load_options));
        options.kube = cli::kube_options_from(loaded.config);
        options.config = std::move(loaded.config);
    }
    if (namespace_)
        options.kube.namespace_ = namespace_;
    return options;
}

} // namespace mirrord::cli

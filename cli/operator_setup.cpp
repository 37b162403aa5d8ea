#include "cli/operator_setup.hpp"

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/manifests.hpp"
#include "common/core/log.hpp"

namespace mirrord::cli {
namespace {

struct SetupArgs {
    std::string namespace_ = agent::default_config_namespace;
    bool accept_tos = false;
    std::optional<std::string> license_key;
    std::optional<std::string> license_path;
    bool kafka_splitting = false;
};

} // namespace

std::function<int()> add_operator_setup(CLI::App& operator_app, CLI::App*& setup) {
    auto args = std::make_shared<SetupArgs>();
    setup = operator_app.add_subcommand(
        "setup", "Print mirrord's CRDs, its config namespace and the developer RBAC, for "
                 "`| kubectl apply -f -`");
    setup
        ->add_option("-n,--namespace", args->namespace_,
                     "Namespace of mirrord's configuration: Kafka client configs and the Secrets "
                     "they load (exec reads agent.namespace)")
        ->capture_default_str()
        ->check([](const std::string& name) {
            return valid_namespace_name(name)
                       ? std::string{}
                       : "not a valid namespace name (lower-case letters, digits and '-', "
                         "at most 63)";
        });
    // mirrord's operator flags, so that its documented command line works unchanged.
    setup->add_flag("--accept-tos", args->accept_tos, "Accepted and ignored (no operator)");
    setup->add_option("--license-key", args->license_key, "Accepted and ignored (no operator)");
    setup->add_option("--license-path", args->license_path, "Accepted and ignored (no operator)");
    setup->add_flag("--kafka-splitting", args->kafka_splitting,
                    "Accepted and ignored: Kafka splitting is always available");
    return [args] {
        if (args->license_key)
            log::add_secret(*args->license_key);
        if (args->accept_tos || args->license_key || args->license_path || args->kafka_splitting)
            // stderr, so that the YAML on stdout still pipes into kubectl unchanged.
            log::warn("--accept-tos, --license-key, --license-path and --kafka-splitting are "
                      "ignored: this mirrord needs no operator or licence; queue splitting runs "
                      "inside `mirrord exec`");
        std::cout << setup_yaml(args->namespace_) << std::flush;
        return std::cout ? 0 : 1;
    };
}

} // namespace mirrord::cli

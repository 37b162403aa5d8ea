// `mirrord session-guardian` (hidden): the detached process exec starts to undo its session if
// exec dies without cleaning up. Users never run it; see cli/guardian.hpp.

#include <memory>

#include "cli/commands/command.hpp"
#include "cli/guardian.hpp"

namespace mirrord::cli {

Command add_session_guardian(CLI::App& parent) {
    auto args = std::make_shared<GuardianArgs>();
    auto* app = parent.add_subcommand("session-guardian", "Internal: undo a session if exec dies");
    app->group(""); // hidden from --help
    app->add_option("--parent", args->parent)->required();
    app->add_option("--namespace", args->namespace_)->required();
    app->add_option("--session", args->session)->required();
    app->add_option("--kubeconfig", args->kube.kubeconfig);
    app->add_option("--context", args->kube.context);
    app->add_flag("--accept-invalid-certificates", args->kube.accept_invalid_certificates);
    return {app, [args] { return run_guardian(*args); }};
}

} // namespace mirrord::cli

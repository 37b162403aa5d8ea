#include "cli/app.hpp"

#include <vector>

#include <CLI/CLI.hpp>

#include "agent/split_cleanup.hpp"
#include "cli/exec_tunnels.hpp"
#include "cli/commands/command.hpp"
#include "common/core/log.hpp"

namespace mirrord::cli {
namespace {

constexpr const char* description =
    "mirrord runs a local process in the context of a Kubernetes workload: with the target\n"
    "container's environment and its Kafka messages, restoring the cluster when it ends.";

void set_verbosity(size_t count) {
    switch (count) {
    case 0:
        log::set_level(log::Level::warn);
        break;
    case 1:
        log::set_level(log::Level::info);
        break;
    case 2:
        log::set_level(log::Level::debug);
        break;
    default:
        log::set_level(log::Level::trace);
        break;
    }
}

} // namespace

namespace {

int run_commands(int argc, char** argv) {
    CLI::App app(description, "mirrord");
    app.set_version_flag("-V,--version", "mirrord " MIRRORD_VERSION, "Print the version and exit");
    app.require_subcommand(1);
    app.fallthrough();
    size_t verbosity = 0;
    app.add_flag("-v,--verbose", verbosity,
                 "More output on stderr: -v info, -vv debug (HTTP requests), -vvv trace. "
                 "Secrets are redacted at every level");

    // Every reap, in every command, also removes what queue splitting left in the broker.
    agent::install_split_cleanup();
    install_broker_route();
    std::vector<Command> commands;
    commands.push_back(add_verify_config(app));
    commands.push_back(add_ls(app));
    commands.push_back(add_reset(app));
    commands.push_back(add_operator(app));
    commands.push_back(add_exec(app));
    commands.push_back(add_env(app));
    commands.push_back(add_session_guardian(app));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11 returns 0 for --help/--version and its own codes otherwise; ours is 2 for usage.
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    set_verbosity(verbosity);
    for (auto& command : commands) {
        if (command.app->parsed())
            return command.run();
    }
    return 2;
}

} // namespace

int run(int argc, char** argv) {
    // The last resort: data from the cluster is read through non-throwing accessors and errors
    // are Results, so reaching here is a bug; it must still end with a message and status 1,
    // not std::terminate (which would skip the cleanup a caller's shell script relies on).
    try {
        return run_commands(argc, argv);
    } catch (const std::exception& e) {
        log::error(fmt::format("internal: {}", e.what()));
    } catch (...) {
        log::error("internal: unknown exception");
    }
    return 1;
}

} // namespace mirrord::cli

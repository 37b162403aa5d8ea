#pragma once
// The contract between cli/app.cpp and each subcommand file in cli/commands/.

#include <functional>

#include <CLI/CLI.hpp>

namespace mirrord::cli {

// A registered subcommand: its CLI11 node and the function that runs it after parsing.
// `run` returns the process exit status (0 ok, 1 error; `exec` returns the child's status).
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

// Each subcommand file defines one of these; it adds its subcommand and flags to `parent`.
Command add_verify_config(CLI::App& parent);
Command add_ls(CLI::App& parent);
Command add_reset(CLI::App& parent);
Command add_operator(CLI::App& parent);
Command add_session_guardian(CLI::App& parent);
Command add_exec(CLI::App& parent);
Command add_env(CLI::App& parent);

} // namespace mirrord::cli

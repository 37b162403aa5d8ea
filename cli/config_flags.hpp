#pragma once
// The flags `exec` and `env` share (mirrord's ExecArgs): each one becomes a MIRRORD_* override,
// so a flag beats the process env, which beats the file (spec 1.3, 2.1).

#include <map>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/config/config.hpp"

namespace mirrord::cli {

// The names of the config file option of every subcommand that reads one. `--config` is an
// alias that guides use (`mirrord exec --config .mirrord/x.json -- ...`); mirrord's own name is
// `-f, --config-file`.
inline constexpr const char* config_file_option = "-f,--config-file,--config";

// Parsed values of the shared flags.
struct ConfigFlags {
    std::optional<std::string> config_file;
    std::optional<std::string> target;
    std::optional<std::string> target_namespace;
    std::optional<std::string> agent_namespace;
    std::optional<std::string> agent_image;
    std::optional<std::string> agent_startup_timeout;
    std::optional<std::string> env_exclude;
    std::optional<std::string> env_include;
    std::optional<std::string> env_file;
    bool accept_invalid_certificates = false;
    CLI::Option* accept_invalid_certificates_flag = nullptr;
    std::optional<std::string> context;
    std::optional<std::string> key;

    // Adds the flags to `app`, with help text.
    void add_to(CLI::App& app);
    // The LoadOptions these flags describe (path + env-named overrides).
    config::LoadOptions load_options() const;
};

} // namespace mirrord::cli

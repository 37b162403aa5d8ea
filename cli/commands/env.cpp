// `mirrord env [flags] [--format sh|dotenv|json] [--show-secrets]`: prints the variables
// `mirrord exec` would set in its child, for scripts and CI (`eval "$(mirrord env ...)"`).
// The same merge as exec (the target container's env resolved from its pod, then feature.env),
// but read-only: no session Lease, no guardian, no copy pod, no scale-down.
// Exit status: 0, or 1 for errors (config, cluster, missing config map/secret), 2 for usage.

#include <algorithm>
#include <cctype>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands/command.hpp"
#include "cli/config_flags.hpp"
#include "cli/remote_env.hpp"
#include "common/config/env_apply.hpp"
#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "cli/kube_options.hpp"
#include "common/session/target.hpp"

namespace mirrord::cli {
namespace {

constexpr const char* redacted = "********";

struct EnvArgs {
    ConfigFlags flags;
    std::string format = "sh";
    bool show_secrets = false;
};

// The target's resolved env; empty when the config has no target (targetless).
Result<kube::ResolvedEnv> target_env(const config::Config& config) {
    const auto& path = config.target.path;
    if (!path || path->kind == config::TargetKind::targetless)
        return kube::ResolvedEnv{};
    if (config.copy_target.enabled)
        log::warn("feature.copy_target is set: `mirrord env` resolves the environment against "
                  "the target itself, not a copy pod (pod name, IP and uid differ from exec's)");
    MIRRORD_TRY_ASSIGN(auto client, kube::Client::connect(cli::kube_options_from(config)));
    auto ns = config.target.namespace_.value_or(client->default_namespace());
    MIRRORD_TRY_ASSIGN(auto target, session::resolve_target(*client, *path, ns));
    log::info("resolving the environment of {} in namespace {}, container {}{}",
              target.object_path(), ns, target.container,
              target.from_template ? " (no running pod: pod template)" : "");
    return fetch_remote_env(*client, target.pod, target.container, target.namespace_);
}

// One variable as printed.
struct Entry {
    std::string name;
    std::string value;
    bool secret = false;
};

// `unset` entries, each possibly `;`-separated, as exec reads them.
std::vector<std::string> unset_list(const config::EnvConfig& env) {
    std::vector<std::string> out;
    for (const auto& entry : env.unset)
        for (const auto& piece : split(entry, ';'))
            if (auto name = trim(piece); !name.empty())
                out.emplace_back(name);
    return out;
}

std::set<std::string> unset_names(const config::EnvConfig& env) {
    std::set<std::string> out;
    for (const auto& name : unset_list(env))
        out.insert(to_lower(name));
    return out;
}

// exec's merge minus the local overlay: what the child gets on top of the local environment.
Result<std::vector<Entry>> resolve(const config::Config& config) {
    MIRRORD_TRY_ASSIGN(auto remote, target_env(config));
    for (const auto& warning : remote.warnings)
        log::warn("{}", warning);
    config::EnvList list;
    for (const auto& var : remote.vars)
        list.emplace_back(var.name, var.value);
    MIRRORD_TRY_ASSIGN(auto merged, config::merge_remote_env(list, config.env));
    auto unset = unset_names(config.env);
    std::vector<Entry> out;
    for (const auto& [name, value] : merged) {
        if (unset.count(to_lower(name)) != 0)
            continue; // exec removes these from the child (case-insensitively)
        // A value that env_file, mapping or override replaced is no longer the secret's.
        bool secret = remote.is_secret(name) && remote.get(name) == value;
        out.push_back({name, value, secret});
    }
    return out;
}

bool is_shell_name(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) != 0)
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    });
}

std::string sh_quote(const std::string& value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// Double-quoted dotenv value; our --env-file reader (dotenvy's rules) reads it back unchanged.
std::string dotenv_quote(const std::string& value) {
    std::string out = "\"";
    for (char c : value) {
        switch (c) {
        case '\\':
        case '"':
        case '$':
            out += '\\';
            out += c;
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
    return out + "\"";
}

bool is_dotenv_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
    });
}

std::string render(const std::vector<Entry>& entries, const EnvArgs& args,
                   const config::EnvConfig& env) {
    auto value_of = [&](const Entry& entry) {
        return entry.secret && !args.show_secrets ? std::string(redacted) : entry.value;
    };
    std::string out;
    if (args.format == "json") {
        auto object = nlohmann::ordered_json::object();
        for (const auto& entry : entries)
            object[entry.name] = value_of(entry);
        return object.dump(2) + "\n";
    }
    bool sh = args.format == "sh";
    for (const auto& entry : entries) {
        if (sh ? !is_shell_name(entry.name) : !is_dotenv_name(entry.name)) {
            log::warn("{} is not a valid {} variable name; left out", entry.name,
                      sh ? "shell" : "dotenv");
            continue;
        }
        out += sh ? fmt::format("export {}={}\n", entry.name, sh_quote(value_of(entry)))
                  : fmt::format("{}={}\n", entry.name, dotenv_quote(value_of(entry)));
    }
    if (sh) {
        for (const auto& name : unset_list(env))
            if (is_shell_name(name))
                out += fmt::format("unset {}\n", name);
    }
    return out;
}

int run_env(const EnvArgs& args) {
    auto loaded = config::load(args.flags.load_options());
    if (!loaded) {
        log::error("Failed to verify mirrord config: " + loaded.error().message());
        return 1;
    }
    for (const auto& warning : loaded->warnings)
        log::warn("{}", warning);
    auto entries = resolve(loaded->config);
    if (!entries) {
        log::error(entries.error().message());
        return 1;
    }
    std::cout << render(*entries, args, loaded->config.env) << std::flush;
    return std::cout ? 0 : 1;
}

} // namespace

Command add_env(CLI::App& parent) {
    auto args = std::make_shared<EnvArgs>();
    auto* app = parent.add_subcommand(
        "env",
        "Print the environment `mirrord exec` would give its command, for scripts and CI: "
        "`eval \"$(mirrord env -f cfg.json)\"`. Only the variables mirrord sets or overrides "
        "are printed (the target container's env after feature.env include/exclude, env_file, "
        "mapping and override), not the local environment they overlay; `unset` names are left "
        "out (sh format: an `unset NAME` line). Read-only: no session, copy pod or scale-down; "
        "with copy_target the env is resolved against the target itself. Secret-sourced values "
        "print as ******** unless --show-secrets");
    args->flags.add_to(*app);
    app->add_option("--format", args->format,
                    "sh: `export NAME='value'` lines; dotenv: `NAME=\"value\"` lines (readable "
                    "by --env-file); json: one object")
        ->check(CLI::IsMember({"sh", "dotenv", "json"}))
        ->default_str("sh");
    app->add_flag("--show-secrets", args->show_secrets,
                  "Print values that come from Secrets instead of ********");
    return {app, [args] { return run_env(*args); }};
}

} // namespace mirrord::cli

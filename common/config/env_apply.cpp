#include "common/config/env_apply.hpp"

#include <algorithm>
#include <memory>

#include <re2/re2.h>

#include "common/core/strings.hpp"

extern char** environ;

namespace mirrord::config {
namespace {

// Include/exclude entries may hold several `;`-separated patterns; empty pieces are dropped.
std::vector<std::string> patterns_of(const std::vector<std::string>& entries) {
    std::vector<std::string> out;
    for (const auto& entry : entries) {
        for (const auto& piece : split(entry, ';')) {
            auto trimmed = trim(piece);
            if (!trimmed.empty())
                out.emplace_back(trimmed);
        }
    }
    return out;
}

bool any_match(const std::vector<std::string>& patterns, const std::string& name) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& pattern) { return wildcard_match(pattern, name); });
}

// Step 1: the remote variables the agent would hand over.
Result<EnvMap> filter_remote(const EnvList& remote, const EnvConfig& config) {
    EnvMap out;
    if (!config.enabled || config.load_from_process)
        return out;
    auto include = patterns_of(config.include);
    auto exclude = patterns_of(config.exclude);
    if (!include.empty() && !exclude.empty())
        return fail("cannot use both `include` and `exclude` filters for environment variables");
    if (include.empty())
        include = {"*"};
    for (const auto& [name, value] : remote) {
        if (is_always_excluded_env(name) || any_match(exclude, name) || !any_match(include, name))
            continue;
        out[name] = value;
    }
    return out;
}

// Step 3: compiles every pattern first, so a bad one is reported even if nothing matches it.
Status apply_mapping(EnvMap& vars, const std::map<std::string, std::string>& mapping) {
    std::vector<std::pair<std::unique_ptr<RE2>, const std::string*>> rules;
    RE2::Options options;
    options.set_log_errors(false);
    for (const auto& [pattern, value] : mapping) { // std::map: sorted by pattern
        auto regex = std::make_unique<RE2>(pattern, options);
        if (!regex->ok())
            return fail("feature.env.mapping: invalid regex \"{}\": {}", pattern, regex->error());
        rules.emplace_back(std::move(regex), &value);
    }
    for (auto& [name, value] : vars) {
        for (const auto& [regex, replacement] : rules) {
            if (RE2::PartialMatch(name, *regex)) {
                value = *replacement;
                break;
            }
        }
    }
    return {};
}

} // namespace

bool is_always_excluded_env(std::string_view name) {
    static constexpr std::string_view names[] = {
        "PATH",       "HOME",           "HOMEPATH",          "CLASSPATH",
        "JAVA_HOME",  "JAVA_EXE",       "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
        "PYTHONPATH", "PWD",            "GOPATH",            "GOMODCACHE",
        "GEM_HOME",   "GEM_PATH",       "RUBYLIB",           "RUBYOPT",
        "CATALINA_HOME", "DOTNET_STARTUP_HOOKS", "DOTNET_EnableDiagnostics", "MIRRORD_LOG",
        "RUST_LOG",
    };
    if (std::find(std::begin(names), std::end(names), name) != std::end(names))
        return true;
    // Bundler's set (BUNDLE_GEMFILE, BUNDLER_VERSION, BUNDLER_ORIG_*, ...).
    return name.starts_with("BUNDLE_") || name.starts_with("BUNDLER_");
}

Result<EnvMap> merge_remote_env(const EnvList& remote, const EnvConfig& config,
                                const EnvLookup& env_lookup) {
    MIRRORD_TRY_ASSIGN(EnvMap merged, filter_remote(remote, config));
    if (config.env_file) {
        auto entries = load_dotenv(*config.env_file, env_lookup);
        if (!entries)
            return std::move(entries).error().wrap("feature.env.env_file");
        for (auto& [name, value] : *entries)
            merged[name] = std::move(value);
    }
    MIRRORD_TRY(apply_mapping(merged, config.mapping));
    for (const auto& [name, value] : config.override_)
        merged[name] = value;
    return merged;
}

std::vector<std::string> build_child_env(const EnvMap& local, const EnvMap& merged,
                                         const EnvConfig& config, const std::string& session_id) {
    EnvMap env = local;
    env.erase("MIRRORD_PROGRESS_MODE");
    for (const auto& [name, value] : merged)
        env[name] = value;
    std::vector<std::string> unset;
    for (const auto& name : patterns_of(config.unset))
        unset.push_back(to_lower(name));
    std::erase_if(env, [&](const auto& entry) {
        return std::find(unset.begin(), unset.end(), to_lower(entry.first)) != unset.end();
    });
    env[std::string(session_marker_var)] = session_id;

    std::vector<std::string> out;
    out.reserve(env.size());
    for (const auto& [name, value] : env)
        out.push_back(name + "=" + value);
    return out;
}

EnvMap current_process_env() {
    EnvMap env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        std::string_view text(*entry);
        auto eq = text.find('=');
        if (eq == std::string_view::npos || eq == 0)
            continue;
        env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
    return env;
}

std::optional<std::string> nested_session_marker(const EnvMap& local) {
    constexpr std::string_view mirrord_marker = "MIRRORD_RESOLVED_CONFIG";
    for (std::string_view name : {session_marker_var, mirrord_marker}) {
        if (local.count(std::string(name)) != 0)
            return std::string(name);
    }
    return std::nullopt;
}

} // namespace mirrord::config

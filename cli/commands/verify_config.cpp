// `mirrord verify-config [--ide] [--resolved] <path>`: checks a config and prints mirrord's
// verify-config JSON on stdout. Success and Fail both exit 0, as in mirrord, because IDEs read
// the JSON rather than the status.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands/command.hpp"
#include "common/config/config.hpp"
#include "common/config/resolved_json.hpp"
#include "common/config/target.hpp"
#include "common/config/verify.hpp"

namespace mirrord::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

struct VerifyArgs {
    std::string path;
    bool ide = false;
    bool resolved = false;
};

// mirrord's Success shape, keys in its order.
ordered_json success_json(const config::Loaded& loaded, bool resolved) {
    const auto& target = loaded.config.target;
    ordered_json out;
    out["type"] = "Success";
    out["config"] = {
        {"path", target.path ? config::target_to_json(*target.path) : ordered_json(nullptr)},
        {"namespace", target.namespace_ ? ordered_json(*target.namespace_) : nullptr}};
    out["warnings"] = loaded.warnings;
    ordered_json kinds = ordered_json::array();
    for (auto kind : config::compatible_target_types(loaded.config))
        kinds.push_back(config::target_kind_name(kind));
    out["compatible_target_types"] = std::move(kinds);
    if (resolved)
        out["resolved_config"] = ordered_json::parse(config::to_resolved_json(loaded.config).dump());
    return out;
}

int run_verify(const VerifyArgs& args) {
    config::LoadOptions options;
    options.path = args.path;
    options.ide = args.ide;
    // Without --ide nothing will prompt for a target later, so no target means targetless.
    options.empty_target_is_targetless = !args.ide;
    auto loaded = config::load(options);
    ordered_json out;
    if (loaded) {
        out = success_json(*loaded, args.resolved);
    } else {
        out["type"] = "Fail";
        out["errors"] = {"Failed to verify mirrord config: " + loaded.error().message()};
    }
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return 0;
}

} // namespace

Command add_verify_config(CLI::App& parent) {
    auto* app = parent.add_subcommand(
        "verify-config",
        "Check a mirrord config file (JSON, YAML or TOML) and print the result as JSON on "
        "stdout: {\"type\":\"Success\",...} or {\"type\":\"Fail\",\"errors\":[...]}. Exits 0 "
        "in both cases");
    auto args = std::make_shared<VerifyArgs>();
    app->add_option("path", args->path,
                    "The config file to check; `-` reads JSON from stdin")
        ->required();
    app->add_flag("--ide", args->ide,
                  "Called from an IDE that will ask for a target later: a missing target is not "
                  "treated as targetless");
    app->add_flag("--resolved", args->resolved,
                  "Also print the fully resolved config (defaults, MIRRORD_* environment "
                  "overrides applied) as `resolved_config`");
    return {app, [args] { return run_verify(*args); }};
}

} // namespace mirrord::cli

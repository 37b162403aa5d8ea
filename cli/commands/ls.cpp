// `mirrord ls` (spec 2.3): the targets in a namespace as a JSON array of paths on stdout, or the
// rich object with MIRRORD_LS_RICH_OUTPUT=true.

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cluster_options.hpp"
#include "cli/config_flags.hpp"
#include "cli/commands/command.hpp"
#include "common/config/config.hpp"
#include "common/core/log.hpp"
#include "cli/kube_options.hpp"
#include "common/kube/rest_client.hpp"
#include "common/kube/targets.hpp"
#include "common/session/reaper.hpp"

namespace mirrord::cli {
namespace {

using nlohmann::json;

struct LsArgs {
    std::optional<std::string> namespace_;
    std::optional<std::string> config_file;
    std::vector<std::string> target_types;
    std::string output = "json";
};

bool env_true(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && (std::string(value) == "true" || std::string(value) == "1");
}

// -t flags, else MIRRORD_LS_TARGET_TYPES (a JSON array of type names).
Result<std::vector<std::string>> target_types(const LsArgs& args) {
    if (!args.target_types.empty())
        return args.target_types;
    const char* env = std::getenv("MIRRORD_LS_TARGET_TYPES");
    if (env == nullptr || *env == '\0')
        return std::vector<std::string>{};
    try {
        return json::parse(env).get<std::vector<std::string>>();
    } catch (const json::exception& e) {
        return fail("MIRRORD_LS_TARGET_TYPES: expected a JSON array of strings: {}", e.what());
    }
}

// ls is often the first command of a day: it undoes sessions whose exec and guardian both died
// (DESIGN.md section 3), so their workloads come back before the user picks a target. Best
// effort: a user without rights on Leases still gets the list.
void undo_stale_sessions(kube::Client& client) {
    auto reaped = session::reap_sessions(client, client.default_namespace(), "",
                                         session::ReapScope::stale);
    if (!reaped) {
        log::debug("not checking for stale sessions: {}", reaped.error().message());
        return;
    }
    for (const auto& message : reaped->malformed)
        log::warn("{} (left alone)", message);
    for (const auto& [record, report] : reaped->reaped) {
        for (const auto& action : report.actions)
            log::warn("stale session {} of {}: {}", record.id, record.target, action);
        if (report.error)
            log::warn("stale session {}: {}", record.id, *report.error);
    }
}

Result<json> run_ls(const LsArgs& args) {
    MIRRORD_TRY_ASSIGN(auto types, target_types(args));
    MIRRORD_TRY_ASSIGN(auto options, cluster_options(args.config_file, args.namespace_));
    // With copy_target the original's readiness does not matter, as in mirrord.
    const bool copy_target = options.config && options.config->copy_target.enabled;
    MIRRORD_TRY_ASSIGN(auto client, kube::Client::connect(options.kube));
    undo_stale_sessions(*client);
    const bool rich = env_true("MIRRORD_LS_RICH_OUTPUT");
    // Rich output lists unavailable targets too, marked available=false.
    kube::TargetQuery query{client->default_namespace(), types, rich || copy_target};
    MIRRORD_TRY_ASSIGN(auto targets, kube::list_targets(*client, query));
    if (!rich) {
        json paths = json::array();
        for (const auto& target : targets)
            if (target.available || copy_target)
                paths.push_back(target.path);
        return paths;
    }
    json listed = json::array();
    for (const auto& target : targets)
        listed.push_back({{"path", target.path}, {"available", target.available}});
    MIRRORD_TRY_ASSIGN(auto namespaces, kube::list_namespace_names(*client));
    return json{{"targets", listed},
                {"current_namespace", client->default_namespace()},
                {"namespaces", namespaces}};
}

} // namespace

Command add_ls(CLI::App& parent) {
    auto args = std::make_shared<LsArgs>();
    auto* app = parent.add_subcommand("ls", "List the targets in a namespace as JSON");
    app->group(""); // hidden, as in mirrord
    app->add_option("-n,--namespace", args->namespace_, "Namespace to list (default: context's)");
    app->add_option(config_file_option, args->config_file, "mirrord config file");
    app->add_option("-t,--target-type", args->target_types,
                    "Only these target types (repeatable): pod, deployment, statefulset, ...");
    app->add_option("-o,--output", args->output, "Output format (only json)")
        ->check(CLI::IsMember({"json"}));
    return {app, [args] {
                auto result = run_ls(*args);
                if (!result) {
                    log::error(std::move(result).error().wrap("listing targets").message());
                    return 1;
                }
                std::cout << result->dump() << '\n';
                return 0;
            }};
}

} // namespace mirrord::cli

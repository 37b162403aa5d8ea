// `mirrord reset [TARGET] [--all] [-n NS | -A]`: undoes what dead sessions left in the cluster
// (DESIGN.md section 3, undo path 4): scaled-down workloads go back to their recorded replicas,
// copy pods and session Leases are deleted, and so are the temporary Kafka topics and groups of
// queue splitting whose session Lease is gone. One line per action on stdout.

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/split_cleanup.hpp"
#include "cli/cluster_options.hpp"
#include "cli/config_flags.hpp"
#include "cli/commands/command.hpp"
#include "common/config/config.hpp"
#include "common/config/target.hpp"
#include "common/core/log.hpp"
#include "cli/kube_options.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/reaper.hpp"

namespace mirrord::cli {
namespace {

using nlohmann::json;

struct ResetArgs {
    std::optional<std::string> target;
    bool all = false;
    std::optional<std::string> namespace_;
    bool all_namespaces = false;
    std::optional<std::string> config_file;
    std::string output = "text";
};

struct Reaped : session::ReapResult {
    session::ReapReport kafka; // orphaned temporary topics and groups
};

// The target as sessions record it ("deployment/x" or "deployment/x/container/c"), so aliases
// such as deploy/x match too.
Result<std::string> target_filter(const ResetArgs& args) {
    if (!args.target)
        return std::string{};
    MIRRORD_TRY_ASSIGN(auto target, config::parse_target_string(*args.target));
    if (target.name.empty())
        return fail("TARGET {}: name a workload or pod (deployment/x, pod/y, ...)", *args.target);
    return target.display();
}

Result<Reaped> run_reset(const ResetArgs& args) {
    MIRRORD_TRY_ASSIGN(auto target, target_filter(args));
    MIRRORD_TRY_ASSIGN(auto options, cluster_options(args.config_file, args.namespace_));
    MIRRORD_TRY_ASSIGN(auto client, kube::Client::connect(options.kube));
    auto namespace_ = args.all_namespaces ? std::string{} : client->default_namespace();
    auto scope = args.all ? session::ReapScope::all : session::ReapScope::stale;
    MIRRORD_TRY_ASSIGN(auto reaped, session::reap_sessions(*client, namespace_, target, scope));
    Reaped result{std::move(reaped), {}};
    auto config_namespace =
        options.config ? options.config->agent.namespace_.value_or("mirrord") : "mirrord";
    agent::reset_orphan_temporaries(*client, namespace_, config_namespace, result.kafka.actions,
                                    result.kafka.warnings);
    return result;
}

json to_json(const Reaped& reaped) {
    json sessions = json::array();
    for (const auto& [record, report] : reaped.reaped)
        sessions.push_back({{"session", record.id},
                            {"namespace", record.namespace_},
                            {"target", record.target},
                            {"owner", record.owner},
                            {"actions", report.actions},
                            {"warnings", report.warnings},
                            {"error", report.error ? json(*report.error) : json(nullptr)}});
    if (!reaped.kafka.actions.empty() || !reaped.kafka.warnings.empty())
        sessions.push_back({{"session", nullptr},
                            {"kafka", true},
                            {"actions", reaped.kafka.actions},
                            {"warnings", reaped.kafka.warnings},
                            {"error", nullptr}});
    return sessions;
}

// Actions are the result (stdout); warnings, e.g. replicas someone else changed, go to stderr.
void print_text(const Reaped& reaped) {
    bool any = false;
    for (const auto& [record, report] : reaped.reaped) {
        for (const auto& action : report.actions) {
            std::cout << action << '\n';
            any = true;
        }
        for (const auto& warning : report.warnings)
            log::warn("{}", warning);
    }
    for (const auto& action : reaped.kafka.actions) {
        std::cout << action << '\n';
        any = true;
    }
    for (const auto& warning : reaped.kafka.warnings)
        log::warn("{}", warning);
    if (!any)
        std::cout << "nothing to reset\n";
}

} // namespace

Command add_reset(CLI::App& parent) {
    auto args = std::make_shared<ResetArgs>();
    auto* app = parent.add_subcommand(
        "reset", "Undo what ended mirrord sessions left in the cluster: restore scaled-down "
                 "workloads, delete copy pods and session Leases");
    app->add_option("target", args->target,
                    "Only sessions of this target (deployment/x, pod/y[/container/c]); "
                    "default: every target in the namespace");
    app->add_flag("--all", args->all,
                  "Undo every session, also those whose Lease is still fresh (a dead machine, "
                  "or one whose clock is wrong). This ends the cluster changes of LIVE sessions "
                  "too: their workloads are scaled back up and their copy pods deleted");
    auto* ns = app->add_option("-n,--namespace", args->namespace_,
                               "Namespace (default: the config's target.namespace, else the "
                               "kube context's)");
    app->add_flag("-A,--all-namespaces", args->all_namespaces, "Sessions in every namespace")
        ->excludes(ns);
    app->add_option(config_file_option, args->config_file,
                    "mirrord config file (kubeconfig, context and namespace)");
    app->add_option("-o,--output", args->output, "Output format")
        ->check(CLI::IsMember({"text", "json"}));
    return {app, [args] {
                auto reaped = run_reset(*args);
                if (!reaped) {
                    log::error(std::move(reaped).error().wrap("resetting sessions").message());
                    return 1;
                }
                if (args->output == "json")
                    std::cout << to_json(*reaped).dump() << '\n';
                else
                    print_text(*reaped);
                int status = 0;
                // Edited Leases or ledgers cannot be judged or restored: say which, and fail.
                for (const auto& message : reaped->malformed) {
                    log::error(fmt::format("{}; not reset", message));
                    status = 1;
                }
                for (const auto& [record, report] : reaped->reaped) {
                    if (report.error) {
                        log::error(fmt::format("session {}: {}", record.id, *report.error));
                        status = 1;
                    }
                }
                return status;
            }};
}

} // namespace mirrord::cli

// `mirrord exec [flags] -- COMMAND [ARGS...]`: runs COMMAND locally with the target container's
// environment, its in-cluster addresses tunnelled (cli/exec_tunnels.hpp); with
// copy_target/scale_down, against a copy pod with the workload scaled to zero; with
// split_queues, on session topics that receive copies of the messages its filters match
// (agent/split_session.hpp), Ready! only once the splitter routes to them.
// Exit status: the command's (128+N when killed by signal N); 1 for mirrord's own errors.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands/command.hpp"
#include "cli/config_flags.hpp"
#include "cli/exec_session.hpp"
#include "cli/exec_tunnels.hpp"
#include "cli/remote_env.hpp"
#include "common/config/env_apply.hpp"
#include "common/core/interrupt.hpp"
#include "common/core/log.hpp"
#include "common/core/process.hpp"
#include "common/core/strings.hpp"
#include "cli/kube_options.hpp"
#include "common/session/target.hpp"

namespace mirrord::cli {
namespace {

struct ExecArgs {
    ConfigFlags flags;
    std::vector<std::string> command;
};

// What setup produced: the session (if any) and the child's environment.
struct Prepared {
    std::unique_ptr<kube::Client> client;
    std::optional<session::ResolvedTarget> target;
    std::unique_ptr<ExecSession> session;
    EnvTunnels tunnels; // stopped before the session ends
    std::vector<std::string> child_env;
};

std::string env_summary(const config::EnvConfig& env) {
    bool none = !env.enabled || env.load_from_process ||
                std::find(env.exclude.begin(), env.exclude.end(), "*") != env.exclude.end();
    if (none)
        return "env: no remote environment variables will be fetched";
    bool all = env.exclude.empty() && (env.include.empty() || env.include == std::vector<std::string>{"*"});
    return fmt::format("env: {} remote environment variables will be fetched", all ? "all" : "not all");
}

void print_summary(ProgressTask& root, const ExecArgs& args, const config::Loaded& loaded,
                   const Prepared& prepared) {
    auto task = root.subtask("config summary");
    task.info("Running command: " + join(args.command, " "));
    const auto& target = loaded.config.target.path;
    auto file = loaded.path ? "the configuration file was loaded from " + *loaded.path
                            : std::string("no configuration file was loaded");
    task.info(target && target->kind != config::TargetKind::targetless
                  ? fmt::format("mirrord will target: {}, {}", target->display(), file)
                  : "mirrord will run without a target, " + file);
    task.info("mirrord will run without the mirrord Operator");
    task.info(env_summary(loaded.config.env));
    if (!loaded.config.network.outgoing.tcp && prepared.session)
        task.info("outgoing: off; addresses in the environment are left as they are");
    for (const auto& line : prepared.tunnels.summary)
        task.info(line);
    if (prepared.session)
        for (const auto& line : prepared.session->split_summaries())
            task.info(line);
    task.success();
}

Result<config::EnvMap> remote_env_for(Prepared& prepared) {
    if (!prepared.session)
        return config::EnvMap{};
    const auto& target = *prepared.target;
    MIRRORD_TRY_ASSIGN(auto resolved, fetch_remote_env(*prepared.client, prepared.session->env_pod(),
                                                       target.container, target.namespace_));
    for (const auto& warning : resolved.warnings)
        log::warn("{}", warning);
    config::EnvList remote;
    for (auto& var : resolved.vars)
        remote.emplace_back(std::move(var.name), std::move(var.value));
    return config::EnvMap(remote.begin(), remote.end());
}

Status connect_and_start(Prepared& prepared, const config::Config& config, ProgressTask& root) {
    auto kube = cli::kube_options_from(config);
    MIRRORD_TRY_ASSIGN(prepared.client, kube::Client::connect(kube));
    auto ns = config.target.namespace_.value_or(prepared.client->default_namespace());
    auto task = root.subtask("resolving target");
    auto target = session::resolve_target(*prepared.client, *config.target.path, ns);
    if (!target) {
        task.failure();
        return std::move(target).error();
    }
    prepared.target.emplace(std::move(*target));
    task.success(fmt::format("{} in namespace {}, container {}{}", prepared.target->object_path(),
                             ns, prepared.target->container,
                             prepared.target->from_template ? " (no running pod: pod template)" : ""));
    MIRRORD_TRY_ASSIGN(prepared.session,
                       ExecSession::start(*prepared.client, kube, config, *prepared.target, root));
    return {};
}

void tunnel_error(const std::string& message) { log::warn("tunnel: {}", message); }

// Local listeners for the in-cluster addresses of the target's env, which `merged` then names.
Status start_tunnels(Prepared& prepared, const config::Config& config, config::EnvMap& merged,
                     ProgressTask& root) {
    auto task = root.subtask("tunnels to in-cluster addresses");
    auto started = add_env_tunnels(*prepared.client, prepared.tunnels, merged,
                                   config.network.outgoing, prepared.target->namespace_,
                                   tunnel_error);
    if (!started) {
        task.failure();
        return started;
    }
    for (const auto& warning : prepared.tunnels.warnings)
        task.warning(warning);
    auto count = prepared.tunnels.summary.size();
    task.success(count == 0 ? std::string("none needed")
                            : fmt::format("{} variable{}", count, count == 1 ? "" : "s"));
    return {};
}

// The embedded splitter reaches an in-cluster broker through the same tunnels as the app.
ExecSession::BrokerRoute broker_route(Prepared& prepared, const config::Config& config) {
    return [&prepared, &config](const std::string& servers, const std::string& namespace_,
                                bool secret) -> Result<std::string> {
        config::EnvMap values{{"bootstrap.servers", servers}};
        auto said = prepared.tunnels.warnings.size();
        MIRRORD_TRY(add_env_tunnels(*prepared.client, prepared.tunnels, values,
                                    config.network.outgoing, namespace_, tunnel_error,
                                    "splitter ", !secret));
        for (auto i = said; i < prepared.tunnels.warnings.size(); ++i)
            log::warn("{}", prepared.tunnels.warnings[i]);
        return values.at("bootstrap.servers");
    };
}

// Everything before the child starts. On error the cluster is already restored.
Result<Prepared> prepare(const config::Loaded& loaded, ProgressTask& root) {
    Prepared prepared;
    const auto& config = loaded.config;
    // Checked before anything in the cluster is touched (exit 1, nothing to undo).
    for (const auto& split : config.split_queues)
        if (split.mode != config::QueueMode::mirror)
            return fail("feature.split_queues.{}.queue_mode: \"steal\" is not available in this "
                        "version of mirrord yet; use \"mirror\" (the deployed consumer keeps "
                        "receiving everything, the local app gets copies of what matches)",
                        split.id);
    bool has_target = config.target.path && config.target.path->kind != config::TargetKind::targetless;
    if (!config.split_queues.empty() && !has_target)
        return fail("feature.split_queues needs a target: the workload whose topic is split");
    if (has_target)
        MIRRORD_TRY(connect_and_start(prepared, config, root));
    auto remote = remote_env_for(prepared);
    if (remote) {
        auto merged = config::merge_remote_env(
            config::EnvList(remote->begin(), remote->end()), config.env);
        Status tunnelled = merged && prepared.session
                               ? start_tunnels(prepared, config, *merged, root)
                               : Status{};
        if (!tunnelled)
            merged = std::move(tunnelled).error();
        if (merged) {
            auto id = prepared.session ? prepared.session->id() : std::string("local");
            prepared.child_env = config::build_child_env(config::current_process_env(), *merged,
                                                         config.env, id);
            Status split = prepared.session
                               ? prepared.session->start_splits(config, *remote,
                                                                prepared.child_env, root,
                                                                broker_route(prepared, config))
                               : Status{};
            if (split)
                return prepared;
            remote = std::move(split).error();
        } else {
            remote = std::move(merged).error();
        }
    }
    if (prepared.session)
        (void)prepared.session->finish(root);
    if (prepared.tunnels.tunnels)
        prepared.tunnels.tunnels->stop();
    return std::move(remote).error();
}

int undo(Prepared& prepared) {
    if (!prepared.session)
        return 0;
    InterruptGuard guard; // a second Ctrl+C must not stop the restore halfway
    auto progress = start_progress("mirrord exec: ending session");
    auto finished = prepared.session->finish(progress);
    // After the session: ending a split deletes its topics through the broker's tunnel.
    if (prepared.tunnels.tunnels)
        prepared.tunnels.tunnels->stop();
    if (!finished) {
        progress.failure();
        log::error(finished.error().message());
        return 1;
    }
    progress.success("session ended");
    return 0;
}

int run_exec(const ExecArgs& args) {
    auto local = config::current_process_env();
    if (auto marker = config::nested_session_marker(local)) {
        log::error(fmt::format("mirrord exec is already running around this process ({}); "
                               "nested mirrord exec is not supported",
                               *marker));
        return 1;
    }
    auto loaded = config::load(args.flags.load_options());
    if (!loaded) {
        log::error("Failed to verify mirrord config: " + loaded.error().message());
        return 1;
    }
    auto root = start_progress("mirrord exec");
    for (const auto& warning : loaded->warnings)
        root.warning(warning);
    Result<Prepared> prepared = fail("not prepared");
    {
        InterruptGuard guard;
        prepared = prepare(*loaded, root);
        if (prepared && InterruptGuard::received() != 0) {
            int signo = InterruptGuard::received();
            root.failure("interrupted");
            (void)undo(*prepared);
            return 128 + signo;
        }
    }
    if (!prepared) {
        root.failure();
        log::error(prepared.error().message());
        return InterruptGuard::received() != 0 ? 128 + InterruptGuard::received() : 1;
    }
    if (prepared->session && prepared->session->lost()) { // during a slow setup
        root.failure();
        log::error(prepared->session->lost_reason());
        (void)undo(*prepared);
        return 1;
    }
    print_summary(root, args, *loaded, *prepared);
    root.success("Ready!");
    ChildHooks hooks;
    if (prepared->session) {
        hooks.started = [&](pid_t pid) { prepared->session->child_started(pid); };
        // The app must not go on consuming next to a workload that someone restored: a lost
        // Lease stops it (said once), as a signal to mirrord would.
        hooks.stop_requested = [&, told = false]() mutable {
            if (!prepared->session->lost())
                return false;
            if (!told)
                log::error(fmt::format("{}; stopping {}", prepared->session->lost_reason(),
                                       args.command.front()));
            told = true;
            return true;
        };
    }
    auto status = run_child(mirrord::Command{args.command, prepared->child_env}, hooks);
    bool lost = prepared->session && prepared->session->lost();
    int undo_status = undo(*prepared);
    if (!status) {
        log::error(status.error().message());
        return 1;
    }
    if (lost)
        return 1;
    return *status != 0 ? *status : undo_status;
}

} // namespace

Command add_exec(CLI::App& parent) {
    auto args = std::make_shared<ExecArgs>();
    auto* app = parent.add_subcommand(
        "exec", "Run a local command with the target's environment, whose in-cluster addresses "
                "(Services, headless pods, Kafka brokers) are tunnelled through the Kubernetes "
                "API to local listeners (and, with copy_target and scale_down, with the target "
                "workload scaled to zero; with split_queues, with copies of the Kafka messages "
                "its filters match) and restore the cluster when it ends. Use `--` before the "
                "command");
    args->flags.add_to(*app);
    app->add_option("command", args->command, "The command to run and its arguments")
        ->required();
    return {app, [args] { return run_exec(*args); }};
}

} // namespace mirrord::cli

#include "cli/exec_session.hpp"

#include <thread>

#include <unistd.h>

#include "cli/guardian.hpp"
#include "common/core/interrupt.hpp"
#include "common/core/log.hpp"
#include "common/kube/auth/handoff.hpp"
#include "common/session/copy_target.hpp"
#include "common/session/scale_down.hpp"

namespace mirrord::cli {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> features_of(const config::Config& config) {
    std::vector<std::string> features;
    if (config.copy_target.enabled)
        features.push_back("copy_target");
    if (config.copy_target.scale_down)
        features.push_back("scale_down");
    if (!config.split_queues.empty())
        features.push_back("split_queues");
    return features;
}

Status interrupted_status() {
    if (int signo = InterruptGuard::received(); signo != 0)
        return fail("interrupted by signal {} while preparing the session", signo);
    return {};
}

// Time for the original pods to stop: their grace period plus slack for the controllers.
std::chrono::seconds termination_budget(const nlohmann::json& pod) {
    return std::chrono::seconds(pod["spec"].value("terminationGracePeriodSeconds", 30) + 60);
}

} // namespace

Result<std::unique_ptr<ExecSession>>
ExecSession::start(kube::Client& client, const kube::KubeOptions& kube,
                   const config::Config& config, const session::ResolvedTarget& target,
                   ProgressTask& progress) {
    std::unique_ptr<ExecSession> self(new ExecSession(client, target));
    session::SessionSpec spec{target.target.display(), session::local_owner(), getpid(),
                              features_of(config)};
    session::SessionEvents events{[&](const std::string& text) { progress.info(text); },
                                  [&](const std::string& text) { progress.warning(text); }};
    auto task = progress.subtask("starting session");
    // The guardian first, with the session's id: a SIGKILL right after the Lease is created
    // (or while its create is in flight) then still finds a guardian to delete it.
    std::string id = session::new_session_id();
    GuardianArgs guardian{getpid(), target.namespace_, id, kube};
    // The credential we hold (an `interactiveMode: Always` plugin ran on our terminal): the
    // guardian has no terminal to run it on.
    auto credential = client.current_credential();
    std::string line = credential ? kube::encode_credential_line(*credential) : std::string();
    auto spawned = spawn_guardian(guardian, line);
    std::fill(line.begin(), line.end(), '\0');
    if (!spawned) {
        task.failure();
        return std::move(spawned).error();
    }
    auto started = session::Session::start(client, target, spec, config.copy_target.scale_down,
                                           events, id);
    if (!started) {
        task.failure();
        return std::move(started).error();
    }
    self->session_ = std::move(*started);
    // From now on: a slow copy pod start must not let the Lease go stale.
    self->session_->start_renewing();
    task.success(fmt::format("session {} started", self->id()));
    Status step = config.copy_target.enabled ? self->create_copy(config, progress) : Status{};
    if (step && config.copy_target.scale_down)
        step = self->scale_down(progress);
    if (step)
        step = interrupted_status();
    if (!step) {
        (void)self->finish(progress);
        return std::move(step).error();
    }
    return self;
}

Status ExecSession::create_copy(const config::Config& config, ProgressTask& progress) {
    auto task = progress.subtask("copying target");
    auto pod = session::build_copy_pod(target_, config.copy_target, config.agent.image, id(),
                                       session_->owner_reference());
    auto name = pod["metadata"].value("name", "");
    auto created = session::create_copy_pod(
        client_, pod, std::chrono::seconds(config.agent.startup_timeout),
        [&task, &name, last = std::string()](const std::string& state) mutable {
            if (state != last) // progress on a slow start (image pull, scheduling), once per change
                task.info(fmt::format("waiting for pod {}: {}", name, state));
            last = state;
        },
        [] { return InterruptGuard::received() != 0; });
    if (!created) {
        task.failure("target copy failed");
        return std::move(created).error();
    }
    copy_pod_ = std::move(*created);
    session_->created_copy_pod(name);
    task.success(fmt::format("target copy created: pod {}", name));
    return {};
}

Status ExecSession::scale_down(ProgressTask& progress) {
    auto task = progress.subtask("scaling down the target");
    auto fail_task = [&](Error error) -> Status {
        task.failure();
        return error;
    };
    auto scale_target = session::scale_target_for(client_, target_);
    if (!scale_target)
        return fail_task(std::move(scale_target).error());
    for (const auto& risk : session::scale_back_risks(client_, *scale_target, target_.workload))
        task.warning(risk);
    session_->will_scale(*scale_target); // before the PATCH: an undo must try it
    auto ledger = session::scale_down(client_, *scale_target, session_->record(),
                                      session_->holder_is_gone());
    if (!ledger)
        return fail_task(std::move(ledger).error());
    auto deadline = std::chrono::steady_clock::now() + termination_budget(target_.pod);
    int last = -1;
    auto pause = std::chrono::milliseconds(20); // short polls first, then every 250 ms
    while (true) {
        auto remaining = session::count_workload_pods(client_, *scale_target, target_.workload);
        if (!remaining)
            return fail_task(std::move(remaining).error());
        if (*remaining == 0)
            break;
        if (*remaining != last)
            task.info(fmt::format("waiting for {} pod{} to terminate", *remaining,
                                  *remaining == 1 ? "" : "s"));
        last = *remaining;
        if (InterruptGuard::received() != 0)
            return fail_task(interrupted_status().error());
        if (std::chrono::steady_clock::now() > deadline)
            return fail_task(fail("{} still has {} pods after scaling to 0",
                                  scale_target->describe(), *remaining));
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::milliseconds>(pause * 2, 250ms);
    }
    task.success(fmt::format("{} scaled down from {} to 0 replicas", scale_target->describe(),
                             ledger->replicas));
    return {};
}

Status ExecSession::start_splits(const config::Config& config,
                                 const std::map<std::string, std::string>& container_env,
                                 std::vector<std::string>& child_env, ProgressTask& progress,
                                 const BrokerRoute& route_brokers) {
    auto config_namespace = config.agent.namespace_.value_or("mirrord");
    for (const auto& split : config.split_queues) {
        auto task = progress.subtask("splitting kafka topic id " + split.id);
        auto fail_task = [&](Error error) -> Status {
            task.failure();
            for (auto& done : splits_)
                (void)done->finish();
            splits_.clear();
            return error;
        };
        auto plan = agent::resolve_split_plan(client_, target_, container_env, split.id,
                                              config_namespace);
        if (!plan)
            return fail_task(std::move(plan).error());
        if (auto servers = plan->properties.find("bootstrap.servers");
            route_brokers && servers != plan->properties.end()) {
            auto routed = route_brokers(servers->second, plan->client_config_namespace,
                                        plan->secret_properties.count("bootstrap.servers") != 0);
            if (!routed)
                return fail_task(std::move(routed).error().wrap(fmt::format(
                    "bootstrap.servers of kafka client config {}/{}",
                    plan->client_config_namespace, plan->client_config)));
            if (*routed != servers->second) {
                plan->recorded_bootstrap = servers->second;
                servers->second = std::move(*routed);
            }
        }
        agent::SessionSplitOptions options{
            target_.namespace_, id(), std::chrono::seconds(config.agent.startup_timeout),
            [&task](const std::string& text) { task.info(text); },
            [] { return InterruptGuard::received() != 0; }};
        auto started = agent::SessionSplit::start(client_, target_, split, std::move(*plan),
                                                  std::move(options));
        if (!started)
            return fail_task(std::move(started).error());
        task.success(fmt::format("session topic {} ready", (*started)->session_topic()));
        splits_.push_back(std::move(*started));
    }
    for (const auto& split : splits_)
        split->rewrite_env(child_env);
    return {};
}

std::vector<std::string> ExecSession::split_summaries() const {
    std::vector<std::string> lines;
    for (const auto& split : splits_)
        lines.push_back(split->summary());
    return lines;
}

void ExecSession::finish_splits(ProgressTask& task) {
    for (auto& split : splits_) {
        // Counted after finish(): the splitter's last commit is then in it.
        auto ended = split->finish();
        auto delivered = split->delivered();
        task.info(fmt::format("kafka: {} message{} delivered to {}", delivered,
                              delivered == 1 ? "" : "s", split->session_topic()));
        if (!ended)
            task.warning(ended.error().message() + " (the guardian or `mirrord reset` retries)");
    }
    splits_.clear();
}

const nlohmann::json& ExecSession::env_pod() const {
    return copy_pod_ ? *copy_pod_ : target_.pod;
}

void ExecSession::child_started(int pid) {
    if (auto recorded = session_->record_child(pid); !recorded)
        log::warn("{}", recorded.error().message());
}

Status ExecSession::finish(ProgressTask& progress) {
    if (finished_)
        return {};
    auto task = progress.subtask("restoring the cluster");
    finish_splits(task);
    auto reaped = session_->finish();
    if (!reaped) {
        task.failure();
        return std::move(reaped).error().wrap(fmt::format(
            "session {} could not be undone; its guardian or `mirrord reset {}` will retry",
            id(), target_.object_path()));
    }
    finished_ = true;
    for (const auto& warning : reaped->warnings)
        task.warning(warning);
    for (const auto& action : reaped->actions)
        task.info(action);
    task.success("cluster restored");
    return {};
}

ExecSession::~ExecSession() = default;

} // namespace mirrord::cli

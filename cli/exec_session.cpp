#include "cli/exec_session.hpp"

#include <set>
#include <thread>

#include <unistd.h>

#include "cli/guardian.hpp"
#include "common/core/interrupt.hpp"
#include "common/core/log.hpp"
#include "common/session/copy_target.hpp"
#include "common/session/reaper.hpp"
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

Status undo_session(kube::Client& client, const session::ResolvedTarget& target,
                    const std::string& id, const std::string& why, ProgressTask& progress) {
    auto reaped = session::reap_session(client, target.namespace_, id);
    if (!reaped) {
        // scale_down below takes its ledger over, keeping the original count
        progress.warning(fmt::format("could not undo {} session {}: {}", why, id,
                                     reaped.error().message()));
        return {};
    }
    progress.info(fmt::format("undid {} session {} of {}", why, id, target.object_path()));
    for (const auto& warning : reaped->warnings)
        progress.warning(warning);
    return {};
}

// Sessions of this target whose owners died: stale Leases, and a scale-down ledger on the
// target whose Lease is gone. Only the Lease list is read; the ledger is on the target itself.
Status undo_stale_sessions(kube::Client& client, const session::ResolvedTarget& target,
                           ProgressTask& progress) {
    auto sessions = session::list_sessions(client, target.namespace_, /*from_cache=*/true);
    if (!sessions)
        return std::move(sessions).error().wrap("looking for stale sessions of " +
                                                target.object_path());
    std::set<std::string> live;
    auto prefix = target.object_path() + "/";
    for (const auto& record : *sessions) {
        bool same_target = record.target == target.object_path() || record.target.rfind(prefix, 0) == 0;
        if (same_target && record.stale())
            MIRRORD_TRY(undo_session(client, target, record.id, "stale", progress));
        else
            live.insert(record.id);
    }
    if (auto ledger = session::read_ledger(target.workload); ledger && !live.count(ledger->session))
        MIRRORD_TRY(undo_session(client, target, ledger->session, "orphaned", progress));
    return {};
}

// Fails before anything is created when a live session already scaled the target down. The
// scale-down PATCH checks again, atomically; this only spares a doomed Lease and copy pod.
Status check_scale_down_free(kube::Client& client, const session::ResolvedTarget& target) {
    if (!session::read_ledger(target.workload))
        return {};
    // Read again: undo_stale_sessions may just have removed a dead session's ledger.
    auto name = target.workload["metadata"].value("name", "");
    auto fresh = client.get(target.kind.object(target.namespace_, name));
    if (!fresh)
        return std::move(fresh).error();
    auto ledger = session::read_ledger(*fresh);
    if (!ledger)
        return {};
    return fail("{} is already scaled down by mirrord session {} ({}, since {}); only one "
                "session may scale a workload down at a time",
                target.object_path(), ledger->session, ledger->owner, ledger->since);
}

} // namespace

Result<std::unique_ptr<ExecSession>>
ExecSession::start(kube::Client& client, const kube::KubeOptions& kube,
                   const config::Config& config, const session::ResolvedTarget& target,
                   ProgressTask& progress) {
    MIRRORD_TRY(undo_stale_sessions(client, target, progress));
    if (config.copy_target.scale_down)
        MIRRORD_TRY(check_scale_down_free(client, target));
    std::unique_ptr<ExecSession> self(new ExecSession(client, target));
    auto task = progress.subtask("starting session");
    session::SessionSpec spec{target.target.display(), session::local_owner(), getpid(),
                              features_of(config)};
    auto lease = session::SessionLease::create(client, target.namespace_, spec);
    if (!lease) {
        task.failure();
        return std::move(lease).error();
    }
    self->lease_.emplace(std::move(*lease));
    GuardianArgs guardian{getpid(), target.namespace_, self->id(), kube};
    if (auto spawned = spawn_guardian(guardian); !spawned) {
        task.failure();
        (void)self->finish(progress);
        return std::move(spawned).error();
    }
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
                                       lease_->owner_reference());
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
    changes_.copy_pods.push_back(name);
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
    auto holder_is_gone = [this](const std::string& holder) {
        auto sessions = session::list_sessions(client_, target_.namespace_);
        if (!sessions)
            return false; // unknown: refuse rather than take over a live session's workload
        for (const auto& record : *sessions)
            if (record.id == holder)
                return record.stale();
        return true;
    };
    changes_.scaled.push_back(*scale_target); // before the PATCH: an undo must try it
    auto ledger = session::scale_down(client_, *scale_target, lease_->record(), holder_is_gone);
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

const nlohmann::json& ExecSession::env_pod() const {
    return copy_pod_ ? *copy_pod_ : target_.pod;
}

void ExecSession::renew() {
    if (auto renewed = lease_->renew(); !renewed)
        log::warn("{}", renewed.error().message());
}

void ExecSession::child_started(int pid) {
    if (auto recorded = lease_->record_child(pid); !recorded)
        log::warn("{}", recorded.error().message());
}

Status ExecSession::finish(ProgressTask& progress) {
    if (finished_)
        return {};
    auto task = progress.subtask("restoring the cluster");
    auto reaped = session::reap_session(client_, target_.namespace_, id(), changes_);
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

#include "common/session/reaper.hpp"

#include <set>
#include <thread>

#include "common/core/log.hpp"
#include "common/kube/resources.hpp"
#include "common/session/copy_target.hpp"
#include "common/session/liveness.hpp"
#include "common/session/scale_down.hpp"

namespace mirrord::session {
namespace {

using namespace std::chrono_literals;

// Runs `step` up to 5 times with 0.5, 1, 2, 4 s pauses: undo must survive a flaky apiserver.
template <typename T, typename Step> Result<T> with_retries(const Step& step) {
    auto pause = 500ms;
    for (int attempt = 1;; ++attempt) {
        Result<T> result = step();
        if (result || attempt == 5)
            return result;
        log::debug("undo step failed (attempt {}): {}", attempt, result.error().message());
        std::this_thread::sleep_for(pause);
        pause *= 2;
    }
}

// Every workload in `namespace_` with a scale-down ledger; malformed ones are logged (they are
// not this session's to judge: reset and operator status name them).
Result<std::vector<std::pair<ScaleTarget, Ledger>>> ledgers(kube::Client& client,
                                                            const std::string& namespace_) {
    MIRRORD_TRY_ASSIGN(auto found, list_ledgers(client, namespace_));
    for (const auto& message : found.malformed)
        log::warn("{}", message);
    return std::move(found.ledgers);
}

ExternalCleanup& external_cleanup() {
    static ExternalCleanup cleanup; // set once at startup, before any thread reaps
    return cleanup;
}

// Runs the external cleanup on the session's Lease, when there is one to read.
void clean_external(kube::Client& client, const std::string& namespace_, const std::string& id,
                    ReapReport& report) {
    if (!external_cleanup())
        return;
    auto lease = client.get_optional(kube::kinds::lease.object(namespace_, lease_name(id)));
    if (!lease) {
        report.warnings.push_back(lease.error().message());
        return;
    }
    if (!*lease)
        return;
    if (auto cleaned = external_cleanup()(client, **lease, report); !cleaned)
        report.warnings.push_back(cleaned.error().message());
}

Status restore_one(kube::Client& client, const ScaleTarget& target, const std::string& session,
                   ReapReport& report) {
    auto restored = with_retries<RestoreOutcome>(
        [&] { return restore_scale_outcome(client, target, session); });
    if (!restored)
        return std::move(restored).error();
    if (restored->warning)
        report.warnings.push_back(*restored->warning);
    else if (restored->found)
        report.actions.push_back(
            fmt::format("restored {} to {} replicas", target.describe(), restored->replicas));
    return {};
}

} // namespace

void set_external_cleanup(ExternalCleanup cleanup) { external_cleanup() = std::move(cleanup); }

Result<ReapReport> reap_session(kube::Client& client, const std::string& namespace_,
                                const std::string& id, const std::optional<SessionChanges>& known) {
    ReapReport report;
    auto context = fmt::format("undoing mirrord session {} in namespace {}", id, namespace_);
    std::vector<std::pair<ScaleTarget, Ledger>> scaled;
    if (known) {
        for (const auto& target : known->scaled)
            scaled.push_back({target, Ledger{0, id, {}, {}}});
    } else {
        auto found = with_retries<std::vector<std::pair<ScaleTarget, Ledger>>>(
            [&] { return ledgers(client, namespace_); });
        if (!found)
            return std::move(found).error().wrap(context);
        scaled = std::move(*found);
    }
    for (const auto& [target, ledger] : scaled) {
        if (ledger.session != id)
            continue;
        MIRRORD_TRY(restore_one(client, target, id, report));
    }
    auto pods = with_retries<std::vector<std::string>>([&]() -> Result<std::vector<std::string>> {
        if (known)
            return delete_pods_named(client, namespace_, known->copy_pods);
        return delete_copy_pods(client, namespace_, id);
    });
    if (!pods)
        return std::move(pods).error().wrap(context);
    for (const auto& name : *pods)
        report.actions.push_back(fmt::format("deleted copy pod {}/{}", namespace_, name));
    if (known && known->keep_lease)
        return report;
    clean_external(client, namespace_, id, report);
    auto lease = with_retries<bool>(
        [&] { return client.remove(kube::kinds::lease.object(namespace_, lease_name(id))); });
    if (!lease)
        return std::move(lease).error().wrap(context + ": deleting session lease");
    if (*lease)
        report.actions.push_back(
            fmt::format("deleted session lease {}/{}", namespace_, lease_name(id)));
    return report;
}

namespace {

ReapReport reap_or_report(kube::Client& client, const std::string& namespace_,
                          const std::string& id) {
    auto report = reap_session(client, namespace_, id);
    if (report)
        return std::move(*report);
    ReapReport failed;
    failed.error = report.error().message();
    return failed;
}

} // namespace

Result<ReapResult> reap_sessions(kube::Client& client, const std::string& namespace_,
                                 const std::string& target, ReapScope scope) {
    ApiClock clock;
    MIRRORD_TRY_ASSIGN(auto census, take_census(client, namespace_, clock));
    ReapResult result;
    result.malformed = std::move(census.malformed);
    // Undoes one candidate, after reading its Lease again (unless everything goes).
    auto undo = [&](const SessionRecord& session) {
        if (scope == ReapScope::stale) {
            auto verdict = recheck(client, clock, session.namespace_, session.id);
            if (!verdict) {
                ReapReport failed;
                failed.error = verdict.error().message();
                result.reaped.push_back({session, std::move(failed)});
                return;
            }
            if (!may_undo(*verdict)) {
                log::debug("session {} is live again (or unreadable): not undoing it", session.id);
                return;
            }
        }
        result.reaped.push_back({session, reap_or_report(client, session.namespace_, session.id)});
    };
    if (scope == ReapScope::all)
        for (const auto& session : census.live)
            if (target_matches(session.target, target))
                undo(session);
    for (const auto& session : census.dead)
        if (target_matches(session.target, target))
            undo(session);
    for (const auto& [workload, ledger] : census.orphans) {
        if (!target.empty() && !target_matches(target, target_path(workload)))
            continue;
        SessionRecord orphan;
        orphan.id = ledger.session;
        orphan.namespace_ = workload.namespace_;
        orphan.owner = ledger.owner;
        orphan.target = workload.describe();
        undo(orphan);
    }
    return result;
}

} // namespace mirrord::session

#include "common/session/reaper.hpp"

#include <set>
#include <thread>

#include "common/core/log.hpp"
#include "common/kube/resources.hpp"
#include "common/session/copy_target.hpp"
#include "common/session/scale_down.hpp"

namespace mirrord::session {
namespace {

using namespace std::chrono_literals;

const std::vector<kube::ResourceKind>& scalable_kinds() {
    static const std::vector<kube::ResourceKind> kinds = {kube::kinds::deployment,
                                                          kube::kinds::statefulset};
    return kinds;
}

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

// Every workload in `namespace_` (all when empty) with a scale-down ledger.
Result<std::vector<std::pair<ScaleTarget, Ledger>>> ledgers(kube::Client& client,
                                                            const std::string& namespace_) {
    std::vector<std::pair<ScaleTarget, Ledger>> found;
    for (const auto& kind : scalable_kinds()) {
        MIRRORD_TRY_ASSIGN(auto list, client.list(kind.collection(namespace_)));
        for (const auto& item : list["items"])
            if (auto ledger = read_ledger(item))
                found.push_back({ScaleTarget{kind, item["metadata"].value("namespace", ""),
                                             item["metadata"].value("name", "")},
                                 *ledger});
    }
    return found;
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

// "deployment" for a Deployment: the first part of a target path.
std::string scale_kind_name(const ScaleTarget& target) {
    std::string name = target.kind.kind;
    for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

} // namespace

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

Result<std::vector<std::pair<SessionRecord, ReapReport>>>
reap_sessions(kube::Client& client, const std::string& namespace_, const std::string& target,
              ReapScope scope) {
    std::vector<std::pair<SessionRecord, ReapReport>> reaped;
    MIRRORD_TRY_ASSIGN(auto sessions, list_sessions(client, namespace_));
    std::set<std::string> known;
    for (const auto& session : sessions) {
        known.insert(session.namespace_ + "/" + session.id);
        bool wanted_target = target.empty() || session.target == target ||
                             session.target.rfind(target + "/", 0) == 0;
        if (!wanted_target || (scope == ReapScope::stale && !session.stale()))
            continue;
        reaped.push_back({session, reap_or_report(client, session.namespace_, session.id)});
    }
    // Ledgers whose Lease is gone: the session died after (or while) deleting its Lease.
    MIRRORD_TRY_ASSIGN(auto found, ledgers(client, namespace_));
    for (const auto& [workload, ledger] : found) {
        auto path = fmt::format("{}/{}", scale_kind_name(workload), workload.name);
        if (known.count(workload.namespace_ + "/" + ledger.session) != 0 ||
            (!target.empty() && target != path && target.rfind(path + "/", 0) != 0))
            continue;
        SessionRecord orphan;
        orphan.id = ledger.session;
        orphan.namespace_ = workload.namespace_;
        orphan.owner = ledger.owner;
        orphan.target = workload.describe();
        reaped.push_back({orphan, reap_or_report(client, workload.namespace_, ledger.session)});
    }
    return reaped;
}

} // namespace mirrord::session

#include "common/session/session.hpp"

#include "common/core/log.hpp"
#include "common/kube/resources.hpp"
#include "common/session/fields.hpp"
#include "common/session/liveness.hpp"

namespace mirrord::session {
namespace {

using namespace std::chrono_literals;

void tell(const std::function<void(const std::string&)>& sink, const std::string& text) {
    if (sink)
        sink(text);
}

// "deployment ns/x": how messages about the workload's ledger name it.
std::string described(const ResolvedTarget& target) {
    return ScaleTarget{target.kind, target.namespace_, target.target.name}.describe();
}

// Undoes a dead session of the target after reading its Lease again by name.
Status undo_dead(kube::Client& client, ApiClock& clock, const ResolvedTarget& target,
                 const std::string& id, const std::string& why, const SessionEvents& events) {
    auto verdict = recheck(client, clock, target.namespace_, id);
    if (!verdict)
        return std::move(verdict).error();
    if (!may_undo(*verdict))
        return {}; // it renewed or started since the list was read: live, not ours to undo
    auto reaped = reap_session(client, target.namespace_, id);
    if (!reaped) {
        // scale_down takes its ledger over later, keeping the original count
        tell(events.warning, fmt::format("could not undo {} session {}: {}", why, id,
                                         reaped.error().message()));
        return {};
    }
    tell(events.info, fmt::format("undid {} session {} of {}", why, id, target.object_path()));
    for (const auto& warning : reaped->warnings)
        tell(events.warning, warning);
    return {};
}

// Sessions of this target whose owners died: stale Leases, and a ledger on the target whose
// Lease is gone. Only the Lease list is read; the ledger is on the target itself.
Status undo_dead_sessions(kube::Client& client, ApiClock& clock, const ResolvedTarget& target,
                          bool scale_down, const SessionEvents& events) {
    auto context = "looking for stale sessions of " + target.object_path();
    auto sessions = list_session_leases(client, target.namespace_, clock);
    if (!sessions)
        return std::move(sessions).error().wrap(context);
    for (const auto& message : sessions->malformed)
        tell(events.warning, message + " (left alone)");
    auto ledger = parse_ledger(target.workload, described(target));
    if (!ledger && scale_down)
        return std::move(ledger).error();
    if (!ledger)
        tell(events.warning, ledger.error().message());
    LedgerList on_target;
    if (ledger && *ledger)
        on_target.ledgers.push_back({ScaleTarget{target.kind, target.namespace_, ""}, **ledger});
    auto census = classify(std::move(*sessions), std::move(on_target), clock);
    for (const auto& record : census.dead)
        if (target_matches(record.target, target.object_path()))
            MIRRORD_TRY(undo_dead(client, clock, target, record.id, "stale", events));
    for (const auto& [workload, orphan] : census.orphans)
        MIRRORD_TRY(undo_dead(client, clock, target, orphan.session, "orphaned", events));
    return {};
}

// Fails before anything is created when a live session already scaled the target down. The
// scale-down PATCH checks again, atomically; this only spares a doomed Lease and copy pod.
Status check_scale_down_free(kube::Client& client, const ResolvedTarget& target) {
    if (!read_ledger(target.workload))
        return {};
    // Read again: undo_dead_sessions may just have removed a dead session's ledger.
    auto name = fields::string_or(fields::object_at(target.workload, "metadata"), "name");
    MIRRORD_TRY_ASSIGN(auto fresh, client.get(target.kind.object(target.namespace_, name)));
    MIRRORD_TRY_ASSIGN(auto ledger, parse_ledger(fresh, described(target)));
    if (!ledger)
        return {};
    return fail("{} is already scaled down by mirrord session {} ({}, since {}); only one "
                "session may scale a workload down at a time",
                target.object_path(), ledger->session, ledger->owner, ledger->since);
}

} // namespace

Result<std::unique_ptr<Session>> Session::start(kube::Client& client, const ResolvedTarget& target,
                                                const SessionSpec& spec, bool scale_down,
                                                const SessionEvents& events, std::string id) {
    ApiClock clock; // learnt from the Lease list, before our own Lease is written with it
    MIRRORD_TRY(undo_dead_sessions(client, clock, target, scale_down, events));
    if (scale_down)
        MIRRORD_TRY(check_scale_down_free(client, target));
    MIRRORD_TRY_ASSIGN(auto lease,
                       SessionLease::create(client, target.namespace_, spec, std::move(id),
                                            &clock));
    std::unique_ptr<Session> session(new Session(client, std::move(lease), false));
    session->clock_.copy_from(clock);
    return session;
}

Result<std::unique_ptr<Session>> Session::adopt(kube::Client& client,
                                                const std::string& namespace_,
                                                const std::string& id) {
    MIRRORD_TRY_ASSIGN(auto lease, SessionLease::open(client, namespace_, id));
    if (!lease)
        return std::unique_ptr<Session>{};
    return std::unique_ptr<Session>(new Session(client, std::move(*lease), true));
}

Session::~Session() { stop_renewing(); }

HolderIsGone Session::holder_is_gone() {
    return [this](const std::string& holder) {
        auto verdict = recheck(client_, clock_, lease_.record().namespace_, holder);
        // unknown: refuse rather than take over a live session's workload
        return verdict && may_undo(*verdict);
    };
}

void Session::will_scale(const ScaleTarget& workload) { changes_.scaled.push_back(workload); }

void Session::created_copy_pod(const std::string& name) { changes_.copy_pods.push_back(name); }

Status Session::record_child(int pid) {
    if (!renewer_.joinable())
        return lease_.record_child(pid);
    pending_child_ = pid;
    wake_.notify_all();
    return {};
}

void Session::start_renewing(std::function<void(const std::string&)> on_lost,
                             std::chrono::milliseconds period) {
    if (renewer_.joinable())
        return;
    on_lost_ = std::move(on_lost);
    // Its own client with a 5 s timeout: a renewal that takes longer than a few periods is
    // worthless anyway, and it bounds how long stopping the thread can take.
    auto options = kube::client_options_from_env();
    options.request_timeout = std::min<std::chrono::milliseconds>(options.request_timeout, 5s);
    auto renew_client = client_.with_options(options); // same credentials: one plugin run
    if (renew_client)
        renew_client_ = std::move(*renew_client);
    else
        log::debug("renewing with the main client: {}", renew_client.error().message());
    renewer_ = std::jthread([this, period](std::stop_token stop) { renew_loop(stop, period); });
}

void Session::renew_loop(std::stop_token stop, std::chrono::milliseconds period) {
    kube::Client& client = renew_client_ ? *renew_client_ : client_;
    auto last_renewed = std::chrono::steady_clock::now();
    const auto duration = std::chrono::seconds(lease_.record().lease_seconds);
    bool warned = false;
    while (!stop.stop_requested()) {
        {
            std::unique_lock lock(wake_mutex_);
            if (wake_.wait_for(lock, stop, period, [this] { return pending_child_ != 0; });
                stop.stop_requested())
                return;
        }
        if (int pid = pending_child_.exchange(0); pid != 0) {
            if (auto recorded = lease_.record_child(pid, &client); !recorded)
                log::warn("{}", recorded.error().message());
            continue; // renew at the regular time
        }
        auto outcome = lease_.renew_checked(client, clock_);
        if (stop.stop_requested())
            return; // finish() runs: a 404 now is our own undo
        if (outcome.kind == RenewOutcome::Kind::renewed) {
            last_renewed = std::chrono::steady_clock::now();
            warned = false;
            continue;
        }
        auto name = fmt::format("session lease {}/{}", lease_.record().namespace_,
                                lease_.record().lease_name);
        if (outcome.kind == RenewOutcome::Kind::lost) {
            mark_lost(fmt::format("{}: {}", name, outcome.message), outcome.taken_over);
            return;
        }
        if (std::chrono::steady_clock::now() - last_renewed >= duration) {
            mark_lost(fmt::format("{}: not renewed for {} s, so other mirrord processes may undo "
                                  "the session now; last error: {}",
                                  name, duration.count(), outcome.message),
                      false);
            return;
        }
        if (!warned)
            log::warn("renewing {} failed (retrying every {} ms): {}", name, period.count(),
                      outcome.message);
        warned = true;
    }
}

void Session::mark_lost(const std::string& reason, bool taken_over) {
    {
        std::lock_guard lock(mutex_);
        lost_reason_ = reason;
    }
    taken_over_ = taken_over;
    lost_ = true;
    if (on_lost_)
        on_lost_(reason);
}

std::string Session::lost_reason() const {
    std::lock_guard lock(mutex_);
    return lost_reason_;
}

void Session::stop_renewing() {
    if (!renewer_.joinable())
        return;
    renewer_.request_stop();
    renewer_.join();
}

Result<ReapReport> Session::finish() {
    if (finished_)
        return ReapReport{};
    // Ask the renewer to stop but do not wait for a renewal in flight (a slow apiserver) before
    // undoing: a renewal that lands after the Lease is deleted gets a 404 and is dropped, and
    // the uid test in renew_checked keeps it from touching anything else.
    if (renewer_.joinable())
        renewer_.request_stop();
    auto changes = changes_;
    changes.keep_lease = taken_over_.load();
    auto known = scan_on_finish_ ? std::nullopt : std::optional<SessionChanges>(changes);
    auto report = reap_session(client_, lease_.record().namespace_, id(), known);
    stop_renewing();
    if (!report)
        return std::move(report).error();
    finished_ = true;
    return report;
}

} // namespace mirrord::session

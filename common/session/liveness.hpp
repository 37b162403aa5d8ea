#pragma once
// Which sessions are dead and which scale-down ledgers are orphaned: the one rule that exec,
// the guardian, `ls`, `reset`, `operator status` (and later the agent) all apply.
//   - a session is live while its Lease is fresh by the apiserver's clock (api_clock.hpp);
//   - it is dead when its Lease is stale;
//   - a ledger is orphaned when no Lease of its session exists;
//   - a malformed Lease or ledger is neither: it is reported, never undone automatically.
// A judgement made from a list is only a candidate: before anything is undone, recheck() GETs
// that session's Lease by name, so a session that started (or renewed) after the list was read
// is never undone.

#include <string>
#include <utility>
#include <vector>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/api_clock.hpp"
#include "common/session/lease.hpp"
#include "common/session/scale_down.hpp"

namespace mirrord::session {

// True when a session recorded for `session_target` ("deployment/x/container/c") is one of
// `filter` ("deployment/x" or the full path); an empty filter matches every session.
bool target_matches(const std::string& session_target, const std::string& filter);
// "deployment/x": the target path a ledger's workload is named by.
std::string target_path(const ScaleTarget& workload);

// The rule for one Lease: stale by the apiserver's clock.
bool is_dead(const SessionRecord& session, const ApiClock& clock);

// A namespace's sessions and ledgers, judged.
struct Census {
    std::vector<SessionRecord> live;
    std::vector<SessionRecord> dead;
    std::vector<std::pair<ScaleTarget, Ledger>> held;    // ledgers of listed sessions
    std::vector<std::pair<ScaleTarget, Ledger>> orphans; // ledgers whose Lease was not listed
    std::vector<std::string> malformed;                  // Leases and ledgers we cannot read
};

// Judges listed Leases and ledgers (pure: unit-testable).
Census classify(SessionList sessions, LedgerList ledgers, const ApiClock& clock);

// Lists Leases, then ledgers (in that order: a new session writes its Lease before its ledger,
// so a ledger listed second whose Lease was not listed first is from a session that ended or
// one that started in between; recheck() tells them apart), and classifies them.
Result<Census> take_census(kube::Client& client, const std::string& namespace_, ApiClock& clock);

// A fresh look at one session's Lease.
enum class Recheck { gone, dead, live, malformed };
Result<Recheck> recheck(kube::Client& client, ApiClock& clock, const std::string& namespace_,
                        const std::string& id);
// True when a recheck allows undoing the session without being asked (gone or dead).
inline bool may_undo(Recheck verdict) {
    return verdict == Recheck::gone || verdict == Recheck::dead;
}

} // namespace mirrord::session

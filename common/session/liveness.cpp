#include "common/session/liveness.hpp"

#include <set>

#include "common/core/strings.hpp"
#include "common/kube/resources.hpp"

namespace mirrord::session {

bool target_matches(const std::string& session_target, const std::string& filter) {
    if (filter.empty() || session_target == filter)
        return true;
    // A filter names an object; a session may name the object and its container.
    return session_target.rfind(filter + "/", 0) == 0 || filter.rfind(session_target + "/", 0) == 0;
}

std::string target_path(const ScaleTarget& workload) {
    return to_lower(workload.kind.kind) + "/" + workload.name;
}

bool is_dead(const SessionRecord& session, const ApiClock& clock) {
    return session.stale(clock.now());
}

Census classify(SessionList sessions, LedgerList ledgers, const ApiClock& clock) {
    Census census;
    census.malformed = std::move(sessions.malformed);
    census.malformed.insert(census.malformed.end(), ledgers.malformed.begin(),
                            ledgers.malformed.end());
    std::set<std::string> listed; // "namespace/id": ids are unique per namespace only
    for (auto& record : sessions.records) {
        listed.insert(record.namespace_ + "/" + record.id);
        (is_dead(record, clock) ? census.dead : census.live).push_back(std::move(record));
    }
    for (auto& entry : ledgers.ledgers) {
        bool known = listed.count(entry.first.namespace_ + "/" + entry.second.session) != 0;
        (known ? census.held : census.orphans).push_back(std::move(entry));
    }
    return census;
}

Result<Census> take_census(kube::Client& client, const std::string& namespace_, ApiClock& clock) {
    MIRRORD_TRY_ASSIGN(auto sessions, list_session_leases(client, namespace_, clock));
    MIRRORD_TRY_ASSIGN(auto ledgers, list_ledgers(client, namespace_));
    return classify(std::move(sessions), std::move(ledgers), clock);
}

Result<Recheck> recheck(kube::Client& client, ApiClock& clock, const std::string& namespace_,
                        const std::string& id) {
    if (!valid_session_id(id))
        return Recheck::malformed;
    auto path = kube::kinds::lease.object(namespace_, lease_name(id));
    MIRRORD_TRY_ASSIGN(auto response, clock.call(client, {"GET", path, {}, "", ""}));
    if (response.status == 404)
        return Recheck::gone;
    if (response.status < 200 || response.status > 299)
        return fail("checking session lease {}/{}: {} {}", namespace_, lease_name(id),
                    response.status, response.raw.substr(0, 200));
    auto record = parse_session_lease(response.body);
    if (!record || !*record)
        return Recheck::malformed;
    return is_dead(**record, clock) ? Recheck::dead : Recheck::live;
}

} // namespace mirrord::session

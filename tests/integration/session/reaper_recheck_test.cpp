// Before undoing a session, the reaper reads its Lease again by name: a session whose Lease the
// list of Leases did not show (it started between that list and the list of ledgers) is never
// taken for an orphan. The test makes the list miss a live session for sure: its Lease lacks
// the label the list selects on, as a Lease created after the list would be missing from it.

#include "cluster.hpp"

#include "common/session/reaper.hpp"

using namespace mirrord;
using namespace mirrord::testing;

TEST_CASE("reap_sessions rechecks each candidate by name", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 2);
    auto lease = create_session(*admin, ns.name(), "consumer");
    const auto& id = lease.record().id;
    session::ScaleTarget target{kube::kinds::deployment, ns.name(), "consumer"};
    REQUIRE(session::scale_down(*admin, target, lease.record(), holder_is_gone(*admin, ns.name())));
    // Hide the live Lease from the label-selected list.
    auto lease_path = kube::kinds::lease.object(ns.name(), session::lease_name(id));
    json unlabel = {{"metadata", {{"labels", {{session::managed_by_label, nullptr}}}}}};
    REQUIRE(admin->merge_patch(lease_path, unlabel));

    SECTION("a ledger whose Lease the list missed is left alone") {
        auto reaped = session::reap_sessions(*admin, ns.name(), "", session::ReapScope::stale);
        REQUIRE(reaped);
        CHECK(reaped->reaped.empty());
        auto deployment = admin->get(kube::kinds::deployment.object(ns.name(), "consumer"));
        REQUIRE(deployment);
        CHECK((*deployment)["spec"]["replicas"] == 0);
        CHECK(session::read_ledger(*deployment));
        auto still = admin->get_optional(lease_path);
        REQUIRE(still);
        CHECK(still->has_value());
    }
    SECTION("once the Lease is really gone, the ledger is an orphan and is restored") {
        REQUIRE(admin->remove(lease_path));
        auto reaped = session::reap_sessions(*admin, ns.name(), "", session::ReapScope::stale);
        REQUIRE(reaped);
        REQUIRE(reaped->reaped.size() == 1);
        CHECK(reaped->reaped[0].second.actions.front() ==
              fmt::format("restored deployment {}/consumer to 2 replicas", ns.name()));
    }
}

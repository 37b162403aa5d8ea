// Undoing sessions against the real test cluster: reap_session, `mirrord reset` and
// `mirrord operator status` (the real binary).

#include "cluster.hpp"

#include "common/session/copy_target.hpp"
#include "common/session/reaper.hpp"
#include "common/session/scale_down.hpp"
#include "common/session/target.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

// A session as `exec` leaves it mid-run: Lease, deployment "consumer" scaled down with its
// ledger, a Running copy pod. Returns the copy pod's name.
std::string start_session(kube::Client& client, const std::string& namespace_,
                          const session::SessionLease& lease) {
    session::ScaleTarget target{kube::kinds::deployment, namespace_, "consumer"};
    config::Target config_target;
    config_target.kind = config::TargetKind::deployment;
    config_target.name = "consumer";
    auto resolved = session::resolve_target(client, config_target, namespace_);
    REQUIRE(resolved);
    auto pod = session::build_copy_pod(*resolved, {}, "busybox:1", lease.record().id,
                                       lease.owner_reference());
    REQUIRE(session::create_copy_pod(client, pod, 30s, {}, {}));
    auto gone = holder_is_gone(client, namespace_);
    REQUIRE(session::scale_down(client, target, lease.record(), gone));
    return pod["metadata"].value("name", "");
}

bool gone(kube::Client& client, const std::string& path) {
    auto current = client.get_optional(path);
    return current && !current->has_value();
}

std::string pod_path(const std::string& namespace_, const std::string& name) {
    return kube::kinds::pod.object(namespace_, name);
}

int replicas(kube::Client& client, const std::string& namespace_) {
    auto current = client.get(kube::kinds::deployment.object(namespace_, "consumer"));
    REQUIRE(current);
    return (*current)["spec"].value("replicas", -1);
}

} // namespace

TEST_CASE("reap_session on a real cluster", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 3);
    auto lease = create_session(*admin, ns.name(), "consumer");
    auto copy = start_session(*admin, ns.name(), lease);
    const auto& id = lease.record().id;

    SECTION("restores the workload and deletes everything, twice in a row without error") {
        auto first = session::reap_session(*admin, ns.name(), id);
        REQUIRE(first);
        CHECK(first->actions ==
              std::vector<std::string>{
                  fmt::format("restored deployment {}/consumer to 3 replicas", ns.name()),
                  fmt::format("deleted copy pod {}/{}", ns.name(), copy),
                  fmt::format("deleted session lease {}/mirrord-session-{}", ns.name(), id)});
        CHECK(first->warnings.empty());
        CHECK(replicas(*admin, ns.name()) == 3);
        auto deployment = admin->get(kube::kinds::deployment.object(ns.name(), "consumer"));
        CHECK_FALSE(session::read_ledger(*deployment));
        CHECK(wait_until(10s, [&] { return gone(*admin, pod_path(ns.name(), copy)); }));
        CHECK(gone(*admin, kube::kinds::lease.object(ns.name(), session::lease_name(id))));

        auto second = session::reap_session(*admin, ns.name(), id);
        REQUIRE(second);
        CHECK(second->actions.empty());
        CHECK(replicas(*admin, ns.name()) == 3);
    }
}

TEST_CASE("mirrord reset after a dead session", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 3);

    SECTION("restores the deployment, deletes copy pod and Lease, and says so") {
        auto dead = create_session(*admin, ns.name(), "consumer", 1); // nothing renews it
        auto copy = start_session(*admin, ns.name(), dead);
        // reset only reaps stale sessions: wait until the 1 s Lease has expired.
        auto is_stale = holder_is_gone(*admin, ns.name());
        REQUIRE(wait_until(10s, [&] { return is_stale(dead.record().id); }));
        auto run = run_mirrord(admin_kubeconfig(), {"reset", "-n", ns.name()});
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(run.out ==
              fmt::format("restored deployment {0}/consumer to 3 replicas\n"
                          "deleted copy pod {0}/{1}\n"
                          "deleted session lease {0}/mirrord-session-{2}\n",
                          ns.name(), copy, dead.record().id));
        CHECK(replicas(*admin, ns.name()) == 3);
        CHECK(wait_until(10s, [&] { return gone(*admin, pod_path(ns.name(), copy)); }));
        CHECK(gone(*admin, kube::kinds::lease.object(ns.name(), dead.record().lease_name)));

        auto again = run_mirrord(admin_kubeconfig(), {"reset", "-n", ns.name()});
        CHECK(again.exit_code == 0);
        CHECK(again.out == "nothing to reset\n");
    }
    SECTION("leaves a live session alone, unless --all") {
        auto live = create_session(*admin, ns.name(), "consumer");
        start_session(*admin, ns.name(), live);
        auto run =
            run_mirrord(admin_kubeconfig(), {"reset", "deployment/consumer", "-n", ns.name()});
        CHECK(run.exit_code == 0);
        CHECK(run.out == "nothing to reset\n");
        CHECK(replicas(*admin, ns.name()) == 0);

        auto other = run_mirrord(admin_kubeconfig(), {"reset", "deployment/other", "--all", "-n",
                                                      ns.name(), "--output", "json"});
        CHECK(other.exit_code == 0);
        CHECK(other.out == "[]\n");

        auto all = run_mirrord(admin_kubeconfig(), {"reset", "deploy/consumer", "--all", "-n",
                                                    ns.name(), "--output", "json"});
        REQUIRE(all.exit_code == 0);
        auto reaped = json::parse(all.out);
        REQUIRE(reaped.size() == 1);
        CHECK(reaped[0]["session"] == live.record().id);
        CHECK(reaped[0]["actions"].size() == 3);
        CHECK(replicas(*admin, ns.name()) == 3);
    }
    SECTION("an orphaned ledger (its Lease already gone) is restored") {
        auto lease = create_session(*admin, ns.name(), "consumer");
        start_session(*admin, ns.name(), lease);
        REQUIRE(session::delete_lease(*admin, ns.name(), lease.record().id));
        auto run = run_mirrord(admin_kubeconfig(), {"reset", "-n", ns.name()});
        CHECK(run.exit_code == 0);
        CHECK_THAT(run.out, Catch::StartsWith(fmt::format(
                                "restored deployment {}/consumer to 3 replicas\n", ns.name())));
        CHECK(replicas(*admin, ns.name()) == 3);
    }
    SECTION("a bad target is a usage error") {
        auto run = run_mirrord(admin_kubeconfig(), {"reset", "targetless", "-n", ns.name()});
        CHECK(run.exit_code == 1);
        CHECK_THAT(run.err, Catch::StartsWith("mirrord: error: "));
    }
}

TEST_CASE("mirrord operator status", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 3);

    SECTION("says so when there are no sessions") {
        auto run = run_mirrord(admin_kubeconfig(), {"operator", "status", "-n", ns.name()});
        CHECK(run.exit_code == 0);
        CHECK(run.out == "No active sessions\n");
    }
    SECTION("shows a live session with its copy pod and scale-down") {
        auto lease = create_session(*admin, ns.name(), "consumer");
        auto copy = start_session(*admin, ns.name(), lease);
        auto run = run_mirrord(admin_kubeconfig(), {"operator", "status", "-n", ns.name()});
        INFO(run.out << run.err);
        REQUIRE(run.exit_code == 0);
        for (const auto& text : {std::string("Original Target"), std::string("Copy Pod Name"),
                                 std::string("Scale Down?"), std::string("deployment/consumer"),
                                 ns.name(), copy, std::string("* (3 replicas)"),
                                 lease.record().id, std::string("tester@it-host"),
                                 std::string("active")})
            CHECK_THAT(run.out, Catch::Contains(text));

        auto as_json = run_mirrord(admin_kubeconfig(),
                                   {"operator", "status", "-n", ns.name(), "--output", "json"});
        REQUIRE(as_json.exit_code == 0);
        auto rows = json::parse(as_json.out);
        REQUIRE(rows.size() == 1);
        CHECK(rows[0]["session"] == lease.record().id);
        CHECK(rows[0]["copy_pods"] == json::array({copy}));
        CHECK(rows[0]["scale_down"]["replicas"] == 3);
        CHECK(rows[0]["state"] == "active");
        REQUIRE(session::reap_session(*admin, ns.name(), lease.record().id));
    }
}

// scale_down and restore_scale against the real test cluster: a Deployment with 3 replicas
// whose pods the real deployment and replicaset controllers manage.

#include "cluster.hpp"

#include "common/session/scale_down.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

json get_deployment(kube::Client& client, const std::string& namespace_) {
    auto current = client.get(kube::kinds::deployment.object(namespace_, "consumer"));
    REQUIRE(current);
    return *current;
}

int pods_left(kube::Client& client, const session::ScaleTarget& target, const json& workload) {
    auto count = session::count_workload_pods(client, target, workload);
    REQUIRE(count);
    return *count;
}

} // namespace

TEST_CASE("scale_down on a real Deployment", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    auto workload = create_deployment(*admin, ns.name(), "consumer", 3);
    session::ScaleTarget target{kube::kinds::deployment, ns.name(), "consumer"};
    auto first = create_session(*admin, ns.name(), "consumer");
    auto gone = holder_is_gone(*admin, ns.name());
    auto placed = session::scale_down(*admin, target, first.record(), gone);
    REQUIRE(placed);

    SECTION("it sets 0 replicas, records 3 and the session, and the pods terminate") {
        CHECK(placed->replicas == 3);
        auto current = get_deployment(*admin, ns.name());
        CHECK(current["spec"]["replicas"] == 0);
        auto ledger = session::read_ledger(current);
        REQUIRE(ledger);
        CHECK(ledger->replicas == 3);
        CHECK(ledger->session == first.record().id);
        CHECK(ledger->owner == "tester@it-host");
        CHECK(wait_until(30s, [&] { return pods_left(*admin, target, workload) == 0; }));
    }
    SECTION("scaling down again in the same session changes nothing") {
        auto again = session::scale_down(*admin, target, first.record(), gone);
        REQUIRE(again);
        CHECK(again->replicas == 3);
        CHECK(again->since == placed->since);
    }
    SECTION("a second session fails naming the first while the first Lease is fresh") {
        auto second = create_session(*admin, ns.name(), "consumer");
        auto refused = session::scale_down(*admin, target, second.record(), gone);
        REQUIRE_FALSE(refused);
        CHECK_THAT(refused.error().message(),
                   Catch::Contains("already scaled down by mirrord session " +
                                   first.record().id) &&
                       Catch::Contains("deployment " + ns.name() + "/consumer"));
        CHECK(session::read_ledger(get_deployment(*admin, ns.name()))->session ==
              first.record().id);
    }
    SECTION("restore_scale returns it to 3 replicas and removes the ledger") {
        auto restored = session::restore_scale(*admin, target, first.record().id);
        REQUIRE(restored);
        CHECK_FALSE(*restored);
        auto current = get_deployment(*admin, ns.name());
        CHECK(current["spec"]["replicas"] == 3);
        CHECK_FALSE(session::read_ledger(current));
        CHECK(wait_until(30s, [&] {
            return get_deployment(*admin, ns.name())["status"].value("readyReplicas", 0) == 3;
        }));
    }
    SECTION("replicas someone changed meanwhile are left, with a warning") {
        auto patched = admin->merge_patch(kube::kinds::deployment.object(ns.name(), "consumer"),
                                          {{"spec", {{"replicas", 2}}}});
        REQUIRE(patched);
        auto restored = session::restore_scale(*admin, target, first.record().id);
        REQUIRE(restored);
        REQUIRE(*restored);
        CHECK_THAT(**restored, Catch::Contains("scaled to 2 by someone else") &&
                                   Catch::Contains("it had 3 before"));
        auto current = get_deployment(*admin, ns.name());
        CHECK(current["spec"]["replicas"] == 2);
        CHECK_FALSE(session::read_ledger(current));
    }
    SECTION("restore_scale for another session leaves the ledger alone") {
        auto restored = session::restore_scale(*admin, target, "00000000");
        REQUIRE(restored);
        CHECK(get_deployment(*admin, ns.name())["spec"]["replicas"] == 0);
        CHECK(session::read_ledger(get_deployment(*admin, ns.name())));
    }
}

TEST_CASE("scale_down takes over the ledger of a stale session", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 3);
    session::ScaleTarget target{kube::kinds::deployment, ns.name(), "consumer"};
    auto gone = holder_is_gone(*admin, ns.name());
    auto dead = create_session(*admin, ns.name(), "consumer", 1); // never renewed
    REQUIRE(session::scale_down(*admin, target, dead.record(), gone));
    // Only a stale holder's ledger is taken over: wait until the 1 s Lease has expired.
    REQUIRE(wait_until(10s, [&] { return gone(dead.record().id); }));

    SECTION("the new session holds it and the original 3 replicas are kept, never 0") {
        auto second = create_session(*admin, ns.name(), "consumer");
        auto placed = session::scale_down(*admin, target, second.record(), gone);
        REQUIRE(placed);
        CHECK(placed->replicas == 3);
        CHECK(placed->session == second.record().id);
        auto ledger = session::read_ledger(get_deployment(*admin, ns.name()));
        REQUIRE(ledger);
        CHECK(ledger->replicas == 3);
        CHECK(ledger->session == second.record().id);

        REQUIRE(session::restore_scale(*admin, target, second.record().id));
        CHECK(get_deployment(*admin, ns.name())["spec"]["replicas"] == 3);
    }
}

TEST_CASE("scale_target_for and scale_back_risks on a real Deployment", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    auto workload = create_deployment(*admin, ns.name(), "consumer", 1);
    session::ScaleTarget target{kube::kinds::deployment, ns.name(), "consumer"};

    SECTION("an HPA on the workload and Argo CD labels are reported") {
        json hpa = {{"apiVersion", "autoscaling/v2"},
                    {"kind", "HorizontalPodAutoscaler"},
                    {"metadata", {{"name", "consumer-hpa"}}},
                    {"spec",
                     {{"scaleTargetRef",
                       {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "consumer"}}},
                      {"minReplicas", 1},
                      {"maxReplicas", 3}}}};
        auto hpas = kube::custom_resource("autoscaling", "v2", "horizontalpodautoscalers");
        REQUIRE(admin->create(hpas.collection(ns.name()), hpa));
        workload["metadata"]["labels"]["argocd.argoproj.io/instance"] = "shop";
        auto risks = session::scale_back_risks(*admin, target, workload);
        REQUIRE(risks.size() == 2);
        CHECK_THAT(risks[0], Catch::Contains("HorizontalPodAutoscaler consumer-hpa"));
        CHECK_THAT(risks[1], Catch::Contains("Argo CD or Flux"));
    }
    SECTION("a plain workload has no risks") {
        CHECK(session::scale_back_risks(*admin, target, workload).empty());
    }
}

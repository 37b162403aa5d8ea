// configs/rbac against the real apiserver's RBAC: bound to user `dev` in a fresh namespace, the
// Role is enough for every session operation; without the binding, errors name verb and resource.

#include "cluster.hpp"

#include "common/kube/targets.hpp"
#include "common/session/copy_target.hpp"
#include "common/session/reaper.hpp"
#include "common/session/scale_down.hpp"
#include "common/session/target.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

// kubectl (PATH from `scripts/testenv env`) applies the files the way the README tells users to.
void apply_rbac(const std::string& namespace_) {
    std::string rbac = std::string(MIRRORD_SOURCE_DIR) + "/configs/rbac/";
    std::string command = "KUBECONFIG='" + admin_kubeconfig() + "' kubectl apply -n '" +
                          namespace_ + "' -f '" + rbac + "role.yaml' -f '" + rbac +
                          "rolebinding.yaml' >/dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
}

config::Target consumer_target() {
    config::Target target;
    target.kind = config::TargetKind::deployment;
    target.name = "consumer";
    target.container = "app";
    return target;
}

// Env resolution reads a ConfigMap and a Secret the target's containers refer to.
void create_env_sources(kube::Client& admin, const std::string& namespace_) {
    REQUIRE(admin.create(kube::kinds::configmap.collection(namespace_),
                         {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                          {"metadata", {{"name", "consumer-config"}}},
                          {"data", {{"KAFKA_TOPIC", "test-topic"}}}}));
    REQUIRE(admin.create(kube::kinds::secret.collection(namespace_),
                         {{"apiVersion", "v1"}, {"kind", "Secret"},
                          {"metadata", {{"name", "consumer-secret"}}},
                          {"stringData", {{"PASSWORD", "hunter2-long"}}}}));
}

} // namespace

TEST_CASE("configs/rbac Role bound to dev", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 2);
    create_env_sources(*admin, ns.name());
    apply_rbac(ns.name());
    auto dev = connect(dev_kubeconfig(), ns.name());
    // RBAC bindings reach the apiserver's authorizer through an informer: poll, not sleep.
    REQUIRE(wait_until(10s, [&] {
        return dev->list(kube::kinds::lease.collection(ns.name())).ok();
    }));

    SECTION("is enough for ls, target and env resolution, and a whole session") {
        auto listed = kube::list_targets(*dev, {ns.name(), {}, false});
        INFO((listed ? "" : listed.error().message()));
        REQUIRE(listed);
        REQUIRE(!listed->empty());
        CHECK(listed->front().path == "deployment/consumer");
        CHECK(dev->get(kube::kinds::configmap.object(ns.name(), "consumer-config")));
        CHECK(dev->get(kube::kinds::secret.object(ns.name(), "consumer-secret")));
        CHECK(dev->list(kube::kinds::event.collection(ns.name())));
        CHECK(dev->list(kube::custom_resource("autoscaling", "v2", "horizontalpodautoscalers")
                            .collection(ns.name())));

        auto resolved = session::resolve_target(*dev, consumer_target(), ns.name());
        REQUIRE(resolved);
        auto lease = create_session(*dev, ns.name(), "consumer");
        REQUIRE(lease.renew());
        auto pod = session::build_copy_pod(*resolved, {}, "busybox:1", lease.record().id,
                                           lease.owner_reference());
        auto copy = session::create_copy_pod(*dev, pod, 30s, {}, {});
        INFO((copy ? "" : copy.error().message()));
        REQUIRE(copy);

        auto target = session::scale_target_for(*dev, *resolved);
        REQUIRE(target);
        auto placed = session::scale_down(*dev, *target, lease.record(),
                                          holder_is_gone(*dev, ns.name()));
        INFO((placed ? "" : placed.error().message()));
        REQUIRE(placed);
        CHECK(wait_until(30s, [&] {
            auto left = session::count_workload_pods(*dev, *target, resolved->workload);
            return left && *left == 0;
        }));
        auto sessions = session::list_sessions(*dev, ns.name());
        REQUIRE(sessions);
        CHECK(sessions->size() == 1);

        auto status = run_mirrord(dev_kubeconfig(), {"operator", "status", "-n", ns.name()});
        INFO(status.err);
        CHECK(status.exit_code == 0);
        CHECK_THAT(status.out, Catch::Contains(lease.record().id));

        auto reset = run_mirrord(dev_kubeconfig(), {"reset", "--all", "-n", ns.name()});
        INFO(reset.err);
        CHECK(reset.exit_code == 0);
        CHECK_THAT(reset.out, Catch::Contains("restored deployment " + ns.name() + "/consumer"));
        auto restored = admin->get(kube::kinds::deployment.object(ns.name(), "consumer"));
        CHECK((*restored)["spec"]["replicas"] == 2);
    }
}

TEST_CASE("dev without the RoleBinding", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 1);
    auto dev = connect(dev_kubeconfig(), ns.name());

    SECTION("target resolution fails with a 403 naming user, verb and resource") {
        auto resolved = session::resolve_target(*dev, consumer_target(), ns.name());
        REQUIRE_FALSE(resolved);
        CHECK_THAT(resolved.error().message(),
                   Catch::StartsWith("resolving target deployment/consumer/container/app") &&
                       Catch::Contains("403 Forbidden") &&
                       Catch::Contains("User \"dev\" cannot get resource \"deployments\" in API "
                                       "group \"apps\" in the namespace \"" + ns.name() + "\""));
    }
    SECTION("mirrord reset fails with the same kind of message on stderr") {
        auto run = run_mirrord(dev_kubeconfig(), {"reset", "-n", ns.name()});
        CHECK(run.exit_code == 1);
        CHECK(run.out.empty());
        CHECK_THAT(run.err, Catch::StartsWith("mirrord: error: resetting sessions: ") &&
                                Catch::Contains("403 Forbidden") &&
                                Catch::Contains("cannot list resource \"leases\""));
        CHECK_THAT(run.err, !Catch::Contains("dev-token"));
    }
}

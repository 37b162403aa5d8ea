// The copy pod against the real test cluster: kwok runs it, the real garbage collector deletes
// it with its session Lease.

#include "cluster.hpp"

#include "common/session/copy_target.hpp"
#include "common/session/scale_down.hpp"
#include "common/session/target.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

session::ResolvedTarget resolve(kube::Client& client, const std::string& namespace_) {
    config::Target target;
    target.kind = config::TargetKind::deployment;
    target.name = "consumer";
    target.container = "app";
    auto resolved = session::resolve_target(client, target, namespace_);
    REQUIRE(resolved);
    return std::move(*resolved);
}

} // namespace

TEST_CASE("create_copy_pod on a real cluster", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    auto workload = create_deployment(*admin, ns.name(), "consumer", 1);
    auto lease = create_session(*admin, ns.name(), "consumer");
    auto resolved = resolve(*admin, ns.name());
    REQUIRE_FALSE(resolved.from_template); // the live pod is copied
    config::CopyTargetConfig copy;
    copy.enabled = true;
    auto pod = session::build_copy_pod(resolved, copy, "busybox:1", lease.record().id,
                                       lease.owner_reference());
    std::vector<std::string> progress;
    auto created = session::create_copy_pod(
        *admin, pod, 30s, [&](const std::string& line) { progress.push_back(line); }, {});
    REQUIRE(created);
    auto name = pod["metadata"].value("name", "");
    auto pod_path = kube::kinds::pod.object(ns.name(), name);

    SECTION("the copy runs, owned by the session Lease, outside the workload's selector") {
        CHECK((*created)["status"]["phase"] == "Running");
        const auto& owners = (*created)["metadata"]["ownerReferences"];
        REQUIRE(owners.size() == 1);
        CHECK(owners[0]["kind"] == "Lease");
        CHECK(owners[0]["uid"] == lease.record().uid);
        CHECK(owners[0]["controller"] == true);
        // No ReplicaSet adopts it and scale_down does not wait for it.
        session::ScaleTarget target{kube::kinds::deployment, ns.name(), "consumer"};
        CHECK(*session::count_workload_pods(*admin, target, workload) == 1);
    }
    SECTION("deleting the Lease makes the garbage collector delete the copy") {
        REQUIRE(session::delete_lease(*admin, ns.name(), lease.record().id));
        CHECK(wait_until(30s, [&] {
            auto current = admin->get_optional(pod_path);
            return current && !current->has_value();
        }));
    }
    SECTION("delete_copy_pods names what it deleted, and nothing the second time") {
        auto deleted = session::delete_copy_pods(*admin, ns.name(), lease.record().id);
        REQUIRE(deleted);
        CHECK(*deleted == std::vector<std::string>{name});
        auto again = session::delete_copy_pods(*admin, ns.name(), lease.record().id);
        REQUIRE(again);
        CHECK(again->empty());
    }
}

TEST_CASE("create_copy_pod that cannot start", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 1);
    auto lease = create_session(*admin, ns.name(), "consumer");
    auto pod = session::build_copy_pod(resolve(*admin, ns.name()), {}, "busybox:1",
                                       lease.record().id, lease.owner_reference());
    // No node matches, so the scheduler leaves it Pending with a FailedScheduling event.
    pod["spec"]["nodeSelector"] = {{"mirrord.dev/no-such-node", "true"}};

    SECTION("times out with the pod's conditions and events, and deletes the pod") {
        auto created = session::create_copy_pod(*admin, pod, 3s, {}, {});
        REQUIRE_FALSE(created);
        CHECK_THAT(created.error().message(),
                   Catch::Contains("not Running after 3 s (agent.startup_timeout)") &&
                       Catch::Contains("Unschedulable"));
        auto name = pod["metadata"].value("name", "");
        CHECK(wait_until(10s, [&] {
            auto current = admin->get_optional(kube::kinds::pod.object(ns.name(), name));
            return current && !current->has_value();
        }));
    }
}

// Argo Rollouts are scaled down like Deployments, so they must be found again: after a SIGKILL
// of exec the guardian restores a Rollout, and `reset` and `operator status` see its ledger.
// The test installs a minimal argoproj.io Rollout CRD with a scale subresource and deletes it
// after; every other test runs without it (listing Rollouts must tolerate its absence).

#include <csignal>

#include "background.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

const kube::ResourceKind crds =
    kube::custom_resource("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                          "CustomResourceDefinition", false);

json rollout_crd() {
    json schema = {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
    return {{"apiVersion", "apiextensions.k8s.io/v1"},
            {"kind", "CustomResourceDefinition"},
            {"metadata", {{"name", "rollouts.argoproj.io"}}},
            {"spec",
             {{"group", "argoproj.io"},
              {"scope", "Namespaced"},
              {"names",
               {{"plural", "rollouts"}, {"singular", "rollout"}, {"kind", "Rollout"}}},
              {"versions",
               json::array({{{"name", "v1alpha1"},
                             {"served", true},
                             {"storage", true},
                             {"schema", {{"openAPIV3Schema", schema}}},
                             {"subresources",
                              {{"scale",
                                {{"specReplicasPath", ".spec.replicas"},
                                 {"statusReplicasPath", ".status.replicas"}}}}}}})}}}};
}

// Installs the CRD (if needed) and removes it at the end.
class RolloutCrd {
public:
    explicit RolloutCrd(kube::Client& admin) : admin_(admin) {
        auto path = crds.object("", "rollouts.argoproj.io");
        // One that an earlier run deleted may still be finalizing: wait until it is gone.
        REQUIRE(wait_until(60s, [&] {
            auto current = admin_.get_optional(path);
            return current && (!current->has_value() ||
                               !(**current)["metadata"].contains("deletionTimestamp"));
        }));
        auto existing = admin_.get_optional(path);
        REQUIRE(existing);
        if (!existing->has_value()) {
            REQUIRE(admin_.create(crds.collection(""), rollout_crd()));
            created_ = true;
        }
        REQUIRE(wait_until(30s, [&] {
            return admin_.list(session::rollout_kind().collection("default")).ok();
        }));
    }
    ~RolloutCrd() {
        if (created_)
            (void)admin_.remove(crds.object("", "rollouts.argoproj.io"));
    }

private:
    kube::Client& admin_;
    bool created_ = false;
};

int rollout_replicas(kube::Client& client, const std::string& namespace_) {
    auto current = client.get(session::rollout_kind().object(namespace_, "consumer"));
    return current ? (*current)["spec"].value("replicas", -1) : -1;
}

} // namespace

TEST_CASE("Rollouts scaled down by mirrord", "[session][exec]") {
    auto admin = connect(admin_kubeconfig());
    RolloutCrd crd(*admin);
    TestNamespace ns(*admin);
    json labels = {{"app", "consumer"}};
    json rollout = {
        {"apiVersion", "argoproj.io/v1alpha1"},
        {"kind", "Rollout"},
        {"metadata", {{"name", "consumer"}, {"namespace", ns.name()}}},
        {"spec",
         {{"replicas", 2},
          {"selector", {{"matchLabels", labels}}},
          {"template",
           {{"metadata", {{"labels", labels}}},
            {"spec",
             {{"containers", json::array({{{"name", "app"}, {"image", "example/app:1"}}})}}}}}}}};
    // A new CRD may answer lists before creates: retry for a moment.
    std::string error;
    bool created = wait_until(20s, [&] {
        auto made = admin->create(session::rollout_kind().collection(ns.name()), rollout);
        error = made ? "" : made.error().message();
        return made.ok();
    });
    INFO(error);
    REQUIRE(created);

    SECTION("a SIGKILLed exec's Rollout is restored by its guardian") {
        auto dir = temp_dir("mirrord-ro");
        auto config = write_scale_down_config(dir, ns.name(), "rollout/consumer/container/app");
        auto marker = dir / "child";
        Background exec(admin_kubeconfig(), {"exec", "-f", config, "--", "sh", "-c",
                                             "echo started > " + marker.string() + "; sleep 30"});
        REQUIRE(wait_until(60s, [&] { return !read_all(marker).empty(); }));
        CHECK(rollout_replicas(*admin, ns.name()) == 0);
        auto status = run_mirrord(admin_kubeconfig(),
                                  {"operator", "status", "-n", ns.name(), "-o", "json"});
        REQUIRE(status.exit_code == 0);
        auto rows = json::parse(status.out);
        REQUIRE(rows.size() == 1);
        CHECK(rows[0]["scale_down"]["workload"] == "rollout " + ns.name() + "/consumer");
        exec.signal(SIGKILL);
        CHECK(wait_until(30s, [&] { return rollout_replicas(*admin, ns.name()) == 2; }));
        CHECK(wait_until(10s, [&] { return session::list_sessions(*admin, ns.name())->empty(); }));
        std::filesystem::remove_all(dir);
    }
    SECTION("an orphaned ledger on a Rollout is shown and reset") {
        REQUIRE(admin->merge_patch(
            session::rollout_kind().object(ns.name(), "consumer"),
            {{"metadata",
              {{"annotations",
                {{session::scale_down_annotation,
                  R"({"replicas":2,"session":"0dead0aa","owner":"ann@laptop","since":"x"})"}}}}},
             {"spec", {{"replicas", 0}}}}));
        auto status = run_mirrord(admin_kubeconfig(),
                                  {"operator", "status", "-n", ns.name(), "-o", "json"});
        REQUIRE(status.exit_code == 0);
        auto rows = json::parse(status.out);
        REQUIRE(rows.size() == 1);
        CHECK(rows[0]["state"] == "orphaned");
        auto reset = run_mirrord(admin_kubeconfig(), {"reset", "-n", ns.name()});
        INFO(reset.err);
        CHECK(reset.exit_code == 0);
        CHECK(reset.out == fmt::format("restored rollout {}/consumer to 2 replicas\n", ns.name()));
        CHECK(rollout_replicas(*admin, ns.name()) == 2);
    }
}

// The real apiserver's Status bodies give errors their HTTP status and reason, and the predicates
// tell a 409 Conflict from a 409 AlreadyExists, which share the status line.

#include <catch2/catch.hpp>

#include "common/kube/resources.hpp"
#include "common/kube/status_error.hpp"
#include "tests/integration/kube/testenv.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

kube::json config_map(const std::string& name, const std::string& resource_version = "") {
    kube::json object = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", {{"name", name}}},
                         {"data", {{"k", "v"}}}};
    if (!resource_version.empty())
        object["metadata"]["resourceVersion"] = resource_version;
    return object;
}

} // namespace

TEST_CASE("kube errors: status and reason from the real apiserver", "[kube]") {
    auto client = admin_client();
    TestNamespace ns(*client, "it-status");
    const auto collection = kube::kinds::configmap.collection(ns.name());
    auto created = client->create(collection, config_map("c"));
    REQUIRE(created);
    const std::string old_version = (*created)["metadata"]["resourceVersion"];

    SECTION("a missing object is NotFound, wrapped or not") {
        auto missing = client->get(kube::kinds::configmap.object(ns.name(), "absent"));
        REQUIRE_FALSE(missing);
        auto error = std::move(missing).error().wrap("reading config map absent");
        CHECK(error.http_status() == 404);
        CHECK(error.reason() == "NotFound");
        CHECK(kube::is_not_found(error));
        CHECK_FALSE(kube::is_conflict(error));
    }
    SECTION("creating it twice is AlreadyExists, not Conflict") {
        auto again = client->create(collection, config_map("c"));
        REQUIRE_FALSE(again);
        CHECK(again.error().http_status() == 409);
        CHECK(kube::is_already_exists(again.error()));
        CHECK_FALSE(kube::is_conflict(again.error()));
    }
    SECTION("a write at an old resourceVersion is Conflict") {
        REQUIRE(client->merge_patch(kube::kinds::configmap.object(ns.name(), "c"),
                                    {{"data", {{"k", "changed"}}}}));
        auto stale = client->replace(kube::kinds::configmap.object(ns.name(), "c"),
                                     config_map("c", old_version));
        REQUIRE_FALSE(stale);
        CHECK(stale.error().http_status() == 409);
        CHECK(kube::is_conflict(stale.error()));
        CHECK_FALSE(kube::is_already_exists(stale.error()));
    }
    SECTION("the dev user's 403 is Forbidden") {
        kube::KubeOptions options;
        options.kubeconfig = testenv().at("TESTENV_KUBECONFIG_DEV");
        auto dev = kube::Client::connect(options);
        REQUIRE(dev);
        // Not default: the guide's `operator setup | kubectl apply -f -` binds dev there.
        auto pods = (*dev)->list(kube::kinds::pod.collection("kube-system"));
        REQUIRE_FALSE(pods);
        CHECK(pods.error().reason() == "Forbidden");
        CHECK(kube::is_forbidden(pods.error()));
    }
}

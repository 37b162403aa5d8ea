#include <catch2/catch.hpp>

#include "common/session/target.hpp"

using namespace mirrord;
using json = nlohmann::json;

TEST_CASE("selector_string", "[session]") {
    SECTION("matchLabels become key=value terms") {
        json selector = {{"matchLabels", {{"app", "web"}, {"tier", "front"}}}};
        CHECK(session::selector_string(selector) == "app=web,tier=front");
    }
    SECTION("every matchExpressions operator has its selector syntax") {
        json selector = json::parse(R"({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "staging"]},
            {"key": "zone", "operator": "NotIn", "values": ["a"]},
            {"key": "canary", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"}]})");
        CHECK(session::selector_string(selector) ==
              "app=web,env in (prod,staging),zone notin (a),canary,!legacy");
    }
    SECTION("an empty selector gives an empty string") {
        CHECK(session::selector_string(json::object()).empty());
    }
}

TEST_CASE("pod_from_template", "[session]") {
    SECTION("a Deployment's template becomes a pod in the workload's namespace") {
        json deployment = json::parse(R"({"kind": "Deployment",
            "metadata": {"name": "web", "namespace": "team"},
            "spec": {"template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "app", "image": "web:1"}]}}}})");
        auto pod = session::pod_from_template(deployment, kube::kinds::deployment);
        REQUIRE(pod);
        CHECK((*pod)["kind"] == "Pod");
        CHECK((*pod)["metadata"]["namespace"] == "team");
        CHECK((*pod)["metadata"]["labels"]["app"] == "web");
        CHECK((*pod)["spec"]["containers"][0]["image"] == "web:1");
    }
    SECTION("a CronJob's template is found under jobTemplate") {
        json cronjob = json::parse(R"({"kind": "CronJob",
            "metadata": {"name": "nightly", "namespace": "batch"},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {
                "spec": {"containers": [{"name": "job", "image": "job:2"}]}}}}}})");
        auto pod = session::pod_from_template(cronjob, kube::kinds::cronjob);
        REQUIRE(pod);
        CHECK((*pod)["metadata"]["namespace"] == "batch");
        CHECK((*pod)["spec"]["containers"][0]["name"] == "job");
    }
    SECTION("a workload without a template is an error naming it") {
        json bare = {
            {"kind", "Deployment"}, {"metadata", {{"name", "web"}}}, {"spec", json::object()}};
        auto pod = session::pod_from_template(bare, kube::kinds::deployment);
        REQUIRE_FALSE(pod);
        CHECK(pod.error().message() == "Deployment web has no pod template");
    }
}

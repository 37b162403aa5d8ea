// `mirrord ls` against the real cluster: what exists and is ready is listed, our own resources and
// mesh sidecars are not, and -vv output carries no token.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/kube/resources.hpp"
#include "common/kube/targets.hpp"
#include "tests/integration/kube/testenv.hpp"

using namespace mirrord;
using namespace mirrord::testing;
using nlohmann::json;

namespace {

json deployment(const std::string& name, std::vector<std::string> containers,
                json extra_labels = json::object()) {
    json spec_containers = json::array();
    for (auto& container : containers)
        spec_containers.push_back({{"name", container}, {"image", "busybox"}});
    json labels = {{"app", name}};
    labels.update(extra_labels);
    return {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", name}, {"labels", labels}}},
            {"spec",
             {{"replicas", 1},
              {"selector", {{"matchLabels", {{"app", name}}}}},
              {"template",
               {{"metadata", {{"labels", labels}}}, {"spec", {{"containers", spec_containers}}}}}}}};
}

bool available(kube::Client& client, const std::string& ns, const std::string& name) {
    auto object = client.get(kube::kinds::deployment.object(ns, name));
    return object && (*object)["status"].value("availableReplicas", 0) >= 1;
}

// Runs the mirrord binary; stdout is the result, stderr goes to `log`.
std::vector<std::string> ls(const std::string& args, std::string* log) {
    TempDir dir;
    std::string out;
    const std::string command = fmt::format("KUBECONFIG={} {} ls {} 2>{}/err",
                                            testenv().at("KUBECONFIG"), MIRRORD_BINARY, args,
                                            dir.path());
    REQUIRE(run_command(command, &out) == 0);
    log->clear();
    run_command("cat " + dir.path() + "/err", log);
    INFO(out);
    return json::parse(out).get<std::vector<std::string>>();
}

} // namespace

TEST_CASE("mirrord ls lists the targets that exist", "[kube]") {
    auto client = admin_client();
    TestNamespace ns(*client, "it-ls");
    const auto deployments = kube::kinds::deployment.collection(ns.name());
    REQUIRE(client->create(deployments, deployment("web", {"app", "istio-proxy"})));
    REQUIRE(client->create(deployments, deployment("multi", {"main", "helper"})));
    REQUIRE(client->create(deployments,
                           deployment("ours", {"agent"},
                                      {{"app.kubernetes.io/managed-by", "mirrord"}})));
    REQUIRE(wait_until(std::chrono::seconds(60), [&] {
        return available(*client, ns.name(), "web") && available(*client, ns.name(), "multi") &&
               available(*client, ns.name(), "ours");
    }));
    auto pods = client->list(kube::kinds::pod.collection(ns.name()), {"app=web", "", 500});
    REQUIRE(pods);
    REQUIRE((*pods)["items"].size() == 1);
    const std::string web_pod = (*pods)["items"][0]["metadata"]["name"];

    std::string log;
    auto paths = ls("-vv -n " + ns.name(), &log);
    INFO(log);
    SECTION("deployments and ready pods are listed; sidecars and our resources are not") {
        auto has = [&](const std::string& path) {
            return std::find(paths.begin(), paths.end(), path) != paths.end();
        };
        CHECK(has("deployment/web"));
        CHECK(has("deployment/multi"));
        CHECK(has("pod/" + web_pod));
        CHECK(std::count_if(paths.begin(), paths.end(), [](const std::string& p) {
                  return p.find("/container/main") != std::string::npos ||
                         p.find("/container/helper") != std::string::npos;
              }) == 2);
        for (const auto& path : paths) {
            CHECK(path.find("ours") == std::string::npos);
            CHECK(path.find("istio-proxy") == std::string::npos);
        }
    }
    SECTION("-vv logs each request and no token") {
        CHECK_THAT(log, Catch::Contains("GET https://127.0.0.1:6443/apis/apps/v1/namespaces/" +
                                        ns.name() + "/deployments"));
        CHECK(log.find("admin-token") == std::string::npos);
    }
    SECTION("-t limits the target types") {
        auto only_deployments = ls("-n " + ns.name() + " -t deployment", &log);
        CHECK(only_deployments == std::vector<std::string>{"deployment/multi", "deployment/web"});
    }
}

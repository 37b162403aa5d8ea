// Reads succeed through tests/tools/fault_proxy.py, which answers a bounded share of requests
// with 429 + Retry-After, 503, or a TCP reset.

#include <catch2/catch.hpp>

#include <csignal>

#include <nlohmann/json.hpp>

#include "common/kube/resources.hpp"
#include "tests/integration/kube/testenv.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

// The proxy's state file: port and pid once listening, then fault counts.
std::optional<nlohmann::json> proxy_state(const std::string& path) {
    auto text = read_file(path);
    if (!text)
        return std::nullopt;
    try {
        return nlohmann::json::parse(*text);
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

} // namespace

TEST_CASE("kube client retries through injected faults", "[kube]") {
    TempDir dir;
    const std::string state = dir.path() + "/state.json";
    REQUIRE(run_command(fmt::format("python3 {}/tests/tools/fault_proxy.py --upstream {} --ca {} "
                                    "--state {} --share 0.4 --lifetime 120 >/dev/null 2>&1 &",
                                    MIRRORD_SOURCE_DIR, testenv().at("TESTENV_APISERVER"),
                                    testenv().at("TESTENV_CA"), state)) == 0);
    REQUIRE(wait_until(std::chrono::seconds(10), [&] { return proxy_state(state).has_value(); }));
    const int port = (*proxy_state(state))["port"];
    const int pid = (*proxy_state(state))["pid"];

    auto kubeconfig = dir.write("config", fmt::format(R"(apiVersion: v1
kind: Config
clusters:
- name: proxied
  cluster: {{server: "http://127.0.0.1:{}"}}
users:
- name: admin
  user: {{token: admin-token}}
contexts:
- name: proxied
  context: {{cluster: proxied, user: admin}}
current-context: proxied
)",
                                                      port));
    StderrCapture capture;
    kube::KubeOptions options;
    options.kubeconfig = kubeconfig;
    auto client = kube::Client::connect(options);
    REQUIRE(client);
    int succeeded = 0;
    for (int i = 0; i < 15; ++i) {
        if ((*client)->get(kube::kinds::namespace_.object("", "default")))
            ++succeeded;
        if ((*client)->list(kube::kinds::pod.collection("kube-system"), {"", "", 2}))
            ++succeeded;
    }
    auto log = capture.text();
    auto stats = *proxy_state(state);
    ::kill(pid, SIGTERM);
    INFO(stats.dump() << "\n" << log);
    CHECK(succeeded == 30);
    CHECK(stats["429"] >= 1);
    CHECK(stats["503"] >= 1);
    CHECK(stats["reset"] >= 1);
    CHECK_THAT(log, Catch::Contains("429 Too Many Requests; retrying in") &&
                        Catch::Contains("503 Service Unavailable; retrying in"));
    CHECK(log.find("admin-token") == std::string::npos);
}

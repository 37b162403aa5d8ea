// Lease renewal runs on a thread of its own: an apiserver that holds the renewal (here
// tests/tools/fault_proxy.py delays every PATCH of a session Lease by 30 s) delays neither a
// signal's way to the app nor exec noticing that the app exited.

#include <csignal>

#include "background.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

std::optional<json> proxy_state(const std::filesystem::path& path) {
    auto parsed = json::parse(read_all(path), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
        return std::nullopt;
    return parsed;
}

// The value of `key:` in the testenv's admin kubeconfig (its bearer token).
std::string admin_token() {
    auto text = read_all(admin_kubeconfig());
    auto at = text.find("token:");
    REQUIRE(at != std::string::npos);
    auto start = text.find_first_not_of(" \t", at + 6);
    return text.substr(start, text.find_first_of(" \t\r\n", start) - start);
}

} // namespace

TEST_CASE("exec with an apiserver that holds the Lease renewal", "[session][exec]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 1);
    auto dir = temp_dir("mirrord-slow");
    std::filesystem::create_directories(dir);
    auto state = dir / "proxy.json";
    const char* server = std::getenv("TESTENV_APISERVER");
    const char* ca = std::getenv("TESTENV_CA");
    REQUIRE(server != nullptr);
    REQUIRE(ca != nullptr);
    REQUIRE(std::system(fmt::format("python3 {}/tests/tools/fault_proxy.py --upstream {} --ca {} "
                                    "--state {} --share 0 --lifetime 120 --delay-method PATCH "
                                    "--delay-path '/leases/mirrord-session-' --delay 30 "
                                    ">/dev/null 2>&1 &",
                                    MIRRORD_SOURCE_DIR, server, ca, state.string())
                            .c_str()) == 0);
    REQUIRE(wait_until(10s, [&] { return proxy_state(state).has_value(); }));
    const int port = (*proxy_state(state))["port"];
    const int proxy_pid = (*proxy_state(state))["pid"];
    auto kubeconfig = dir / "kubeconfig";
    std::ofstream(kubeconfig) << fmt::format(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: p\n  cluster: {{server: "
        "\"http://127.0.0.1:{}\"}}\nusers:\n- name: admin\n  user: {{token: {}}}\ncontexts:\n- "
        "name: p\n  context: {{cluster: p, user: admin}}\ncurrent-context: p\n",
        port, admin_token());
    auto config = write_scale_down_config(dir, ns.name(), "deployment/consumer/container/app");
    auto marker = dir / "child";
    Background exec(kubeconfig.string(),
                    {"exec", "-f", config, "--", "sh", "-c",
                     "trap 'echo term >> " + marker.string() + "; exit 0' TERM; echo started >> " +
                         marker.string() + "; while true; do sleep 0.1; done"});
    REQUIRE(wait_until(60s, [&] { return read_all(marker).find("started") != std::string::npos; }));
    // A renewal (or the child-pid write) is being held by the proxy.
    REQUIRE(wait_until(10s, [&] {
        auto now = proxy_state(state);
        return now && (*now)["delayed"].get<int>() >= 1;
    }));

    auto sent = std::chrono::steady_clock::now();
    exec.signal(SIGTERM);
    REQUIRE(wait_until(10s, [&] { return read_all(marker).find("term") != std::string::npos; }));
    auto forwarded = std::chrono::steady_clock::now() - sent;
    int code = exec.wait(20s);
    auto exited = std::chrono::steady_clock::now() - sent;
    ::kill(proxy_pid, SIGTERM);
    INFO(exec.err());
    // Before: the renewal ran on the loop that forwards signals and held it for 30 s.
    CHECK(forwarded < 1s);
    CHECK(code == 0);
    // exec waits for the held renewal at most its 5 s timeout, after restoring the cluster.
    CHECK(exited < 8s);
    auto deployment = admin->get(kube::kinds::deployment.object(ns.name(), "consumer"));
    REQUIRE(deployment);
    CHECK((*deployment)["spec"]["replicas"] == 1);
    std::filesystem::remove_all(dir);
}

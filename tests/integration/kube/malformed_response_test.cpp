// An HTTP 200 whose body is not an API object (a captive portal or a misconfigured proxy in front
// of the apiserver answers with its HTML page) is an error naming the request, not a crash.

#include <catch2/catch.hpp>

#include <csignal>

#include "common/kube/resources.hpp"
#include "common/kube/updates.hpp"
#include "tests/integration/kube/testenv.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

// Answers every GET with 200 and an HTML page; writes "<port> <pid>" to `state` once listening.
const char* portal_server = R"(
import http.server, os, sys
class Portal(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body>Please sign in to the guest network</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Portal)
server.timeout = 1
with open(sys.argv[1] + ".tmp", "w") as out:
    out.write(f"{server.server_address[1]} {os.getpid()}")
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
for _ in range(60):
    server.handle_request()
)";

} // namespace

TEST_CASE("kube client: a 200 that is not an API object", "[kube]") {
    TempDir dir;
    const std::string script = dir.write("portal.py", portal_server);
    const std::string state = dir.path() + "/state";
    REQUIRE(run_command(fmt::format("python3 {} {} >/dev/null 2>&1 &", script, state)) == 0);
    REQUIRE(wait_until(std::chrono::seconds(10), [&] { return read_file(state).ok(); }));
    int port = 0;
    int pid = 0;
    REQUIRE(std::sscanf(read_file(state)->c_str(), "%d %d", &port, &pid) == 2);
    const std::string kubeconfig = dir.write("config", fmt::format(R"(apiVersion: v1
kind: Config
clusters:
- name: portal
  cluster: {{server: "http://127.0.0.1:{}"}}
users:
- name: u
  user: {{token: portal-test-token}}
contexts:
- name: portal
  context: {{cluster: portal, user: u, namespace: default}}
current-context: portal
)",
                                                                   port));
    kube::KubeOptions options;
    options.kubeconfig = kubeconfig;
    auto client = kube::Client::connect(options);
    REQUIRE(client);

    SECTION("get() and list() name the request and show how the page starts") {
        auto pods = (*client)->list(kube::kinds::pod.collection("default"));
        REQUIRE_FALSE(pods);
        CHECK(pods.error().message() ==
              "GET /api/v1/namespaces/default/pods: the response is not JSON (it starts with "
              "\"<html><body>Please sign in to the guest network</body></html...\")");
        auto lease = (*client)->get_optional(kube::kinds::lease.object("default", "l"));
        REQUIRE_FALSE(lease);
        CHECK_THAT(lease.error().message(), Catch::Contains("the response is not JSON"));
        auto scale = kube::get_scale(**client, kube::kinds::deployment.object("default", "web"));
        REQUIRE_FALSE(scale);
        CHECK_THAT(scale.error().message(),
                   Catch::StartsWith("GET /apis/apps/v1/namespaces/default/deployments/web/scale: "
                                     "the response is not JSON"));
    }
    SECTION("mirrord ls exits 1 with that error") {
        std::string out;
        const int status = run_command(fmt::format("KUBECONFIG='{}' '{}' ls 2>&1", kubeconfig,
                                                   MIRRORD_BINARY),
                                       &out);
        INFO(out);
        CHECK(status == 1);
        CHECK_THAT(out, Catch::Contains("mirrord: error: ") &&
                            Catch::Contains("the response is not JSON"));
        CHECK(out.find("portal-test-token") == std::string::npos);
    }
    ::kill(pid, SIGTERM);
}

// The port-forward client against the real apiserver of scripts/testenv. kwok forwards every
// pod port to 127.0.0.1:18080 (testenv/config/kwok-extra.yaml), where this test runs its own
// echo server while it lasts: bytes that come back went local -> apiserver -> kwok -> echo and
// back through our WebSocket client.

#include <catch2/catch.hpp>

#include "common/tunnel/cluster_address.hpp"
#include "common/tunnel/service_endpoints.hpp"
#include "tests/integration/kube/testenv.hpp"
#include "tests/unit/common/tunnel/sockets.hpp"
#include "tunnel_testing.hpp"

using namespace mirrord;
using namespace mirrord::testing;
using namespace mirrord::tunnel;
using namespace mirrord::tunnel_test;

namespace {

// "hello" through a new connection to `listener`; what came back.
std::string hello_through(const TunnelListener& listener) {
    auto client = connect_local(listener.port());
    REQUIRE(client.get() >= 0);
    REQUIRE(send_all(client.get(), "hello"));
    return read_up_to(client.get(), 5);
}

// A client certificate for CN=<user> signed by the testenv CA, in `dir`.
void make_client_cert(const TempDir& dir, const std::string& user, const std::string& group) {
    const auto& env = testenv();
    std::string out;
    const int status = run_command(
        fmt::format("cd {0} && openssl req -newkey rsa:2048 -nodes -subj '/CN={1}/O={2}' "
                    "-keyout client.key -out client.csr && openssl x509 -req -in client.csr "
                    "-CA {3} -CAkey {4} -CAcreateserial -CAserial {0}/ca.srl -days 1 "
                    "-out client.crt",
                    dir.path(), user, group, env.at("TESTENV_CA"), env.at("TESTENV_CA_KEY")),
        &out, true);
    INFO(out);
    REQUIRE(status == 0);
}

} // namespace

TEST_CASE("tunnel port-forward through the apiserver", "[tunnel]") {
    EchoServer echo(kwok_forward_port);
    REQUIRE(echo.listening()); // else another test holds 127.0.0.1:18080 right now
    auto admin = admin_client();
    TestNamespace ns(*admin, "mirrord-it-pf");
    create_running_pod(*admin, ns.name(), "echo");
    EventLoop loop;
    Reports reports;
    const PodPort echo_pod{ns.name(), "echo", 8080};

    SECTION("bytes echo both ways, an 8 MiB payload intact, and no token in the trace log") {
        StderrCapture capture;
        auto listener =
            listen_forwarding(loop, forwarder_for(testenv().at("KUBECONFIG")), {echo_pod}, reports);
        CHECK(hello_through(*listener) == "hello");
        auto client = connect_local(listener->port());
        const auto payload = pattern(8 << 20);
        CHECK(echo_round_trip(client.get(), payload) == payload);
        client.reset();
        listener->stop();
        loop.stop();
        const auto log = capture.text();
        INFO(log);
        CHECK_THAT(log, Catch::Contains("port-forward GET https://127.0.0.1:6443/api/v1/"
                                        "namespaces/" + ns.name() +
                                        "/pods/echo/portforward?ports=8080 -> 101"));
        CHECK(log.find("admin-token") == std::string::npos);
        CHECK(reports.get().empty());
    }
    SECTION("after the client's half-close the answer still arrives, then the stream closes") {
        // v4.channel.k8s.io has no half-close: the tunnel lingers until the pod side is quiet.
        auto listener = listen_forwarding(loop, forwarder_for(testenv().at("KUBECONFIG")),
                                          {echo_pod}, reports);
        auto client = connect_local(listener->port());
        REQUIRE(send_all(client.get(), "last words"));
        ::shutdown(client.get(), SHUT_WR);
        CHECK(read_up_to(client.get(), 10) == "last words");
        CHECK(closed_by_peer(client.get()));
        CHECK(reports.get().empty());
    }
    SECTION("a pod that does not exist is reported once, naming pod and port") {
        auto listener = listen_forwarding(loop, forwarder_for(testenv().at("KUBECONFIG")),
                               {{ns.name(), "missing", 8080}}, reports);
        for (int i = 0; i < 2; ++i) {
            auto client = connect_local(listener->port());
            CHECK(closed_by_peer(client.get()));
        }
        const auto messages = reports.get();
        REQUIRE(messages.size() == 1);
        CHECK_THAT(messages[0],
                   Catch::StartsWith("echo:8080: pod " + ns.name() + "/missing port 8080: GET ") &&
                       Catch::Contains("404 Not Found") && Catch::Contains("not found"));
    }
    SECTION("the next endpoint is tried when one fails") {
        auto listener = listen_forwarding(loop, forwarder_for(testenv().at("KUBECONFIG")),
                               {{ns.name(), "missing", 8080}, echo_pod}, reports);
        CHECK(hello_through(*listener) == "hello");
        CHECK(reports.get().empty());
    }
    SECTION("an in-cluster Service name reaches a ready endpoint pod (cluster_connector)") {
        create_service(*admin, ns.name(), "echo-svc", "echo");
        auto to_cluster = cluster_connector(forwarder_for(testenv().at("KUBECONFIG")),
                                            admin_client(), "default");
        const std::string host = "echo-svc." + ns.name() + ".svc.cluster.local";
        ListenerOptions options;
        options.name = host + ":9092";
        auto listener = TunnelListener::start(
            loop, [to_cluster, host] { return to_cluster(host, 9092); }, options,
            reports.handler());
        REQUIRE(listener);
        // The EndpointSlice controller fills the slice shortly after the Service exists.
        CHECK(wait_until(std::chrono::seconds(30),
                         [&] { return hello_through(**listener) == "hello"; }));
        auto outside = cluster_connector(forwarder_for(testenv().at("KUBECONFIG")),
                                         admin_client(), "default");
        ListenerOptions other;
        other.name = "broker";
        auto unreachable = TunnelListener::start(
            loop, [outside] { return outside("broker.example.com", 9092); }, other,
            reports.handler());
        REQUIRE(unreachable);
        auto client = connect_local((*unreachable)->port());
        CHECK(closed_by_peer(client.get()));
        CHECK_THAT(fmt::format("{}", fmt::join(reports.get(), "\n")),
                   Catch::Contains("broker: broker.example.com:9092 is not an in-cluster Service "
                                   "address the tunnel can reach"));
    }
    SECTION("a client certificate authenticates as it does for REST") {
        TempDir dir;
        make_client_cert(dir, "cert-user", "system:masters");
        const auto kubeconfig =
            dir.write("config", kubeconfig_with_user("    client-certificate: client.crt\n"
                                                     "    client-key: client.key"));
        StderrCapture capture;
        auto listener = listen_forwarding(loop, forwarder_for(kubeconfig), {echo_pod}, reports);
        CHECK(hello_through(*listener) == "hello");
        listener->stop();
        loop.stop();
        CHECK(capture.text().find("PRIVATE KEY") == std::string::npos);
        CHECK(reports.get().empty());
    }
    SECTION("tokenFile and exec plugin credentials work as they do for REST") {
        TempDir dir;
        dir.write("token", "admin-token\n");
        auto token_file = dir.write("token-config", kubeconfig_with_user("    tokenFile: token"));
        auto by_file = listen_forwarding(loop, forwarder_for(token_file), {echo_pod}, reports);
        CHECK(hello_through(*by_file) == "hello");

        const std::string counter = dir.path() + "/runs";
        dir.write("plugin.sh",
                  "#!/bin/sh\necho run >>" + counter +
                      "\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                      "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"admin-token\"}}'\n",
                  true);
        const auto user = kubeconfig_with_user("    exec:\n"
                                               "      apiVersion: client.authentication.k8s.io/v1\n"
                                               "      command: ./plugin.sh\n"
                                               "      interactiveMode: Never");
        auto exec = dir.write("exec-config", user);
        auto by_plugin = listen_forwarding(loop, forwarder_for(exec), {echo_pod}, reports);
        CHECK(hello_through(*by_plugin) == "hello");
        CHECK(hello_through(*by_plugin) == "hello");
        CHECK(*read_file(counter) == "run\n"); // the credential is cached between streams
        CHECK(reports.get().empty());
    }
    SECTION("a wrong token is a 401 that does not echo the token") {
        TempDir dir;
        const auto kubeconfig =
            dir.write("config", kubeconfig_with_user("    token: wrong-token-123456"));
        auto listener = listen_forwarding(loop, forwarder_for(kubeconfig), {echo_pod}, reports);
        auto client = connect_local(listener->port());
        CHECK(closed_by_peer(client.get()));
        const auto messages = reports.get();
        REQUIRE(messages.size() == 1);
        CHECK_THAT(messages[0], Catch::Contains("401 Unauthorized"));
        CHECK(messages[0].find("wrong-token-123456") == std::string::npos);
    }
}

TEST_CASE("tunnel port-forward RBAC for user dev", "[tunnel]") {
    EchoServer echo(kwok_forward_port);
    REQUIRE(echo.listening());
    auto admin = admin_client();
    TestNamespace ns(*admin, "mirrord-it-pfrbac");
    create_running_pod(*admin, ns.name(), "echo");
    EventLoop loop;
    Reports reports;
    auto listener = listen_forwarding(loop, forwarder_for(testenv().at("TESTENV_KUBECONFIG_DEV")),
                           {{ns.name(), "echo", 8080}}, reports);

    // Without a RoleBinding: the 403 names the resource and what the Role must grant.
    {
        auto client = connect_local(listener->port());
        CHECK(closed_by_peer(client.get()));
    }
    const auto messages = reports.get();
    REQUIRE(messages.size() == 1);
    CHECK_THAT(messages[0],
               Catch::Contains("403 Forbidden") &&
                   Catch::Contains("cannot get resource \"pods/portforward\"") &&
                   Catch::Contains("get and create on pods/portforward"));
    CHECK(messages[0].find("dev-token") == std::string::npos);

    // With configs/rbac applied (kubectl, as the README tells users), the same user gets through.
    const std::string rbac = std::string(MIRRORD_SOURCE_DIR) + "/configs/rbac/";
    REQUIRE(run_command("kubectl apply -n '" + ns.name() + "' -f '" + rbac + "role.yaml' -f '" +
                        rbac + "rolebinding.yaml' >/dev/null") == 0);
    // RBAC reaches the authorizer through an informer: poll, not sleep.
    CHECK(wait_until(std::chrono::seconds(15),
                     [&] { return hello_through(*listener) == "hello"; }));

    // The Role also lets dev resolve a Service to its endpoint pods (services, endpointslices).
    create_service(*admin, ns.name(), "kafka", "echo");
    auto dev = [] {
        kube::KubeOptions options;
        options.kubeconfig = testenv().at("TESTENV_KUBECONFIG_DEV");
        auto client = kube::Client::connect(options);
        REQUIRE(client);
        return std::move(*client);
    }();
    Result<std::vector<PodPort>> endpoints = fail("not resolved");
    CHECK(wait_until(std::chrono::seconds(30), [&] {
        endpoints = resolve_service_endpoints(*dev, ns.name(), "kafka", 9092);
        return endpoints.ok();
    }));
    INFO((endpoints ? "" : endpoints.error().message()));
    REQUIRE(endpoints);
    REQUIRE(endpoints->size() == 1);
    CHECK(endpoints->front().describe() == "pod " + ns.name() + "/echo port 8080");
    auto by_service = listen_forwarding(loop, forwarder_for(testenv().at("TESTENV_KUBECONFIG_DEV")),
                                        *endpoints, reports);
    CHECK(hello_through(*by_service) == "hello");
}

TEST_CASE("tunnel port-forward to a pod port nothing listens on", "[tunnel]") {
    // No echo server on 18080 this time: kwok's dial fails and it says so on the error channel.
    {
        EchoServer probe(kwok_forward_port);
        REQUIRE(probe.listening()); // 18080 is free, so nothing answers kwok's dial below
    }
    auto admin = admin_client();
    TestNamespace ns(*admin, "mirrord-it-pferr");
    create_running_pod(*admin, ns.name(), "echo");
    EventLoop loop;
    Reports reports;
    auto listener = listen_forwarding(loop, forwarder_for(testenv().at("KUBECONFIG")),
                                      {{ns.name(), "echo", 8080}}, reports);
    auto client = connect_local(listener->port());
    REQUIRE(send_all(client.get(), "hello"));
    CHECK(closed_by_peer(client.get()));
    REQUIRE(wait_until(std::chrono::seconds(5), [&] { return !reports.get().empty(); }));
    const auto messages = reports.get();
    REQUIRE(messages.size() == 1);
    INFO(messages[0]);
    CHECK_THAT(messages[0], Catch::StartsWith("echo:8080: pod " + ns.name() + "/echo port 8080: "));
    CHECK_THAT(messages[0], Catch::Contains("18080") || Catch::Contains("refused"));
}

TEST_CASE("tunnel port-forward needs both get and create on pods/portforward", "[tunnel]") {
    EchoServer echo(kwok_forward_port);
    REQUIRE(echo.listening());
    auto admin = admin_client();
    TestNamespace ns(*admin, "mirrord-it-pfverbs");
    create_running_pod(*admin, ns.name(), "echo");
    // A Role with `get` only, bound to dev: the WebSocket upgrade is a GET, yet since
    // Kubernetes 1.35 the apiserver checks `create` as well (see configs/rbac/role.yaml).
    const std::string manifest = fmt::format(R"(apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: get-only, namespace: {0}}}
rules:
- {{apiGroups: [""], resources: [pods/portforward], verbs: [get]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: get-only, namespace: {0}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: get-only}}
subjects: [{{apiGroup: rbac.authorization.k8s.io, kind: User, name: dev}}]
)",
                                             ns.name());
    TempDir dir;
    REQUIRE(run_command("kubectl apply -f '" + dir.write("rbac.yaml", manifest) + "' >/dev/null") ==
            0);
    EventLoop loop;
    Reports reports;
    auto listener = listen_forwarding(loop, forwarder_for(testenv().at("TESTENV_KUBECONFIG_DEV")),
                                      {{ns.name(), "echo", 8080}}, reports);
    // Until the binding reaches the authorizer the 403 says "cannot get"; after, `get` passes
    // and the upgrade is still refused (kube-apiserver 1.36 words that 403 without the verb).
    std::string after_get;
    CHECK(wait_until(std::chrono::seconds(15), [&] {
        auto client = connect_local(listener->port());
        (void)closed_by_peer(client.get());
        for (const auto& message : reports.get())
            if (message.find("403 Forbidden") != std::string::npos &&
                message.find("cannot get") == std::string::npos)
                after_get = message;
        return !after_get.empty();
    }));
    CHECK_THAT(after_get, Catch::Contains("needs get and create on pods/portforward"));
    CHECK(echo.accepted() == 0);
}

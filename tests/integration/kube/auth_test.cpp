// Every auth kind reaches the real apiserver of scripts/testenv, and no token shows in the most
// verbose log output.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "common/kube/base64.hpp"
#include "common/kube/resources.hpp"
#include "tests/integration/kube/testenv.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

// Connects with `kubeconfig` and reads the default namespace; returns the client's log output.
std::string read_default_namespace(const std::string& kubeconfig) {
    StderrCapture capture;
    kube::KubeOptions options;
    options.kubeconfig = kubeconfig;
    auto client = kube::Client::connect(options);
    REQUIRE(client);
    auto ns = (*client)->get(kube::kinds::namespace_.object("", "default"));
    auto log = capture.text();
    INFO(log);
    REQUIRE(ns);
    CHECK((*ns)["metadata"]["name"] == "default");
    CHECK_THAT(log, Catch::Contains("GET https://127.0.0.1:6443/api/v1/namespaces/default -> 200"));
    CHECK(log.find("admin-token") == std::string::npos);
    return log;
}

// A client certificate for CN=<user>, O=<group> signed by the testenv CA.
void make_client_cert(const TempDir& dir, const std::string& user, const std::string& group) {
    const auto& env = testenv();
    const std::string command = fmt::format(
        "cd {0} && openssl req -newkey rsa:2048 -nodes -subj '/CN={1}/O={2}' -keyout client.key "
        "-out client.csr && openssl x509 -req -in client.csr -CA {3} -CAkey {4} "
        "-CAcreateserial -CAserial {0}/ca.srl -days 1 -out client.crt",
        dir.path(), user, group, env.at("TESTENV_CA"), env.at("TESTENV_CA_KEY"));
    std::string out;
    INFO(out);
    REQUIRE(run_command(command, &out, true) == 0);
}

} // namespace

TEST_CASE("kube auth: bearer token from the testenv kubeconfig", "[kube]") {
    read_default_namespace(testenv().at("KUBECONFIG"));
}

TEST_CASE("kube auth: tokenFile", "[kube]") {
    TempDir dir;
    dir.write("token", "admin-token\n");
    auto kubeconfig = dir.write("config", kubeconfig_with_user("    tokenFile: token"));
    read_default_namespace(kubeconfig);
}

TEST_CASE("kube auth: client certificate signed by the cluster CA", "[kube]") {
    TempDir dir;
    make_client_cert(dir, "cert-user", "system:masters");
    SECTION("file paths relative to the kubeconfig") {
        auto kubeconfig = dir.write("config", kubeconfig_with_user(
                                                  "    client-certificate: client.crt\n"
                                                  "    client-key: client.key"));
        read_default_namespace(kubeconfig);
    }
    SECTION("-data forms") {
        auto cert = kube::base64_encode(*read_file(dir.path() + "/client.crt"));
        auto key = kube::base64_encode(*read_file(dir.path() + "/client.key"));
        auto kubeconfig = dir.write(
            "config", kubeconfig_with_user(fmt::format("    client-certificate-data: {}\n"
                                                       "    client-key-data: {}",
                                                       cert, key)));
        auto log = read_default_namespace(kubeconfig);
        CHECK(log.find("PRIVATE KEY") == std::string::npos);
    }
}

TEST_CASE("kube auth: exec credential plugin", "[kube]") {
    TempDir dir;
    const std::string counter = dir.path() + "/runs";
    dir.write("plugin.sh",
              "#!/bin/sh\necho run >>" + counter +
                  "\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                  "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"admin-token\"}}'\n",
              true);
    auto kubeconfig = dir.write("config", kubeconfig_with_user(
                                              "    exec:\n"
                                              "      apiVersion: client.authentication.k8s.io/v1\n"
                                              "      command: ./plugin.sh\n"
                                              "      interactiveMode: Never"));
    read_default_namespace(kubeconfig);
    CHECK(*read_file(counter) == "run\n");
}

TEST_CASE("kube auth: a prefetched exec credential outlives the plugin", "[kube]") {
    // Like a plugin whose SSO session or VPN ends with `mirrord exec`: it works only while the
    // `session` file exists. The session guardian prefetches while exec runs and is used after.
    TempDir dir;
    const std::string session = dir.write("session", "logged in\n");
    dir.write("plugin.sh",
              "#!/bin/sh\n[ -f " + session +
                  " ] || { echo 'plugin: not logged in' >&2; exit 4; }\n"
                  "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                  "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"admin-token\"}}'\n",
              true);
    kube::KubeOptions options;
    options.kubeconfig = dir.write("config", kubeconfig_with_user(
                                                 "    exec:\n"
                                                 "      apiVersion: client.authentication.k8s.io/v1\n"
                                                 "      command: ./plugin.sh\n"
                                                 "      interactiveMode: Never"));
    auto prefetched = kube::Client::connect(options);
    auto lazy = kube::Client::connect(options);
    REQUIRE(prefetched);
    REQUIRE(lazy);
    REQUIRE((*prefetched)->prefetch_credentials());
    std::filesystem::remove(session);

    const auto path = kube::kinds::namespace_.object("", "default");
    auto later = (*prefetched)->get(path);
    INFO((later ? std::string() : later.error().message()));
    CHECK(later);
    auto without = (*lazy)->get(path);
    REQUIRE_FALSE(without);
    CHECK_THAT(without.error().message(), Catch::Contains("plugin.sh: exited with status 4"));
    CHECK_FALSE((*lazy)->prefetch_credentials());
}

TEST_CASE("kube auth: a credential handed over is used until the apiserver refuses it",
          "[kube]") {
    // The session guardian's case: exec hands it the credential an `interactiveMode: Always`
    // plugin returned on exec's terminal; the guardian cannot run that plugin itself.
    TempDir dir;
    const std::string session = dir.write("session", "logged in\n");
    const std::string runs = dir.path() + "/runs";
    dir.write("plugin.sh",
              "#!/bin/sh\necho run >>" + runs + "\n[ -f " + session +
                  " ] || { echo 'plugin: not logged in' >&2; exit 4; }\n"
                  "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                  "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"admin-token\"}}'\n",
              true);
    kube::KubeOptions options;
    const std::string user = "    exec:\n"
                             "      apiVersion: client.authentication.k8s.io/v1\n"
                             "      command: ./plugin.sh\n"
                             "      interactiveMode: Never";
    options.kubeconfig = dir.write("config", kubeconfig_with_user(user));
    const auto path = kube::kinds::namespace_.object("", "default");
    auto client = kube::Client::connect(options);
    REQUIRE(client);
    kube::Credential handed;

    SECTION("a valid one: no plugin run, even once the plugin fails") {
        std::filesystem::remove(session);
        handed.bearer_token = "admin-token";
        (*client)->use_handed_credential(handed);
        auto got = (*client)->get(path);
        INFO((got ? std::string() : got.error().message()));
        CHECK(got);
        CHECK_FALSE(std::filesystem::exists(runs));
    }
    SECTION("a refused one (401): the plugin runs, and its credential is used") {
        handed.bearer_token = "revoked-token";
        (*client)->use_handed_credential(handed);
        auto got = (*client)->get(path);
        INFO((got ? std::string() : got.error().message()));
        CHECK(got);
        CHECK(*read_file(runs) == "run\n");
    }
    SECTION("a refused one with a failing plugin: the error names the plugin") {
        std::filesystem::remove(session);
        handed.bearer_token = "revoked-token";
        (*client)->use_handed_credential(handed);
        auto got = (*client)->get(path);
        REQUIRE_FALSE(got);
        CHECK_THAT(got.error().message(), Catch::Contains("plugin.sh: exited with status 4"));
    }
}

TEST_CASE("kube auth: KUBECONFIG merged from two files", "[kube]") {
    TempDir dir;
    auto cluster_file = dir.write("cluster.yaml", fmt::format(R"(apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster: {{server: "{}", certificate-authority: "{}"}}
contexts:
- name: merged
  context: {{cluster: testenv, user: from-second-file}}
current-context: merged
)",
                                                              testenv().at("TESTENV_APISERVER"),
                                                              testenv().at("TESTENV_CA")));
    auto user_file = dir.write("user.yaml", R"(apiVersion: v1
kind: Config
users:
- name: from-second-file
  user: {token: admin-token}
current-context: ignored-because-the-first-file-sets-one
)");
    const char* saved = std::getenv("KUBECONFIG");
    const std::string previous = saved != nullptr ? saved : "";
    ::setenv("KUBECONFIG", (cluster_file + ":" + user_file).c_str(), 1);
    auto client = kube::Client::connect({});
    ::setenv("KUBECONFIG", previous.c_str(), 1);
    REQUIRE(client);
    CHECK((*client)->connection().context == "merged");
    CHECK((*client)->get(kube::kinds::namespace_.object("", "default")));
}

TEST_CASE("kube auth: errors read clearly", "[kube]") {
    SECTION("the dev user's 403 names the verb, path, user and resource") {
        kube::KubeOptions options;
        options.kubeconfig = testenv().at("TESTENV_KUBECONFIG_DEV");
        auto client = kube::Client::connect(options);
        REQUIRE(client);
        // kube-system: `mirrord operator setup | kubectl apply -f -` (the guide, scripts/demo)
        // binds dev in default, and no mirrord step ever binds it in kube-system.
        auto pods = (*client)->list(kube::kinds::pod.collection("kube-system"));
        REQUIRE_FALSE(pods);
        CHECK_THAT(pods.error().message(),
                   Catch::StartsWith("GET /api/v1/namespaces/kube-system/pods: 403 Forbidden: ") &&
                       Catch::Contains("User \"dev\" cannot list resource \"pods\"") &&
                       Catch::Contains("in the namespace \"kube-system\""));
    }
    SECTION("a wrong token is a 401 that does not echo the token") {
        TempDir dir;
        auto kubeconfig =
            dir.write("config", kubeconfig_with_user("    token: wrong-token-for-the-it-test"));
        kube::KubeOptions options;
        options.kubeconfig = kubeconfig;
        auto client = kube::Client::connect(options);
        REQUIRE(client);
        auto ns = (*client)->get(kube::kinds::namespace_.object("", "default"));
        REQUIRE_FALSE(ns);
        CHECK_THAT(ns.error().message(), Catch::Contains("401 Unauthorized"));
        CHECK(ns.error().message().find("wrong-token-for-the-it-test") == std::string::npos);
    }
    SECTION("an untrusted server certificate is refused by default") {
        TempDir dir;
        auto kubeconfig = dir.write("config", fmt::format(R"(apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {{server: "{}", certificate-authority: "{}"}}
users:
- name: u
  user: {{token: admin-token}}
contexts:
- name: c
  context: {{cluster: c, user: u}}
current-context: c
)",
                                                          testenv().at("TESTENV_APISERVER"),
                                                          MIRRORD_TEST_DATA "/kubeconfig/certs/ca.crt"));
        kube::KubeOptions options;
        options.kubeconfig = kubeconfig;
        auto client = kube::Client::connect(options);
        REQUIRE(client);
        CHECK_FALSE((*client)->get("/version"));
        options.accept_invalid_certificates = true;
        auto insecure = kube::Client::connect(options);
        REQUIRE(insecure);
        CHECK((*insecure)->get("/version"));
    }
}

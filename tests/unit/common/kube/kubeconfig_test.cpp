#include <catch2/catch.hpp>

#include <cstdlib>

#include "common/core/files.hpp"
#include "common/core/log.hpp"
#include "common/kube/auth/credentials.hpp"
#include "common/kube/connection.hpp"
#include "common/kube/kubeconfig.hpp"

using namespace mirrord;
using namespace mirrord::kube;

namespace {

const std::string dir = MIRRORD_TEST_DATA "/kubeconfig";

Connection connect_fixture(const std::string& file, KubeOptions options = {}) {
    options.kubeconfig = dir + "/" + file;
    auto connection = resolve_connection(options);
    INFO((connection ? "" : connection.error().message()));
    REQUIRE(connection);
    return *connection;
}

KubeOptions with_context(const std::string& context) {
    KubeOptions options;
    options.context = context;
    return options;
}

Error connect_error(const std::string& file) {
    KubeOptions options;
    options.kubeconfig = dir + "/" + file;
    auto connection = resolve_connection(options);
    REQUIRE_FALSE(connection);
    return connection.error();
}

} // namespace

TEST_CASE("kubeconfig: bearer token") {
    auto connection = connect_fixture("token.yaml");
    SECTION("server, decoded CA data, context namespace and the token are read") {
        CHECK(connection.server == "https://10.0.0.1:6443");
        CHECK(connection.ca_pem == *read_file(dir + "/certs/ca.crt"));
        CHECK(connection.namespace_ == "team-a");
        CHECK(connection.context == "ctx1");
        CHECK(connection.user.token == "fixture-bearer-token-1234");
    }
    SECTION("the token is registered as a secret") {
        CHECK(log::redact("Bearer fixture-bearer-token-1234") == "Bearer ********");
    }
    SECTION("--context overrides current-context; a context without namespace means default") {
        auto other = connect_fixture("token.yaml", with_context("ctx-no-ns"));
        CHECK(other.namespace_ == "default");
    }
    SECTION("the target namespace beats the context's") {
        KubeOptions options;
        options.namespace_ = "ns";
        auto other = connect_fixture("token.yaml", options);
        CHECK(other.namespace_ == "ns");
    }
    SECTION("an unknown context is an error naming it and the file") {
        KubeOptions options = with_context("nope");
        options.kubeconfig = dir + "/token.yaml";
        auto result = resolve_connection(options);
        REQUIRE_FALSE(result);
        CHECK_THAT(result.error().message(), Catch::Contains("context \"nope\" not found") &&
                                                 Catch::Contains("token.yaml"));
    }
}

TEST_CASE("kubeconfig: tokenFile and certificate-authority paths are relative to the file") {
    auto connection = connect_fixture("token-file.yaml");
    CHECK(connection.user.token_file == dir + "/token.txt");
    CHECK(connection.ca_pem == *read_file(dir + "/certs/ca.crt"));
    auto credential = make_credential_source(connection)->get();
    REQUIRE(credential);
    CHECK(credential->bearer_token == "fixture-file-token-5678");
}

TEST_CASE("kubeconfig: client certificates") {
    const auto cert = *read_file(dir + "/certs/client.crt");
    const auto key = *read_file(dir + "/certs/client.key");
    SECTION("file forms are read into PEM blobs, relative to the kubeconfig") {
        auto connection = connect_fixture("client-cert-files.yaml");
        CHECK(connection.user.client_certificate_data == cert);
        CHECK(connection.user.client_key_data == key);
    }
    SECTION("-data forms are base64-decoded") {
        auto connection = connect_fixture("client-cert-data.yaml");
        CHECK(connection.user.client_certificate_data == cert);
        CHECK(connection.user.client_key_data == key);
        auto credential = make_credential_source(connection)->get();
        REQUIRE(credential);
        CHECK(credential->client_key_pem == key);
    }
    SECTION("the key never shows in logs") {
        CHECK(log::redact("key: " + key).find("PRIVATE KEY") == std::string::npos);
    }
}

TEST_CASE("kubeconfig: basic auth, insecure, tls-server-name, proxy-url") {
    auto connection = connect_fixture("basic.yaml");
    CHECK(connection.user.username == "fixture-user");
    CHECK(connection.user.password == "fixture-password-9876");
    CHECK(connection.insecure);
    CHECK(connection.tls_server_name == "api.internal.example");
    CHECK(connection.proxy_url == "http://127.0.0.1:3128");
    CHECK(log::redact("fixture-password-9876") == "********");
    SECTION("accept_invalid_certificates turns verification off too") {
        KubeOptions options;
        options.accept_invalid_certificates = true;
        auto secure = connect_fixture("token.yaml", options);
        CHECK(secure.insecure);
        CHECK_FALSE(connect_fixture("token.yaml").insecure);
    }
}

TEST_CASE("kubeconfig: exec plugins") {
    auto connection = connect_fixture("exec.yaml");
    REQUIRE(connection.user.exec);
    const ExecConfig& exec = *connection.user.exec;
    SECTION("a command with a slash resolves against the kubeconfig's folder") {
        CHECK(exec.command == dir + "/bin/fake-plugin.sh");
        CHECK(exec.api_version == "client.authentication.k8s.io/v1");
        CHECK(exec.args == std::vector<std::string>{"--cluster", "c1"});
        CHECK(exec.env.at(0).first == "FAKE_PLUGIN_TOKEN");
        CHECK(exec.interactive_mode == "Never");
        CHECK(exec.provide_cluster_info);
        CHECK(exec.install_hint == "install fake-plugin");
    }
    SECTION("a bare command name is left for PATH lookup") {
        auto beta = connect_fixture("exec.yaml", with_context("beta"));
        CHECK(beta.user.exec->command == "kubelogin");
        CHECK(beta.user.exec->api_version == "client.authentication.k8s.io/v1beta1");
    }
}

TEST_CASE("kubeconfig: legacy auth-provider is refused with a pointer to exec plugins") {
    auto error = connect_error("auth-provider.yaml");
    CHECK_THAT(error.message(), Catch::Contains("auth-provider \"gcp\"") &&
                                    Catch::Contains("use an exec credential plugin"));
}

TEST_CASE("kubeconfig: invalid YAML names the file") {
    auto error = connect_error("invalid.yaml");
    CHECK_THAT(error.message(), Catch::Contains("invalid.yaml") && Catch::Contains("invalid YAML"));
}

TEST_CASE("kubeconfig: merging a KUBECONFIG list") {
    auto merged = load_kubeconfig_files({dir + "/merge-no-current.yaml", dir + "/merge-a.yaml",
                                         dir + "/missing.yaml", dir + "/merge-b.yaml"});
    REQUIRE(merged);
    SECTION("the first file to set current-context wins") {
        CHECK(merged->current_context == "ctx-a");
    }
    SECTION("the first file to define a name wins, for clusters, users and contexts") {
        CHECK(merged->clusters.at("shared").server == "https://a.example:6443");
        CHECK(merged->users.at("shared-user").token == "fixture-token-from-a");
        CHECK(merged->contexts.at("ctx-a").cluster == "shared");
    }
    SECTION("names defined in only one file are all kept; missing files are skipped") {
        CHECK(merged->clusters.count("only-a") == 1);
        CHECK(merged->clusters.count("only-b") == 1);
        CHECK(merged->contexts.count("ctx-b") == 1);
        CHECK(merged->files.size() == 3);
    }
    SECTION("$KUBECONFIG is split on ':' and merged the same way") {
        const char* saved = std::getenv("KUBECONFIG");
        std::string previous = saved != nullptr ? saved : "";
        ::setenv("KUBECONFIG", (dir + "/merge-b.yaml:" + dir + "/merge-a.yaml").c_str(), 1);
        auto connection = resolve_connection({});
        if (saved != nullptr)
            ::setenv("KUBECONFIG", previous.c_str(), 1);
        else
            ::unsetenv("KUBECONFIG");
        REQUIRE(connection);
        CHECK(connection->context == "ctx-b");
        CHECK(connection->server == "https://only-b.example:6443");
    }
}

TEST_CASE("kubeconfig: no file at all") {
    auto merged = load_kubeconfig_files({dir + "/missing.yaml"});
    REQUIRE_FALSE(merged);
    CHECK_THAT(merged.error().message(), Catch::Contains("no kubeconfig file found"));
}

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/kube/auth/credentials.hpp"
#include "common/kube/connection.hpp"

using namespace mirrord::kube;

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
}

} // namespace

TEST_CASE("in-cluster config") {
    auto sa = std::filesystem::temp_directory_path() /
              ("mirrord-sa-" + std::to_string(::getpid()));
    std::filesystem::create_directories(sa);
    write(sa / "ca.crt", "-----BEGIN CERTIFICATE-----\nfixture\n-----END CERTIFICATE-----\n");
    write(sa / "token", "fixture-sa-token-one\n");
    write(sa / "namespace", "apps\n");
    ::setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    KubeOptions options;
    options.service_account_dir = sa.string();
    auto connection = in_cluster_connection(options);
    ::unsetenv("KUBERNETES_SERVICE_HOST");
    ::unsetenv("KUBERNETES_SERVICE_PORT");
    REQUIRE(connection);

    SECTION("server, CA and namespace come from the environment and the SA folder") {
        CHECK(connection->server == "https://10.96.0.1:443");
        CHECK(connection->namespace_ == "apps");
        CHECK(connection->ca_pem.find("fixture") != std::string::npos);
    }
    SECTION("a rotated token file is picked up on the next request") {
        auto source = make_credential_source(*connection);
        CHECK(source->get()->bearer_token == "fixture-sa-token-one");
        // A distinct mtime: kubelet's rotation replaces the file; make sure the clock moved.
        auto before = std::filesystem::last_write_time(sa / "token");
        write(sa / "token", "fixture-sa-token-two\n");
        std::filesystem::last_write_time(sa / "token", before + std::chrono::seconds(1));
        CHECK(source->get()->bearer_token == "fixture-sa-token-two");
    }
    std::filesystem::remove_all(sa);
}

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <chrono>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/core/files.hpp"
#include "common/core/log.hpp"
#include "common/kube/auth/credentials.hpp"
#include "common/kube/auth/exec_plugin.hpp"
#include "common/kube/connection.hpp"
#include "common/kube/rest_client.hpp"

using namespace mirrord;
using namespace mirrord::kube;

namespace {

const std::string v1 = "client.authentication.k8s.io/v1";

Connection exec_connection() {
    KubeOptions options;
    options.kubeconfig = MIRRORD_TEST_DATA "/kubeconfig/exec.yaml";
    auto connection = resolve_connection(options);
    REQUIRE(connection);
    return *connection;
}

int lines_in(const std::string& path) {
    auto text = read_file(path);
    return text ? static_cast<int>(std::count(text->begin(), text->end(), '\n')) : 0;
}

} // namespace

TEST_CASE("parse_exec_credential") {
    SECTION("a token with an expiry") {
        auto credential = parse_exec_credential(
            R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
                "status":{"token":"exec-test-token-abc","expirationTimestamp":"2030-01-02T03:04:05Z"}})",
            v1);
        REQUIRE(credential);
        CHECK(credential->token == "exec-test-token-abc");
        REQUIRE(credential->expires);
        CHECK(*credential->expires == *parse_rfc3339("2030-01-02T03:04:05Z"));
        CHECK(log::redact("exec-test-token-abc") == "********");
    }
    SECTION("a client certificate and key") {
        auto credential = parse_exec_credential(
            R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",
                "status":{"clientCertificateData":"CERT","clientKeyData":"exec-test-key-data"}})",
            "client.authentication.k8s.io/v1beta1");
        REQUIRE(credential);
        CHECK(credential->client_cert_pem == "CERT");
        CHECK_FALSE(credential->expires);
    }
    SECTION("a mismatched apiVersion, a missing credential, or garbage are errors") {
        CHECK_FALSE(parse_exec_credential(
            R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}})",
            v1));
        CHECK_FALSE(parse_exec_credential(
            R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}})",
            v1));
        CHECK_FALSE(parse_exec_credential("Please log in", v1));
    }
}

TEST_CASE("parse_rfc3339") {
    CHECK(parse_rfc3339("1970-01-01T00:00:10Z") == std::chrono::system_clock::from_time_t(10));
    CHECK(parse_rfc3339("1970-01-01T01:00:10.123+01:00") ==
          std::chrono::system_clock::from_time_t(10));
    CHECK_FALSE(parse_rfc3339("yesterday"));
}

TEST_CASE("exec credential source") {
    auto connection = exec_connection();
    const auto count_file =
        std::filesystem::temp_directory_path() / ("mirrord-plugin-" + std::to_string(::getpid()));
    std::filesystem::remove(count_file);
    ::setenv("FAKE_PLUGIN_COUNT_FILE", count_file.c_str(), 1);

    SECTION("runs the plugin with its args and env, and caches the credential") {
        auto source = make_credential_source(connection);
        auto first = source->get();
        REQUIRE(first);
        CHECK(first->bearer_token == "fixture-exec-token-4321");
        CHECK(source->get()->bearer_token == "fixture-exec-token-4321");
        CHECK(lines_in(count_file) == 1);
        SECTION("and runs it again after a 401") {
            CHECK(source->invalidate());
            REQUIRE(source->get());
            CHECK(lines_in(count_file) == 2);
        }
    }
    SECTION("an expired credential is fetched again") {
        ::setenv("FAKE_PLUGIN_EXPIRY", "2000-01-01T00:00:00Z", 1);
        auto source = make_credential_source(connection);
        REQUIRE(source->get());
        REQUIRE(source->get());
        ::unsetenv("FAKE_PLUGIN_EXPIRY");
        CHECK(lines_in(count_file) == 2);
    }
    SECTION("a plugin that cannot start names itself and the install hint") {
        connection.user.exec->command = "/nonexistent/plugin";
        auto result = make_credential_source(connection)->get();
        REQUIRE_FALSE(result);
        CHECK_THAT(result.error().message(),
                   Catch::Contains("/nonexistent/plugin") && Catch::Contains("install fake-plugin"));
    }
    SECTION("a cached credential outlives the plugin until it expires or is rejected") {
        auto source = make_credential_source(connection);
        REQUIRE(source->get());
        ::setenv("FAKE_PLUGIN_FAIL", "1", 1);
        auto later = source->get();
        CHECK(later);
        CHECK(lines_in(count_file) == 1);
        CHECK(source->invalidate());
        auto again = source->get();
        ::unsetenv("FAKE_PLUGIN_FAIL");
        REQUIRE_FALSE(again);
        CHECK_THAT(again.error().message(),
                   Catch::Contains("fake-plugin.sh: exited with status 3") &&
                       Catch::Contains("install fake-plugin"));
    }
    SECTION("interactiveMode Always without a terminal is a clear error; the plugin never runs") {
        // As in the session guardian, whose stdin is /dev/null.
        connection.user.exec->interactive_mode = "Always";
        auto result = make_credential_source(connection)->get();
        if (::isatty(STDIN_FILENO) == 1) {
            WARN("stdin is a terminal: run with </dev/null to check interactiveMode Always");
        } else {
            REQUIRE_FALSE(result);
            CHECK_THAT(result.error().message(),
                       Catch::Contains("fake-plugin.sh needs an interactive terminal") &&
                           Catch::Contains("interactiveMode: Always"));
            CHECK(lines_in(count_file) == 0);
        }
    }
    ::unsetenv("FAKE_PLUGIN_COUNT_FILE");
    std::filesystem::remove(count_file);
}

TEST_CASE("Client::prefetch_credentials") {
    auto connection = exec_connection();
    const auto count_file = std::filesystem::temp_directory_path() /
                            ("mirrord-prefetch-" + std::to_string(::getpid()));
    std::filesystem::remove(count_file);
    ::setenv("FAKE_PLUGIN_COUNT_FILE", count_file.c_str(), 1);
    // No request is sent: the server (10.0.0.1) is never contacted.
    SECTION("runs the plugin once and caches what it returned") {
        auto client = Client::create(connection);
        REQUIRE(client);
        CHECK(lines_in(count_file) == 0); // creating a client fetches nothing
        REQUIRE((*client)->prefetch_credentials());
        REQUIRE((*client)->prefetch_credentials());
        CHECK(lines_in(count_file) == 1);
    }
    SECTION("a failing plugin is an error naming the context and the plugin") {
        ::setenv("FAKE_PLUGIN_FAIL", "1", 1);
        auto client = Client::create(connection);
        REQUIRE(client);
        auto fetched = (*client)->prefetch_credentials();
        ::unsetenv("FAKE_PLUGIN_FAIL");
        REQUIRE_FALSE(fetched);
        CHECK_THAT(fetched.error().message(),
                   Catch::StartsWith("fetching the credentials of context \"v1\"") &&
                       Catch::Contains("fake-plugin.sh: exited with status 3"));
    }
    ::unsetenv("FAKE_PLUGIN_COUNT_FILE");
    std::filesystem::remove(count_file);
}

TEST_CASE("exec plugin in a background job") {
    // `mirrord ... &` on a terminal: stdin is the terminal but a read from it stops the reader
    // (SIGTTIN), so a prompting plugin would hang the request for the plugin timeout (120 s).
    // mirrord runs in a background process group of a session whose controlling terminal is a
    // pty, against a server it never reaches: only the credential fetch is exercised.
    const auto dir = std::filesystem::temp_directory_path() /
                     ("mirrord-bg-plugin-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string plugin = (dir / "plugin.sh").string();
    std::ofstream(plugin) << "#!/bin/sh\necho 'password?' >&2\nread answer\n"
                             "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                             "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\"}}'\n";
    std::filesystem::permissions(plugin, std::filesystem::perms::owner_all);
    const std::string kubeconfig = (dir / "config").string();
    std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: "
                                 "{server: 'https://10.255.255.1:6443'}\nusers:\n- name: u\n  user:\n"
                                 "    exec: {apiVersion: client.authentication.k8s.io/v1, command: "
                              << plugin
                              << ", interactiveMode: Always}\ncontexts:\n- name: c\n  context: "
                                 "{cluster: c, user: u, namespace: default}\ncurrent-context: c\n";
    const std::string err_path = (dir / "stderr").string();

    int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    const std::string slave_name = ::ptsname(master);
    const std::string env_kubeconfig = "KUBECONFIG=" + kubeconfig;
    const std::string binary = MIRRORD_BINARY;
    char* const argv[] = {const_cast<char*>(binary.c_str()), const_cast<char*>("ls"), nullptr};
    char* const envp[] = {const_cast<char*>(env_kubeconfig.c_str()), nullptr};
    const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(err_fd >= 0);
    int job_pipe[2];
    REQUIRE(::pipe(job_pipe) == 0);

    // Only async-signal-safe calls after fork: a session leader owning the pty, and mirrord in
    // a second process group of that session, i.e. a background job.
    const pid_t leader = ::fork();
    REQUIRE(leader >= 0);
    if (leader == 0) {
        ::setsid();
        const int slave = ::open(slave_name.c_str(), O_RDWR);
        if (slave < 0 || ::ioctl(slave, TIOCSCTTY, 0) != 0)
            ::_exit(100);
        const pid_t job = ::fork();
        if (job == 0) {
            ::setpgid(0, 0);
            ::dup2(slave, STDIN_FILENO);
            ::dup2(slave, STDOUT_FILENO);
            ::dup2(err_fd, STDERR_FILENO);
            ::execve(argv[0], argv, envp);
            ::_exit(101);
        }
        if (::write(job_pipe[1], &job, sizeof job) != sizeof job)
            ::_exit(103);
        int status = 0;
        const pid_t waited = ::waitpid(job, &status, WUNTRACED);
        if (waited == job && WIFEXITED(status))
            ::_exit(WEXITSTATUS(status));
        // Stopped (SIGTTIN reaches the reader's whole process group, mirrord included) or
        // killed: the hang this test is about.
        ::kill(-job, SIGKILL);
        ::_exit(102);
    }
    ::close(err_fd);
    ::close(job_pipe[1]);
    pid_t job = 0;
    REQUIRE(::read(job_pipe[0], &job, sizeof job) == sizeof job);
    ::close(job_pipe[0]);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    pid_t done = 0;
    while ((done = ::waitpid(leader, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (done == 0) { // mirrord still waits for the stopped plugin: end them by their group
        ::kill(-job, SIGKILL);
        ::kill(leader, SIGKILL);
        ::waitpid(leader, &status, 0);
    }
    ::close(master);
    auto err = read_file(err_path);
    INFO((err ? *err : std::string()));
    CHECK(done == leader);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1); // 102: mirrord was stopped by SIGTTIN
    REQUIRE(err);
    CHECK_THAT(*err, Catch::Contains("plugin.sh needs an interactive terminal") &&
                         Catch::Contains("not one in the foreground"));
    std::filesystem::remove_all(dir);
}

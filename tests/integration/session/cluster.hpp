#pragma once
// What the session integration tests share: clients for the real test cluster (scripts/testenv),
// a Deployment whose pods kwok runs, session Leases, and running the real mirrord binary; a
// fresh namespace per test and polling with a deadline come from tests/integration/support.
// Header-only: tests/CMakeLists.txt compiles *_test.cpp only.

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "common/kube/rest_client.hpp"
#include "common/kube/resources.hpp"
#include "common/session/lease.hpp"
#include "common/session/scale_down.hpp"
#include "tests/integration/support/test_namespace.hpp"
#include "tests/integration/support/wait.hpp"

namespace mirrord::testing {

using json = nlohmann::json;
using namespace std::chrono_literals;

// $NAME, else the testenv's file in $TESTENV_RUN_DIR (a shared testenv), else under this
// tree's run/testenv (what `scripts/testenv env` exports).
inline std::string testenv_file(const char* variable, const char* file) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0')
        return value;
    const char* run_dir = std::getenv("TESTENV_RUN_DIR");
    if (run_dir != nullptr && *run_dir != '\0')
        return std::string(run_dir) + "/" + file;
    return std::string(MIRRORD_SOURCE_DIR) + "/run/testenv/" + file;
}

// The admin kubeconfig (system:masters).
inline std::string admin_kubeconfig() { return testenv_file("KUBECONFIG", "kubeconfig"); }
// The kubeconfig of user `dev`, who has no RBAC rights until a test binds some.
inline std::string dev_kubeconfig() {
    return testenv_file("TESTENV_KUBECONFIG_DEV", "kubeconfig-dev");
}

// A client for `kubeconfig` with `namespace_` as its default namespace; fails the test with a
// hint when the test environment is not running.
inline std::unique_ptr<kube::Client> connect(const std::string& kubeconfig,
                                             const std::string& namespace_ = "default") {
    kube::KubeOptions options;
    options.kubeconfig = kubeconfig;
    options.namespace_ = namespace_;
    auto client = kube::Client::connect(options);
    if (!client)
        FAIL("cannot use the test cluster (scripts/testenv up): " << client.error().message());
    return std::move(*client);
}

// A Deployment `name` with `replicas` pods (label app=<name>, container "app"); kwok makes them
// Running. Returns once all replicas are ready.
inline json create_deployment(kube::Client& client, const std::string& namespace_,
                              const std::string& name, int replicas) {
    json labels = {{"app", name}};
    json deployment = {
        {"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"metadata", {{"name", name}, {"namespace", namespace_}}},
        {"spec",
         {{"replicas", replicas},
          {"selector", {{"matchLabels", labels}}},
          {"template",
           {{"metadata", {{"labels", labels}}},
            {"spec",
             {{"containers",
               json::array({{{"name", "app"},
                             {"image", "example/app:1"},
                             {"command", json::array({"python3", "app.py"})},
                             {"readinessProbe", {{"exec", {{"command", {"true"}}}}}}}})}}}}}}}};
    auto created = client.create(kube::kinds::deployment.collection(namespace_), deployment);
    if (!created)
        FAIL("creating deployment " << name << ": " << created.error().message());
    auto path = kube::kinds::deployment.object(namespace_, name);
    bool ready = wait_until(30s, [&] {
        auto current = client.get(path);
        return current && (*current)["status"].value("readyReplicas", 0) == replicas;
    });
    if (!ready)
        FAIL("deployment " << name << " did not get " << replicas << " ready replicas in 30 s");
    return *client.get(path);
}

// A session Lease as `exec` creates it, for target deployment/<target>/container/app.
inline session::SessionLease create_session(kube::Client& client, const std::string& namespace_,
                                            const std::string& target, int lease_seconds = 15) {
    session::SessionSpec spec;
    spec.target = "deployment/" + target + "/container/app";
    spec.owner = "tester@it-host";
    spec.pid = 4242;
    spec.features = {"copy_target", "scale_down"};
    spec.lease_seconds = lease_seconds;
    auto lease = session::SessionLease::create(client, namespace_, spec);
    if (!lease)
        FAIL("creating a session lease: " << lease.error().message());
    return std::move(*lease);
}

// What `exec` tells scale_down: a holder is gone when its Lease is missing or stale.
inline session::HolderIsGone holder_is_gone(kube::Client& client, const std::string& namespace_) {
    return [&client, namespace_](const std::string& id) {
        auto lease = client.get_optional(
            kube::kinds::lease.object(namespace_, session::lease_name(id)));
        if (!lease || !lease->has_value())
            return lease.ok(); // an API error is not proof that the holder is gone
        auto record = session::record_from_lease(**lease);
        // 1 s later than the local clock says: mirrord's ApiClock learns the apiserver's time from
        // the Date header (1 s resolution, so within 0.5 s), and a test that waits for a 1 s
        // Lease to go stale must not ask mirrord before mirrord agrees it is.
        using namespace std::chrono_literals;
        return !record || record->stale(session::ApiClock::local_now() - 1s);
    };
}

// The output and exit code of one mirrord run.
struct RunResult {
    int exit_code = -1;
    std::string out, err;
};

inline std::string read_all(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// Runs the mirrord binary with `args` (each one single-quoted for the shell) and KUBECONFIG set
// to `kubeconfig`.
inline RunResult run_mirrord(const std::string& kubeconfig, const std::vector<std::string>& args) {
    auto dir = std::filesystem::temp_directory_path() / ("mirrord-it-" + session::new_session_id());
    std::filesystem::create_directories(dir);
    std::string command = "KUBECONFIG='" + kubeconfig + "' '" + MIRRORD_BINARY + "'";
    for (const auto& arg : args)
        command += " '" + arg + "'";
    command += " >'" + (dir / "out").string() + "' 2>'" + (dir / "err").string() + "'";
    int status = std::system(command.c_str());
    RunResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_all(dir / "out"),
                     read_all(dir / "err")};
    std::filesystem::remove_all(dir);
    return result;
}

} // namespace mirrord::testing

#pragma once
// What the queue-splitting config tests share: kubectl against the test cluster, mirrord's CRDs
// installed (cluster-scoped and shared by every test: applied, never deleted), and the guide's
// CRs in a test's own namespaces. Header-only: tests/CMakeLists.txt compiles *_test.cpp only.

#include <cstdio>
#include <string>

#include "tests/integration/session/cluster.hpp"

namespace mirrord::testing {

// Output and status of a shell command line run with KUBECONFIG=`kubeconfig` (kubectl on PATH
// from `scripts/testenv env`); `line` may end in a here-document.
inline RunResult run_shell(const std::string& kubeconfig, const std::string& line) {
    auto dir = std::filesystem::temp_directory_path() / ("mirrord-it-" + session::new_session_id());
    std::filesystem::create_directories(dir);
    std::string command = "export KUBECONFIG='" + kubeconfig + "'; { " + line + "\n} >'" +
                          (dir / "out").string() + "' 2>'" + (dir / "err").string() + "'";
    int status = std::system(command.c_str());
    RunResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_all(dir / "out"),
                     read_all(dir / "err")};
    std::filesystem::remove_all(dir);
    return result;
}

inline std::string source_path(const std::string& relative) {
    return std::string(MIRRORD_SOURCE_DIR) + "/" + relative;
}

// `mirrord operator setup [--namespace config_namespace] | kubectl apply -f -` as admin: the CRDs
// (idempotent), the config namespace and its Role, and the developer Role, applied with `-n` into
// the config namespace: never into `default`, where other tests check that `dev` is refused.
// Waits until the CRDs are served.
inline void apply_setup(const std::string& config_namespace = "mirrord") {
    auto applied = run_shell(admin_kubeconfig(),
                             std::string("'") + MIRRORD_BINARY + "' operator setup --namespace '" +
                                 config_namespace + "' | kubectl apply -n '" + config_namespace +
                                 "' -f - && kubectl wait "
                                 "--for condition=established --timeout=30s "
                                 "crd/mirrordkafkaclientconfigs.queues.mirrord.metalbear.co "
                                 "crd/mirrordkafkatopicsconsumers.queues.mirrord.metalbear.co");
    INFO(applied.out << applied.err);
    REQUIRE(applied.exit_code == 0);
}

// configs/rbac/role.yaml and rolebinding.yaml in `namespace_` (the target's), for user dev.
inline void apply_developer_role(const std::string& namespace_) {
    auto applied = run_shell(admin_kubeconfig(),
                             "kubectl apply -n '" + namespace_ + "' -f '" +
                                 source_path("configs/rbac/role.yaml") + "' -f '" +
                                 source_path("configs/rbac/rolebinding.yaml") + "'");
    INFO(applied.out << applied.err);
    REQUIRE(applied.exit_code == 0);
}

} // namespace mirrord::testing

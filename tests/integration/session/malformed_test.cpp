// Malformed cluster data never crashes mirrord: ledgers and Leases that someone edited are
// reported as such, naming the object and key, by `ls`, `reset`, `operator status`, `exec` and
// the guardian, and nothing else in the cluster changes.

#include "background.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

void annotate(kube::Client& client, const std::string& namespace_, const std::string& value) {
    REQUIRE(client.merge_patch(kube::kinds::deployment.object(namespace_, "consumer"),
                               {{"metadata",
                                 {{"annotations", {{session::scale_down_annotation, value}}}}}}));
}

// No crash: no "internal", no abort (134), a normal exit code.
void check_no_crash(const RunResult& run) {
    CHECK(run.err.find("internal") == std::string::npos);
    CHECK(run.err.find("terminate called") == std::string::npos);
    CHECK((run.exit_code == 0 || run.exit_code == 1));
}

} // namespace

TEST_CASE("malformed scale-down ledgers", "[session][exec]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 2);
    auto dir = temp_dir("mirrord-bad");
    auto config = write_scale_down_config(dir, ns.name(), "deployment/consumer/container/app");
    auto ledger = GENERATE(as<std::string>{}, R"({"replicas": 3, "session": 5})", "{not json",
                           R"({"replicas": 99999999999999999999, "session": "1a2b3c4d"})",
                           R"({"session": "1a2b3c4d"})", R"({"replicas": 3, "session": "../x"})");
    INFO("ledger " << ledger);
    annotate(*admin, ns.name(), ledger);
    const auto named = fmt::format("{}/consumer: annotation mirrord.dev/scale-down: malformed",
                                   ns.name());

    auto ls = run_mirrord(admin_kubeconfig(), {"ls", "-n", ns.name()});
    INFO("ls: " << ls.err);
    check_no_crash(ls);
    CHECK(ls.exit_code == 0);
    CHECK(json::parse(ls.out).is_array());
    CHECK(ls.err.find(named) != std::string::npos);

    auto reset = run_mirrord(admin_kubeconfig(), {"reset", "-n", ns.name()});
    INFO("reset: " << reset.err);
    check_no_crash(reset);
    CHECK(reset.exit_code == 1);
    CHECK(reset.err.find(named) != std::string::npos);

    auto status = run_mirrord(admin_kubeconfig(), {"operator", "status", "-n", ns.name()});
    INFO("status: " << status.err);
    check_no_crash(status);
    CHECK(status.exit_code == 0);
    CHECK(status.err.find(named) != std::string::npos);

    auto exec = run_mirrord(admin_kubeconfig(), {"exec", "-f", config, "--", "true"});
    INFO("exec: " << exec.err);
    check_no_crash(exec);
    CHECK(exec.exit_code == 1);
    CHECK(exec.err.find(named) != std::string::npos);
    CHECK(session::list_sessions(*admin, ns.name())->empty());

    SECTION("the guardian undoes its own session next to a malformed ledger") {
        auto lease = create_session(*admin, ns.name(), "consumer");
        // The guardian's parent: a process that is already gone when it looks.
        auto guardian = run_mirrord(admin_kubeconfig(),
                                    {"session-guardian", "--parent", "1", "--namespace", ns.name(),
                                     "--session", lease.record().id});
        INFO("guardian: " << guardian.err);
        check_no_crash(guardian);
        CHECK(guardian.exit_code == 0);
        CHECK(session::list_sessions(*admin, ns.name())->empty());
    }
    // Nothing was changed: the workload keeps its replicas and the (bad) annotation.
    CHECK(replicas_of(*admin, ns.name()) == 2);
    auto deployment = admin->get(kube::kinds::deployment.object(ns.name(), "consumer"));
    REQUIRE(deployment);
    CHECK((*deployment)["metadata"]["annotations"][session::scale_down_annotation] == ledger);
    std::filesystem::remove_all(dir);
}

TEST_CASE("malformed session Leases", "[session][exec]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 2);
    auto dir = temp_dir("mirrord-bad");
    auto config = write_scale_down_config(dir, ns.name(), "deployment/consumer/container/app");
    // What the apiserver's own validation lets through: huge durations, label values that are
    // no session id, no times at all, pids that are not numbers.
    auto variant = GENERATE(as<std::string>{}, "duration", "label", "name", "no-times", "pids");
    INFO("lease variant " << variant);
    json spec = {{"holderIdentity", "ann@laptop/4242"},
                 {"leaseDurationSeconds", 15},
                 {"renewTime", session::micro_time(session::Clock::now() - 60s)}};
    std::string id = "badbad01", key;
    json annotations = {{"mirrord.dev/target", "deployment/consumer/container/app"}};
    if (variant == "duration") {
        spec["leaseDurationSeconds"] = 2147483647;
        key = "spec.leaseDurationSeconds";
    } else if (variant == "label") {
        id = "Bad_Id";
        key = "metadata.labels.mirrord.dev/session";
    } else if (variant == "name") {
        id = "badbad02";
        key = "metadata.name";
    } else if (variant == "no-times") {
        spec.erase("renewTime");
        key = "spec.renewTime";
    } else {
        annotations["mirrord.dev/pid"] = "x";
        annotations["mirrord.dev/child-pid"] = "99999999999999999999";
    }
    json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata",
                   {{"name", "mirrord-session-badbad01"},
                    {"namespace", ns.name()},
                    {"labels",
                     {{session::managed_by_label, "mirrord"}, {session::session_label, id}}},
                    {"annotations", annotations}}},
                  {"spec", spec}};
    REQUIRE(admin->create(kube::kinds::lease.collection(ns.name()), lease));
    const auto lease_path = kube::kinds::lease.object(ns.name(), "mirrord-session-badbad01");
    auto named = key.empty() ? std::string()
                             : fmt::format("session lease {}/mirrord-session-badbad01: {}",
                                           ns.name(), key);

    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"ls", "-n", ns.name()},
          std::vector<std::string>{"reset", "-n", ns.name()},
          std::vector<std::string>{"operator", "status", "-n", ns.name()},
          std::vector<std::string>{"exec", "-f", config, "--", "true"}}) {
        auto run = run_mirrord(admin_kubeconfig(), args);
        INFO(args[0] << ": " << run.err);
        check_no_crash(run);
        if (!named.empty())
            CHECK(run.err.find(named) != std::string::npos);
    }
    // The readable-but-odd Lease (bad pids only) was stale: reset undid it; the others stay.
    auto left = admin->get_optional(lease_path);
    REQUIRE(left);
    CHECK(left->has_value() == !named.empty());
    CHECK(replicas_of(*admin, ns.name()) == 2);
    // The guardian of session badbad01 undoes it however its Lease was edited.
    auto guardian = run_mirrord(admin_kubeconfig(), {"session-guardian", "--parent", "1",
                                                     "--namespace", ns.name(), "--session",
                                                     "badbad01"});
    INFO("guardian: " << guardian.err);
    check_no_crash(guardian);
    CHECK(guardian.exit_code == 0);
    auto after = admin->get_optional(lease_path);
    REQUIRE(after);
    CHECK_FALSE(after->has_value());
    std::filesystem::remove_all(dir);
}

// A session that lost its Lease stops its app: `mirrord reset --all` (or another machine) undid
// it while `exec` ran, so the app must not go on consuming next to the restored workload.

#include "background.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {


// A child that notes its start and a SIGTERM in `file`, then exits 0 on SIGTERM.
std::vector<std::string> recording_child(const std::filesystem::path& file) {
    return {"sh", "-c",
            "trap 'echo term >> " + file.string() + "; exit 0' TERM; echo started >> " +
                file.string() + "; while true; do sleep 0.1; done"};
}

} // namespace

TEST_CASE("exec whose session Lease is lost", "[session][exec]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 2);
    auto dir = temp_dir("mirrord-loss");
    auto config = write_scale_down_config(dir, ns.name(), "deployment/consumer/container/app");
    auto marker = dir / "child";
    std::vector<std::string> args = {"exec", "-f", config, "--"};
    auto child = recording_child(marker);
    args.insert(args.end(), child.begin(), child.end());
    Background exec(admin_kubeconfig(), args);
    REQUIRE(wait_until(60s, [&] { return read_all(marker).find("started") != std::string::npos; }));
    REQUIRE(replicas_of(*admin, ns.name()) == 0);

    SECTION("reset --all from elsewhere: exec says so once, stops the app and exits 1") {
        auto reset = run_mirrord(admin_kubeconfig(), {"reset", "--all", "-n", ns.name()});
        REQUIRE(reset.exit_code == 0);
        CHECK(replicas_of(*admin, ns.name()) == 2);
        // Renewal runs every 2 s: the loss is seen within a few seconds.
        int code = exec.wait(15s);
        CHECK(code == 1);
        CHECK(read_all(marker).find("term") != std::string::npos);
        auto err = exec.err();
        INFO(err);
        auto said = err.find("was deleted");
        REQUIRE(said != std::string::npos);
        CHECK(err.find("was deleted", said + 1) == std::string::npos); // once
        CHECK(err.find("stopping sh") != std::string::npos);
        CHECK(replicas_of(*admin, ns.name()) == 2);
    }
    SECTION("a Lease taken over by another holder: the app stops, the Lease stays theirs") {
        auto record = only_session(*admin, ns.name());
        REQUIRE(record);
        auto path = kube::kinds::lease.object(ns.name(), record->lease_name);
        REQUIRE(admin->merge_patch(path, {{"spec", {{"holderIdentity", "agent@cluster/1"}}}}));
        CHECK(exec.wait(15s) == 1);
        CHECK(read_all(marker).find("term") != std::string::npos);
        INFO(exec.err());
        CHECK(exec.err().find("held by \"agent@cluster/1\"") != std::string::npos);
        auto lease = admin->get_optional(path);
        REQUIRE(lease);
        CHECK(lease->has_value());
        // exec still undid its own changes: its ledger and scale-down.
        CHECK(replicas_of(*admin, ns.name()) == 2);
    }
    std::filesystem::remove_all(dir);
}

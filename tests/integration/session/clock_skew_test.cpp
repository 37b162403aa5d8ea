// Staleness is judged by the apiserver's clock: two machines whose clocks are 20 s apart must
// not reap each other's live sessions, while a really stale session is still reaped.
// MIRRORD_TEST_CLOCK_SKEW_SECONDS (test only) shifts one mirrord process's clock.

#include "background.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {


} // namespace

TEST_CASE("sessions on machines with skewed clocks", "[session][exec]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 2);
    auto dir = temp_dir("mirrord-skew");
    auto config = write_scale_down_config(dir, ns.name(), "deployment/consumer/container/app");
    auto skew = GENERATE(as<std::string>{}, "-20", "20");
    INFO("exec's clock is skewed by " << skew << " s");
    auto marker = dir / "child";
    Background exec(admin_kubeconfig(),
                    {"exec", "-f", config, "--", "sh", "-c",
                     "echo started > " + marker.string() + "; sleep 60"},
                    {{"MIRRORD_TEST_CLOCK_SKEW_SECONDS", skew}});
    REQUIRE(wait_until(60s, [&] { return !read_all(marker).empty(); }));
    auto session = only_session(*admin, ns.name());
    REQUIRE(session);
    // Wait for a renewal, so the judged renewTime is one exec wrote while running.
    REQUIRE(wait_until(10s, [&] {
        auto now = only_session(*admin, ns.name());
        return now && now->renewed > session->renewed;
    }));

    // Judged by an unskewed process, and by one skewed the other way.
    for (const std::string& other : {std::string("0"), std::to_string(-std::stoi(skew))}) {
        INFO("reset with a clock skewed by " << other << " s");
        Background reset(admin_kubeconfig(), {"reset", "-n", ns.name()},
                         {{"MIRRORD_TEST_CLOCK_SKEW_SECONDS", other}});
        CHECK(reset.wait(30s) == 0);
        CHECK(reset.out() == "nothing to reset\n");
        CHECK(only_session(*admin, ns.name()));
        CHECK(replicas_of(*admin, ns.name()) == 0);
    }
    {
        // `ls` and `operator status` use the same rule.
        Background status(admin_kubeconfig(), {"operator", "status", "-n", ns.name(), "-o", "json"},
                          {{"MIRRORD_TEST_CLOCK_SKEW_SECONDS", std::to_string(-std::stoi(skew))}});
        REQUIRE(status.wait(30s) == 0);
        auto rows = json::parse(status.out());
        REQUIRE(rows.size() == 1);
        CHECK(rows[0]["state"] == "active");
    }

    SECTION("a really stale session is still reaped") {
        auto stale = create_session(*admin, ns.name(), "other");
        auto old = session::micro_time(session::Clock::now() - 60s);
        REQUIRE(admin->merge_patch(kube::kinds::lease.object(ns.name(), stale.record().lease_name),
                                   {{"spec", {{"renewTime", old}}}}));
        Background reset(admin_kubeconfig(), {"reset", "-n", ns.name()},
                         {{"MIRRORD_TEST_CLOCK_SKEW_SECONDS", skew}});
        REQUIRE(reset.wait(30s) == 0);
        CHECK(reset.out() == fmt::format("deleted session lease {}/{}\n", ns.name(),
                                         stale.record().lease_name));
        CHECK(only_session(*admin, ns.name())); // exec's session is still there
    }
    exec.signal(SIGTERM);
    CHECK(exec.wait(30s) == 143);
    CHECK(replicas_of(*admin, ns.name()) == 2);
    std::filesystem::remove_all(dir);
}

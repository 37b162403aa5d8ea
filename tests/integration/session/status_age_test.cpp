// `mirrord operator status` shows a session's age by the apiserver's clock: a machine whose
// clock is off by hours still shows a session started a moment ago as seconds old. The status
// process's clock is shifted both ways: MIRRORD_TEST_CLOCK_SKEW_SECONDS shifts what ApiClock
// reads, tests/tools/clock_shift.cpp (LD_PRELOAD) the whole process's wall clock, which is what
// code reading std::chrono::system_clock directly sees.

#include <regex>

#include "background.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

// The Age cell of the one session row of `operator status`'s table.
std::string age_cell(const std::string& table) {
    std::smatch match;
    // | target | namespace | copy pods | scale down | session | user | age | state |
    static const std::regex row(R"(\| deployment/\S+ +\|[^\n]*\| (\S+) +\| active +\|)");
    return std::regex_search(table, match, row) ? match[1].str() : "(no row)";
}

} // namespace

TEST_CASE("operator status ages by the apiserver's clock", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    auto session = create_session(*admin, ns.name(), "consumer", 600);
    // Ahead only: behind by hours, the testenv's fresh certificates would not be valid yet (and
    // a negative age shows as 0s anyway).
    auto skew = GENERATE(as<std::string>{}, "0", "7200");
    auto how =
        GENERATE(as<std::string>{}, "MIRRORD_TEST_CLOCK_SKEW_SECONDS", "CLOCK_SHIFT_SECONDS");
    INFO("operator status's clock is skewed by " << skew << " s with " << how);
    std::map<std::string, std::string> env = {{how, skew}};
    if (how == "CLOCK_SHIFT_SECONDS")
        env["LD_PRELOAD"] = MIRRORD_CLOCK_SHIFT_LIBRARY;
    Background status(admin_kubeconfig(), {"operator", "status", "-n", ns.name()}, env);
    REQUIRE(status.wait(30s) == 0);
    INFO(status.out() << status.err());
    auto age = age_cell(status.out());
    // Created just now: a few seconds at most, whatever this machine's clock says.
    REQUIRE(std::regex_match(age, std::regex("[0-9]+s")));
    CHECK(std::stoi(age) < 60);
}

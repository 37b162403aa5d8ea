#include <catch2/catch.hpp>

#include "common/session/api_clock.hpp"
#include "common/session/lease.hpp"
#include "common/session/liveness.hpp"

using namespace mirrord;
using namespace std::chrono_literals;

TEST_CASE("ApiClock", "[session]") {
    SECTION("an HTTP Date parses to the second, and other text does not") {
        session::Clock::time_point time;
        REQUIRE(session::ApiClock::parse_http_date("Wed, 25 Nov 2026 15:20:00 GMT", time));
        CHECK(session::micro_time(time) == "2026-11-25T15:20:00.000000Z");
        CHECK_FALSE(session::ApiClock::parse_http_date("", time));
        CHECK_FALSE(session::ApiClock::parse_http_date("2026-11-25T15:20:00Z", time));
        CHECK_FALSE(session::ApiClock::parse_http_date("Wed, 25 Nov 2026 15:20:00 GMT x", time));
    }
    SECTION("now() follows the apiserver's Date, whatever the local clock says") {
        session::ApiClock clock;
        CHECK_FALSE(clock.known());
        // The apiserver is 20 s behind this machine.
        auto local = session::ApiClock::local_now();
        auto server = local - 20s;
        auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(server);
        std::time_t t = session::Clock::to_time_t(seconds);
        std::tm utc{};
        gmtime_r(&t, &utc);
        char date[64];
        std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &utc);
        clock.observe(date, local);
        REQUIRE(clock.known());
        auto error = clock.now() - server;
        CHECK(error > -1500ms);
        CHECK(error < 1500ms);
        clock.observe("garbage", local); // ignored: the offset stays
        CHECK(clock.now() - server < 1500ms);
    }
}

TEST_CASE("classify", "[session]") {
    auto renewed = session::Clock::now();
    auto record = [&](const std::string& id, session::Clock::time_point at) {
        session::SessionRecord r;
        r.id = id;
        r.namespace_ = "team";
        r.target = "deployment/consumer/container/app";
        r.renewed = at;
        return r;
    };
    session::SessionList sessions{{record("aaaa", renewed), record("bbbb", renewed - 60s)},
                                  {"session lease team/x: spec.renewTime: ..."}};
    session::ScaleTarget workload{kube::kinds::deployment, "team", "consumer"};
    session::LedgerList ledgers{{{workload, {3, "aaaa", {}, {}}}, {workload, {2, "cccc", {}, {}}}},
                                {"deployment team/y: annotation ..."}};
    session::ApiClock clock; // no Date seen: the local clock
    auto census = session::classify(sessions, ledgers, clock);
    SECTION("a fresh Lease is live, an old one dead, a ledger without Lease orphaned") {
        REQUIRE(census.live.size() == 1);
        CHECK(census.live[0].id == "aaaa");
        REQUIRE(census.dead.size() == 1);
        CHECK(census.dead[0].id == "bbbb");
        REQUIRE(census.held.size() == 1);
        CHECK(census.held[0].second.session == "aaaa");
        REQUIRE(census.orphans.size() == 1);
        CHECK(census.orphans[0].second.session == "cccc");
        CHECK(census.malformed.size() == 2);
    }
    SECTION("target filters match the object with or without its container") {
        CHECK(session::target_matches("deployment/consumer/container/app", "deployment/consumer"));
        CHECK(session::target_matches("deployment/consumer", "deployment/consumer/container/app"));
        CHECK(session::target_matches("deployment/consumer", ""));
        CHECK_FALSE(session::target_matches("deployment/consumer-2", "deployment/consumer"));
        CHECK(session::target_path(workload) == "deployment/consumer");
    }
}

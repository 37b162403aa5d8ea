#include <catch2/catch.hpp>

#include "common/session/lease.hpp"

using namespace mirrord;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

json lease(const std::string& renew_time, int duration = 15) {
    return {{"apiVersion", "coordination.k8s.io/v1"},
            {"kind", "Lease"},
            {"metadata",
             {{"name", "mirrord-session-1a2b3c4d"},
              {"namespace", "team"},
              {"uid", "u-1"},
              {"labels",
               {{session::managed_by_label, "mirrord"}, {session::session_label, "1a2b3c4d"}}},
              {"annotations",
               {{"mirrord.dev/target", "deployment/kafka-consumer/container/consumer"},
                {"mirrord.dev/owner", "ann@laptop"},
                {"mirrord.dev/host", "laptop"},
                {"mirrord.dev/pid", "4242"},
                {"mirrord.dev/features", "copy_target,scale_down"}}}}},
            {"spec",
             {{"holderIdentity", "ann@laptop/4242"},
              {"leaseDurationSeconds", duration},
              {"acquireTime", "2026-11-25T15:20:00.000000Z"},
              {"renewTime", renew_time}}}};
}

} // namespace

TEST_CASE("micro_time and parse_time", "[session]") {
    SECTION("a time survives the round trip to the microsecond") {
        auto time = session::Clock::time_point(std::chrono::microseconds(1795620000123456));
        auto text = session::micro_time(time);
        CHECK(text == "2026-11-25T15:20:00.123456Z");
        CHECK(session::parse_time(text) == time);
    }
    SECTION("the current time survives the round trip, cut to microseconds") {
        auto now = std::chrono::time_point_cast<std::chrono::microseconds>(session::Clock::now());
        CHECK(session::parse_time(session::micro_time(now)) == now);
    }
    SECTION("RFC 3339 without fraction and with short fractions parse") {
        auto whole = session::parse_time("2026-11-25T15:20:00Z");
        REQUIRE(whole);
        CHECK(session::parse_time("2026-11-25T15:20:00.5Z") == *whole + 500ms);
    }
    SECTION("text that is not a UTC timestamp does not parse") {
        CHECK_FALSE(session::parse_time(""));
        CHECK_FALSE(session::parse_time("yesterday"));
        CHECK_FALSE(session::parse_time("2026-11-25T15:20:00+01:00"));
    }
}

TEST_CASE("record_from_lease", "[session]") {
    SECTION("reads the session's spec from labels, annotations and spec") {
        auto record = session::record_from_lease(lease("2026-11-25T15:20:10.000000Z"));
        REQUIRE(record);
        CHECK(record->id == "1a2b3c4d");
        CHECK(record->namespace_ == "team");
        CHECK(record->lease_name == "mirrord-session-1a2b3c4d");
        CHECK(record->uid == "u-1");
        CHECK(record->target == "deployment/kafka-consumer/container/consumer");
        CHECK(record->owner == "ann@laptop");
        CHECK(record->host == "laptop");
        CHECK(record->pid == 4242);
        CHECK(record->features == std::vector<std::string>{"copy_target", "scale_down"});
        CHECK(record->lease_seconds == 15);
        CHECK(record->renewed - record->started == 10s);
    }
    SECTION("a Lease that mirrord did not make is not a session") {
        auto other = lease("2026-11-25T15:20:10Z");
        other["metadata"]["labels"].erase(session::managed_by_label);
        CHECK_FALSE(session::record_from_lease(other));
        other = lease("2026-11-25T15:20:10Z");
        other["metadata"]["labels"].erase(session::session_label);
        CHECK_FALSE(session::record_from_lease(other));
        CHECK_FALSE(session::record_from_lease(json::object()));
    }
    SECTION("without renewTime the acquire time counts as the last renewal") {
        auto record = session::record_from_lease(lease(""));
        REQUIRE(record);
        CHECK(record->renewed == record->started);
    }
}

TEST_CASE("SessionRecord::stale", "[session]") {
    auto record = *session::record_from_lease(lease("2026-11-25T15:20:10.000000Z", 15));
    SECTION("fresh until renewTime + leaseDurationSeconds has passed") {
        CHECK_FALSE(record.stale(record.renewed));
        CHECK_FALSE(record.stale(record.renewed + 15s));
        CHECK(record.stale(record.renewed + 15s + 1ms));
    }
    SECTION("a short lease goes stale sooner") {
        auto short_lease = *session::record_from_lease(lease("2026-11-25T15:20:10Z", 1));
        CHECK(short_lease.stale(short_lease.renewed + 2s));
    }
}

TEST_CASE("session names", "[session]") {
    SECTION("ids are 8 lowercase hex digits and differ between calls") {
        auto id = session::new_session_id();
        CHECK(id.size() == 8);
        CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
        CHECK(session::new_session_id() != session::new_session_id());
    }
    SECTION("the Lease is named after the id") {
        CHECK(session::lease_name("1a2b3c4d") == "mirrord-session-1a2b3c4d");
    }
}

// Objects read from the apiserver can be edited by anyone with access: a malformed scale-down
// ledger or session Lease is an error that names the object and key, never an exception.

#include <catch2/catch.hpp>

#include "common/session/lease.hpp"
#include "common/session/scale_down.hpp"

using namespace mirrord;
using json = nlohmann::json;

namespace {

json deployment_with_ledger(const json& annotation) {
    return {{"metadata",
             {{"name", "consumer"},
              {"namespace", "team"},
              {"annotations", {{session::scale_down_annotation, annotation}}}}},
            {"spec", {{"replicas", 0}}}};
}

json session_lease() {
    return {{"metadata",
             {{"name", "mirrord-session-1a2b3c4d"},
              {"namespace", "team"},
              {"uid", "u-1"},
              {"labels",
               {{session::managed_by_label, "mirrord"}, {session::session_label, "1a2b3c4d"}}},
              {"annotations", {{"mirrord.dev/target", "deployment/consumer"}}}}},
            {"spec",
             {{"holderIdentity", "ann@laptop/4242"},
              {"leaseDurationSeconds", 15},
              {"acquireTime", "2026-11-25T15:20:00.000000Z"},
              {"renewTime", "2026-11-25T15:20:10.000000Z"}}}};
}

} // namespace

TEST_CASE("parse_ledger with malformed ledgers", "[session]") {
    // {annotation value, what the error must name}
    const std::vector<std::pair<json, std::string>> table = {
        {R"({"replicas": 3, "session": 5})", "\"session\""},     // the issue's crash
        {R"({"replicas": "3", "session": "1a2b3c4d"})", "\"replicas\""},
        {R"({"session": "1a2b3c4d"})", "\"replicas\""},         // missing
        {R"({"replicas": 3})", "\"session\""},                  // missing
        {R"({"replicas": 3.5, "session": "1a2b3c4d"})", "\"replicas\""},
        {R"({"replicas": -1, "session": "1a2b3c4d"})", "\"replicas\""},
        {R"({"replicas": 99999999999999999999, "session": "1a2b3c4d"})", "\"replicas\""},
        {R"({"replicas": 1e300, "session": "1a2b3c4d"})", "\"replicas\""},
        {R"({"replicas": 3, "session": "../../secrets/x"})", "\"session\""},
        {R"({"replicas": 3, "session": "1a2b3c4d", "owner": 7})", "\"owner\""},
        {R"({"replicas": 3, "session": "1a2b3c4d", "since": {}})", "\"since\""},
        {"{not json", "not a JSON object"},
        {"[3]", "not a JSON object"},
        {"", "not a JSON object"},
        {json(3), "not a string"},
        {json::object({{"replicas", 3}}), "not a string"},
    };
    for (const auto& [annotation, named] : table) {
        INFO("annotation " << annotation.dump());
        auto workload = deployment_with_ledger(annotation);
        REQUIRE_NOTHROW(session::read_ledger(workload));
        CHECK_FALSE(session::read_ledger(workload));
        auto parsed = session::parse_ledger(workload, "deployment team/consumer");
        REQUIRE_FALSE(parsed);
        CHECK_THAT(parsed.error().message(),
                   Catch::Contains("deployment team/consumer: annotation mirrord.dev/scale-down"));
        CHECK_THAT(parsed.error().message(), Catch::Contains(named));
    }
    SECTION("a valid ledger still parses, and an absent one is no ledger") {
        auto ok = session::parse_ledger(
            deployment_with_ledger(R"({"replicas":3,"session":"1a2b3c4d"})"), "x");
        REQUIRE(ok);
        REQUIRE(*ok);
        CHECK((*ok)->replicas == 3);
        auto none = session::parse_ledger(json{{"metadata", {{"annotations", "oops"}}}}, "x");
        REQUIRE(none);
        CHECK_FALSE(*none);
        REQUIRE(session::parse_ledger(json("not an object"), "x"));
    }
}

TEST_CASE("parse_session_lease with malformed Leases", "[session]") {
    // {JSON pointer to replace, value, key the error must name}
    const std::vector<std::tuple<std::string, json, std::string>> table = {
        {"/spec/leaseDurationSeconds", "15", "spec.leaseDurationSeconds"},
        {"/spec/leaseDurationSeconds", 0, "spec.leaseDurationSeconds"},
        {"/spec/leaseDurationSeconds", 99999999999999LL, "spec.leaseDurationSeconds"},
        {"/spec/leaseDurationSeconds", 1.5, "spec.leaseDurationSeconds"},
        {"/spec/renewTime", 12, "spec.renewTime"},
        {"/spec/renewTime", "yesterday", "spec.renewTime"},
        {"/spec/acquireTime", json::array(), "spec.acquireTime"},
        {"/metadata/labels/mirrord.dev~1session", 5, "metadata.labels.mirrord.dev/session"},
        {"/metadata/labels/mirrord.dev~1session", "../x", "metadata.labels.mirrord.dev/session"},
    };
    for (const auto& [pointer, value, key] : table) {
        INFO(pointer << " = " << value.dump());
        auto lease = session_lease();
        lease[json::json_pointer(pointer)] = value;
        REQUIRE_NOTHROW(session::record_from_lease(lease));
        CHECK_FALSE(session::record_from_lease(lease));
        auto parsed = session::parse_session_lease(lease);
        REQUIRE_FALSE(parsed);
        CHECK_THAT(parsed.error().message(),
                   Catch::Contains("session lease team/mirrord-session-1a2b3c4d: " + key));
    }
    SECTION("a Lease with neither renewTime nor acquireTime cannot be judged") {
        auto lease = session_lease();
        lease["spec"].erase("renewTime");
        lease["spec"].erase("acquireTime");
        auto parsed = session::parse_session_lease(lease);
        REQUIRE_FALSE(parsed);
        CHECK_THAT(parsed.error().message(), Catch::Contains("spec.renewTime: missing"));
    }
    SECTION("wrong types elsewhere read as absent, and pids out of range as none") {
        auto lease = session_lease();
        lease["metadata"]["annotations"] = {{"mirrord.dev/target", 5},
                                            {"mirrord.dev/pid", "1"},
                                            {"mirrord.dev/child-pid", "99999999999999999999"}};
        lease["spec"]["holderIdentity"] = json::array();
        auto parsed = session::parse_session_lease(lease);
        REQUIRE(parsed);
        REQUIRE(*parsed);
        CHECK((*parsed)->target.empty());
        CHECK((*parsed)->pid == 0);
        CHECK((*parsed)->child_pid == 0);
        lease["metadata"] = "not an object";
        REQUIRE(session::parse_session_lease(lease));
        CHECK_FALSE(*session::parse_session_lease(lease)); // not a mirrord Lease at all
    }
}

#include <catch2/catch.hpp>

#include "common/session/scale_down.hpp"

using namespace mirrord;
using json = nlohmann::json;

namespace {

json workload_with(const json& annotations) {
    json workload = {{"apiVersion", "apps/v1"},
                     {"kind", "Deployment"},
                     {"metadata", {{"name", "kafka-consumer"}, {"namespace", "team"}}},
                     {"spec", {{"replicas", 0}}}};
    if (!annotations.is_null())
        workload["metadata"]["annotations"] = annotations;
    return workload;
}

} // namespace

TEST_CASE("read_ledger", "[session]") {
    SECTION("a valid ledger gives replicas, session, owner and start time") {
        auto ledger = session::read_ledger(workload_with(
            {{session::scale_down_annotation,
              R"({"replicas":3,"session":"1a2b3c4d","owner":"ann@laptop","since":"t0"})"}}));
        REQUIRE(ledger);
        CHECK(ledger->replicas == 3);
        CHECK(ledger->session == "1a2b3c4d");
        CHECK(ledger->owner == "ann@laptop");
        CHECK(ledger->since == "t0");
    }
    SECTION("a ledger of zero replicas is read as zero, not as absent") {
        auto ledger = session::read_ledger(workload_with(
            {{session::scale_down_annotation, R"({"replicas":0,"session":"x"})"}}));
        REQUIRE(ledger);
        CHECK(ledger->replicas == 0);
        CHECK(ledger->owner.empty());
    }
    SECTION("a malformed ledger is treated as absent") {
        for (const auto* text : {"{not json", "[]", R"({"replicas":"3"})", R"({"session":"x"})",
                                 R"("3")"})
            CHECK_FALSE(session::read_ledger(
                workload_with({{session::scale_down_annotation, text}})));
    }
    SECTION("no annotation, or no annotations at all, means no ledger") {
        CHECK_FALSE(session::read_ledger(workload_with({{"other", "x"}})));
        CHECK_FALSE(session::read_ledger(workload_with(nullptr)));
        CHECK_FALSE(session::read_ledger(json::object()));
    }
}

TEST_CASE("ScaleTarget::describe", "[session]") {
    SECTION("names the kind in lower case with namespace and name") {
        session::ScaleTarget target{kube::kinds::statefulset, "team", "db"};
        CHECK(target.describe() == "statefulset team/db");
    }
}

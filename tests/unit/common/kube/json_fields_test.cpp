#include <catch2/catch.hpp>

#include "common/kube/json_fields.hpp"

using namespace mirrord::kube;
using nlohmann::json;

TEST_CASE("json_fields") {
    const json object = json::parse(R"({"name":"web","replicas":3,"ready":true,
        "metadata":{"uid":"u"},"items":[1,2],"text":"x"})");

    SECTION("fields of the expected type are read") {
        CHECK(string_member(object, "name") == "web");
        CHECK(integer_member(object, "replicas") == 3);
        CHECK(bool_member(object, "ready"));
        CHECK(object_member(object, "metadata").at("uid") == "u");
        CHECK(array_member(object, "items").size() == 2);
    }
    SECTION("absent fields and fields of another type read as the fallback") {
        CHECK(string_member(object, "replicas", "none") == "none");
        CHECK(integer_member(object, "name", -1) == -1);
        CHECK(integer_member(object, "missing", 7) == 7);
        CHECK_FALSE(bool_member(object, "name"));
        CHECK(object_member(object, "items").empty());
        CHECK(object_member(object, "items").is_object());
        CHECK(array_member(object, "metadata").is_array());
        CHECK(member(object, "missing").is_null());
    }
    SECTION("a non-object reads as one without fields") {
        for (const json& other : {json(nullptr), json("text"), json(42), json::array({1})}) {
            CHECK(member(other, "name").is_null());
            CHECK(string_member(other, "name").empty());
            CHECK(array_member(object_member(other, "spec"), "containers").empty());
        }
    }
}

#include <catch2/catch.hpp>

#include "common/config/resolved_json.hpp"
#include "common/config/target.hpp"

using namespace mirrord::config;
using nlohmann::json;

TEST_CASE("target string grammar") {
    SECTION("targetless is its own word") {
        auto target = parse_target_string("targetless");
        REQUIRE(target);
        CHECK(target->kind == TargetKind::targetless);
        CHECK(target->display() == "targetless");
    }
    SECTION("every workload type parses with and without a container") {
        for (std::string type : {"pod", "deployment", "rollout", "job", "cronjob", "statefulset",
                                 "service", "replicaset"}) {
            auto plain = parse_target_string(type + "/x");
            REQUIRE(plain);
            CHECK(plain->display() == type + "/x");
            CHECK_FALSE(plain->container);
            auto with = parse_target_string(type + "/x/container/c");
            REQUIRE(with);
            CHECK(with->display() == type + "/x/container/c");
            CHECK(with->container == std::optional<std::string>("c"));
        }
    }
    SECTION("deploy/ is an alias of deployment/") {
        auto target = parse_target_string("deploy/kafka-consumer/container/consumer");
        REQUIRE(target);
        CHECK(target->kind == TargetKind::deployment);
        CHECK(target->display() == "deployment/kafka-consumer/container/consumer");
    }
    SECTION("label targets take comma-separated key=value pairs") {
        auto target = parse_target_string("label/app=web,tier=front/container/main");
        REQUIRE(target);
        CHECK(target->kind == TargetKind::label);
        CHECK(target->labels == std::map<std::string, std::string>{{"app", "web"},
                                                                   {"tier", "front"}});
        CHECK(target->display() == "label/app=web,tier=front/container/main");
    }
    SECTION("a name without a type prefix gets mirrord's hint") {
        auto target = parse_target_string("kafka-consumer");
        REQUIRE_FALSE(target);
        CHECK_THAT(target.error().message(),
                   Catch::Contains("Did you remember to add a prefix, e.g. pod/kafka-consumer?"));
    }
    SECTION("wrong segment counts and empty parts are invalid") {
        for (const char* text : {"pod/", "pod", "pod/x/container", "pod/x/container/",
                                 "pod/x/cont/c", "pod/x/container/c/extra", "label/novalue",
                                 "label/=v"}) {
            auto target = parse_target_string(text);
            CAPTURE(text);
            REQUIRE_FALSE(target);
            CHECK_THAT(target.error().message(), Catch::Contains("invalid target provided"));
        }
    }
}

TEST_CASE("target section forms") {
    SECTION("a plain object form") {
        auto config = parse_target_section(
            json::parse(R"({"deployment": "kafka-consumer", "container": "consumer"})"), "target");
        REQUIRE(config);
        CHECK(config->path->display() == "deployment/kafka-consumer/container/consumer");
        CHECK_FALSE(config->namespace_);
    }
    SECTION("path and namespace, path as a string or an object") {
        auto as_string = parse_target_section(
            json::parse(R"({"path": "cronjob/nightly", "namespace": "batch"})"), "target");
        REQUIRE(as_string);
        CHECK(as_string->path->kind == TargetKind::cronjob);
        CHECK(as_string->namespace_ == std::optional<std::string>("batch"));
        auto as_object = parse_target_section(
            json::parse(R"({"path": {"stateful_set": "db"}, "namespace": "data"})"), "target");
        REQUIRE(as_object);
        CHECK(as_object->path->display() == "statefulset/db");
    }
    SECTION("a namespace alone leaves the target unset") {
        auto config = parse_target_section(json::parse(R"({"namespace": "ns"})"), "target");
        REQUIRE(config);
        CHECK_FALSE(config->path);
        CHECK(config->namespace_ == std::optional<std::string>("ns"));
    }
    SECTION("errors name the key path") {
        auto empty_name = parse_target_section(json::parse(R"({"pod": ""})"), "target");
        REQUIRE_FALSE(empty_name);
        CHECK(empty_name.error().message() == "target.pod: the target name is empty");
        auto bad_string = parse_target_section(json::parse(R"({"path": "pod"})"), "target");
        REQUIRE_FALSE(bad_string);
        CHECK_THAT(bad_string.error().message(), Catch::StartsWith("target.path: "));
        auto no_kind = parse_target_section(json::parse(R"({"container": "c"})"), "target");
        REQUIRE_FALSE(no_kind);
        CHECK_THAT(no_kind.error().message(), Catch::Contains("a target object needs one of"));
    }
}

TEST_CASE("verified target JSON") {
    SECTION("workload targets carry the kind first and container always, null when unset") {
        auto target = parse_target_string("rollout/r");
        REQUIRE(target);
        CHECK(target_to_json(*target).dump() == R"({"rollout":"r","container":null})");
    }
    SECTION("object keys follow mirrord's snake_case names") {
        auto target = parse_target_string("replicaset/rs/container/c");
        REQUIRE(target);
        CHECK(target_to_json(*target).dump() == R"({"replica_set":"rs","container":"c"})");
    }
    SECTION("label targets omit an unset container; targetless is a string") {
        auto label = parse_target_string("label/app=x");
        REQUIRE(label);
        CHECK(target_to_json(*label).dump() == R"({"labels":{"app":"x"}})");
        CHECK(target_to_json(Target{}).dump() == R"("targetless")");
    }
}

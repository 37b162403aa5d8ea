// MirrordKafkaClientConfig resolution on canned objects: precedence, null removal, parents,
// secrets, and the errors a user sees for each mistake.
#include <catch2/catch.hpp>

#include "agent/client_config.hpp"
#include "common/core/log.hpp"
#include "split_objects_fixture.hpp"

using namespace mirrord;
using mirrord::testing::CannedSplitObjects;
using nlohmann::json;

namespace {

json property(const std::string& name, json value) { return {{"name", name}, {"value", value}}; }

Result<agent::ClientProperties> resolve(CannedSplitObjects& objects, const std::string& name) {
    return agent::resolve_client_config(objects, "mirrord", name);
}

} // namespace

TEST_CASE("resolve_client_config", "[agent]") {
    CannedSplitObjects objects;

    SECTION("a config without parent gives its properties, group.id removed") {
        objects.add_client_config("mirrord", "base-config",
                                  {{"properties",
                                    {property("bootstrap.servers", "kafka:9092"),
                                     property("group.id", "theirs")}}});
        auto resolved = resolve(objects, "base-config");
        REQUIRE(resolved);
        CHECK(resolved->properties ==
              std::map<std::string, std::string>{{"bootstrap.servers", "kafka:9092"}});
        CHECK(resolved->secret_properties.empty());
    }

    SECTION("child properties > child secret > parent properties > parent secret") {
        objects.add_secret("mirrord", "parent-secret",
                           {{"a", "parent-secret-a"}, {"b", "parent-secret-b"},
                            {"c", "parent-secret-c"}, {"d", "parent-secret-d"}});
        objects.add_secret("mirrord", "child-secret",
                           {{"a", "child-secret-a"}, {"b", "child-secret-b"}});
        objects.add_client_config("mirrord", "parent",
                                  {{"loadFromSecret", "mirrord/parent-secret"},
                                   {"properties", {property("a", "parent-a"),
                                                   property("b", "parent-b"),
                                                   property("c", "parent-c")}}});
        objects.add_client_config(
            "mirrord", "child",
            {{"parent", "parent"},
             {"loadFromSecret", "mirrord/child-secret"},
             {"properties", {property("a", "child-a")}}});
        auto resolved = resolve(objects, "child");
        REQUIRE(resolved);
        CHECK(resolved->properties == std::map<std::string, std::string>{
                                          {"a", "child-a"},
                                          {"b", "child-secret-b"},
                                          {"c", "parent-c"},
                                          {"d", "parent-secret-d"}});
        // Values from a Secret stay secret; an own property that overrides one is plain.
        CHECK(resolved->secret_properties == std::set<std::string>{"b", "d"});
        CHECK(log::redact("x child-secret-b parent-secret-d") == "x ******** ********");
    }

    SECTION("a null value removes an inherited property, a missing value too") {
        objects.add_client_config("mirrord", "root",
                                  {{"properties", {property("bootstrap.servers", "kafka:9092"),
                                                   property("security.protocol", "SASL_SSL"),
                                                   property("sasl.mechanism", "PLAIN")}}});
        objects.add_client_config("mirrord", "mid",
                                  {{"parent", "root"},
                                   {"properties", {property("security.protocol", nullptr)}}});
        objects.add_client_config(
            "mirrord", "leaf",
            {{"parent", "mid"}, {"properties", {json{{"name", "sasl.mechanism"}}}}});
        auto resolved = resolve(objects, "leaf");
        REQUIRE(resolved);
        CHECK(resolved->properties ==
              std::map<std::string, std::string>{{"bootstrap.servers", "kafka:9092"}});
    }

    SECTION("credential-like names are secret and their values redacted") {
        objects.add_client_config("mirrord", "sasl",
                                  {{"properties", {property("sasl.password", "pw-in-the-cr-1"),
                                                   property("sasl.username", "alice")}}});
        auto resolved = resolve(objects, "sasl");
        REQUIRE(resolved);
        CHECK(resolved->secret_properties == std::set<std::string>{"sasl.password"});
        CHECK(log::redact("pw-in-the-cr-1") == "********");
    }

    SECTION("a parent cycle is an error naming the chain") {
        objects.add_client_config("mirrord", "a", {{"parent", "b"}, {"properties", json::array()}});
        objects.add_client_config("mirrord", "b", {{"parent", "c"}, {"properties", json::array()}});
        objects.add_client_config("mirrord", "c", {{"parent", "a"}, {"properties", json::array()}});
        auto resolved = resolve(objects, "a");
        REQUIRE_FALSE(resolved);
        CHECK(resolved.error().message() ==
              "MirrordKafkaClientConfig mirrord/a: the parent chain has a cycle: a -> b -> c -> a");
    }

    SECTION("a missing config or parent names the configs that exist") {
        objects.add_client_config("mirrord", "child",
                                  {{"parent", "gone"}, {"properties", json::array()}});
        auto missing = resolve(objects, "base-config");
        REQUIRE_FALSE(missing);
        CHECK(missing.error().message() ==
              "MirrordKafkaClientConfig mirrord/base-config not found; found: child");
        auto parent = resolve(objects, "child");
        REQUIRE_FALSE(parent);
        CHECK(parent.error().message() == "MirrordKafkaClientConfig mirrord/gone (parent of "
                                          "child) not found; found: child");
    }

    SECTION("a missing Secret is named with the config that loads it") {
        objects.add_client_config("mirrord", "creds",
                                  {{"loadFromSecret", "kafka/credentials"},
                                   {"properties", json::array()}});
        auto resolved = resolve(objects, "creds");
        REQUIRE_FALSE(resolved);
        CHECK(resolved.error().message() == "MirrordKafkaClientConfig mirrord/creds: Secret "
                                            "kafka/credentials (spec.loadFromSecret) not found");
    }

    SECTION("a malformed loadFromSecret names the key and the value's shape") {
        objects.add_client_config("mirrord", "creds",
                                  {{"loadFromSecret", "credentials"},
                                   {"properties", json::array()}});
        auto resolved = resolve(objects, "creds");
        REQUIRE_FALSE(resolved);
        CHECK(resolved.error().message() ==
              "MirrordKafkaClientConfig mirrord/creds: spec.loadFromSecret: expected "
              "\"<namespace>/<name>\", got \"credentials\"");
    }

    SECTION("a value of another type names the property, never the value") {
        objects.add_client_config("mirrord", "odd",
                                  {{"properties", {property("linger.ms", 5)}}});
        auto resolved = resolve(objects, "odd");
        REQUIRE_FALSE(resolved);
        CHECK(resolved.error().message() == "MirrordKafkaClientConfig mirrord/odd: "
                                            "spec.properties[0].value (linger.ms): expected a "
                                            "string or null");
    }

    SECTION("a java client config or MSK IAM is refused with the key") {
        objects.add_client_config("mirrord", "java",
                                  {{"clientImplementation", "java"},
                                   {"properties", json::array()}});
        auto java = resolve(objects, "java");
        REQUIRE_FALSE(java);
        CHECK_THAT(java.error().message(),
                   Catch::StartsWith("MirrordKafkaClientConfig mirrord/java: "
                                     "spec.clientImplementation: \"java\" is not supported"));
        objects.add_client_config("mirrord", "msk",
                                  {{"authenticationExtra", {{"kind", "MSK_IAM"}}},
                                   {"properties", json::array()}});
        auto msk = resolve(objects, "msk");
        REQUIRE_FALSE(msk);
        CHECK_THAT(msk.error().message(),
                   Catch::Contains("spec.authenticationExtra: MSK_IAM is not supported"));
    }
}

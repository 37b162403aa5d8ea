// resolve_split_plan on canned objects: which MirrordKafkaTopicsConsumer and topic entry apply
// to a target, how the topic and group come from the container's env, and the errors that name
// what exists instead.
#include <catch2/catch.hpp>

#include "agent/split_config.hpp"
#include "common/kube/resources.hpp"
#include "split_objects_fixture.hpp"

using namespace mirrord;
using mirrord::testing::CannedSplitObjects;
using nlohmann::json;

namespace {

session::ResolvedTarget deployment_target(const std::string& name = "kafka-consumer") {
    session::ResolvedTarget target;
    target.target.kind = config::TargetKind::deployment;
    target.target.name = name;
    target.target.container = "consumer";
    target.namespace_ = "default";
    target.kind = kube::kinds::deployment;
    target.workload = {{"apiVersion", "apps/v1"},
                       {"kind", "Deployment"},
                       {"metadata", {{"name", name}, {"namespace", "default"}}}};
    target.container = "consumer";
    return target;
}

json env_source(const std::string& variable, std::optional<std::string> fallback = {},
                const std::string& container = "consumer") {
    json direct = {{"container", container}, {"variable", variable}};
    if (fallback)
        direct["fallback"] = *fallback;
    return {{"directEnvVar", direct}};
}

// The guide's kafka-consumer-topics, with `topics` replacing its topic list when given.
json guide_consumer(json topics = nullptr, const std::string& kind = "Deployment",
                    const std::string& consumer = "kafka-consumer") {
    if (topics.is_null())
        topics = json::array({{{"id", "test_topic"},
                               {"clientConfig", "base-config"},
                               {"nameSources", {env_source("KAFKA_TOPIC")}},
                               {"groupIdSources", {env_source("KAFKA_GROUP_ID")}}}});
    return {{"apiVersion", "queues.mirrord.metalbear.co/v1alpha"},
            {"kind", "MirrordKafkaTopicsConsumer"},
            {"metadata", {{"name", "kafka-consumer-topics"}, {"namespace", "default"}}},
            {"spec",
             {{"consumerApiVersion", "apps/v1"},
              {"consumerKind", kind},
              {"consumerName", consumer},
              {"topics", topics}}}};
}

const std::map<std::string, std::string> guide_env = {{"KAFKA_TOPIC", "test-topic"},
                                                      {"KAFKA_GROUP_ID", "test-consumer-group"},
                                                      {"KAFKA_BOOTSTRAP_SERVERS", "x:1"}};

Result<agent::SplitPlan> resolve(CannedSplitObjects& objects,
                                 const std::map<std::string, std::string>& env = guide_env,
                                 const std::string& topic_id = "test_topic") {
    return agent::resolve_split_plan(objects, deployment_target(), env, topic_id, "mirrord");
}

} // namespace

TEST_CASE("resolve_split_plan", "[agent]") {
    CannedSplitObjects objects;
    objects.add_client_config(
        "mirrord", "base-config",
        {{"properties", {{{"name", "bootstrap.servers"}, {"value", "127.0.0.1:19092"}}}}});

    SECTION("the guide's CRs give topic, group, their variables and the properties") {
        objects.add_consumer("default", guide_consumer());
        auto plan = resolve(objects);
        INFO((plan ? "" : plan.error().message()));
        REQUIRE(plan);
        CHECK(plan->topic_id == "test_topic");
        CHECK(plan->consumer_resource == "kafka-consumer-topics");
        CHECK(plan->original_topic == "test-topic");
        CHECK(plan->topic_env_var == "KAFKA_TOPIC");
        CHECK(plan->group_id == "test-consumer-group");
        CHECK(plan->group_env_var == "KAFKA_GROUP_ID");
        CHECK(plan->client_config == "base-config");
        CHECK(plan->client_config_namespace == "mirrord");
        CHECK(plan->properties ==
              std::map<std::string, std::string>{{"bootstrap.servers", "127.0.0.1:19092"}});
    }

    SECTION("a consumer of another workload or kind is not this target's") {
        objects.add_consumer("default", guide_consumer(nullptr, "StatefulSet"));
        auto plan = resolve(objects);
        REQUIRE_FALSE(plan);
        CHECK(plan.error().message() ==
              "no MirrordKafkaTopicsConsumer for deployment/kafka-consumer (apps/v1) in default; "
              "found: kafka-consumer-topics (apps/v1 StatefulSet kafka-consumer)");
    }

    SECTION("no consumer at all says so") {
        auto plan = resolve(objects);
        REQUIRE_FALSE(plan);
        CHECK(plan.error().message() == "no MirrordKafkaTopicsConsumer for "
                                        "deployment/kafka-consumer (apps/v1) in default; "
                                        "found: none");
    }

    SECTION("an unknown topic id lists the ids that exist") {
        objects.add_consumer("default", guide_consumer());
        auto plan = resolve(objects, guide_env, "other_topic");
        REQUIRE_FALSE(plan);
        CHECK(plan.error().message() ==
              "topic id other_topic not in kafka-consumer-topics; ids: test_topic");
    }

    SECTION("the second topic entry is found by its id") {
        objects.add_consumer(
            "default",
            guide_consumer(json::array(
                {{{"id", "first"},
                  {"clientConfig", "base-config"},
                  {"nameSources", {env_source("FIRST_TOPIC")}},
                  {"groupIdSources", {env_source("KAFKA_GROUP_ID")}}},
                 {{"id", "second"},
                  {"clientConfig", "base-config"},
                  {"nameSources", {env_source("OTHER", std::nullopt, "sidecar"),
                                   env_source("KAFKA_TOPIC")}},
                  {"groupIdSources", {env_source("KAFKA_GROUP_ID")}}}})));
        auto plan = resolve(objects, guide_env, "second");
        INFO((plan ? "" : plan.error().message()));
        REQUIRE(plan);
        CHECK(plan->original_topic == "test-topic");
        CHECK(plan->topic_env_var == "KAFKA_TOPIC");
    }

    SECTION("directEnvVar.name is read like variable (mirrord's CRD documentation writes it)") {
        json source = {{"directEnvVar", {{"container", "consumer"}, {"name", "KAFKA_TOPIC"}}}};
        objects.add_consumer("default",
                             guide_consumer(json::array({{{"id", "test_topic"},
                                                          {"clientConfig", "base-config"},
                                                          {"nameSources", {source}}}})));
        auto plan = resolve(objects);
        INFO((plan ? "" : plan.error().message()));
        REQUIRE(plan);
        CHECK(plan->original_topic == "test-topic");
        CHECK(plan->topic_env_var == "KAFKA_TOPIC");
    }

    SECTION("a variable missing from the env uses its fallback, and keeps the variable") {
        objects.add_consumer(
            "default",
            guide_consumer(json::array({{{"id", "test_topic"},
                                         {"clientConfig", "base-config"},
                                         {"nameSources", {env_source("TOPIC_VAR", "fallback-t")}},
                                         {"groupIdSources",
                                          {env_source("GROUP_VAR", "fallback-g")}}}})));
        auto plan = resolve(objects);
        REQUIRE(plan);
        CHECK(plan->original_topic == "fallback-t");
        CHECK(plan->topic_env_var == "TOPIC_VAR");
        CHECK(plan->group_id == "fallback-g");
        CHECK(plan->group_env_var == "GROUP_VAR");
    }

    SECTION("a variable missing without fallback names the variable, container and key") {
        objects.add_consumer("default", guide_consumer());
        auto plan = resolve(objects, {{"KAFKA_GROUP_ID", "g"}});
        REQUIRE_FALSE(plan);
        CHECK(plan.error().message() ==
              "MirrordKafkaTopicsConsumer default/kafka-consumer-topics: "
              "spec.topics[0].nameSources: env var KAFKA_TOPIC is not set in container consumer "
              "of deployment/kafka-consumer and has no fallback");
    }

    SECTION("sources of another container only are an error naming both") {
        objects.add_consumer(
            "default",
            guide_consumer(json::array(
                {{{"id", "test_topic"},
                  {"clientConfig", "base-config"},
                  {"nameSources", {env_source("KAFKA_TOPIC", std::nullopt, "sidecar")}},
                  {"groupIdSources", {env_source("KAFKA_GROUP_ID")}}}})));
        auto plan = resolve(objects);
        REQUIRE_FALSE(plan);
        CHECK_THAT(plan.error().message(),
                   Catch::EndsWith("spec.topics[0].nameSources: every source names another "
                                   "container (sidecar), not the target's consumer"));
    }

    SECTION("no groupIdSources leaves the group unset") {
        json topics = json::array({{{"id", "test_topic"},
                                    {"clientConfig", "base-config"},
                                    {"nameSources", {env_source("KAFKA_TOPIC")}}}});
        objects.add_consumer("default", guide_consumer(topics));
        auto plan = resolve(objects);
        REQUIRE(plan);
        CHECK_FALSE(plan->group_id);
        CHECK_FALSE(plan->group_env_var);
    }

    SECTION("a client config error is prefixed with the topic's key") {
        objects.add_consumer(
            "default", guide_consumer(json::array({{{"id", "test_topic"},
                                                     {"clientConfig", "missing-config"},
                                                     {"nameSources", {env_source("KAFKA_TOPIC")}},
                                                     {"groupIdSources",
                                                      {env_source("KAFKA_GROUP_ID")}}}})));
        auto plan = resolve(objects);
        REQUIRE_FALSE(plan);
        CHECK(plan.error().message() ==
              "MirrordKafkaTopicsConsumer default/kafka-consumer-topics: "
              "spec.topics[0].clientConfig: MirrordKafkaClientConfig mirrord/missing-config not "
              "found; found: base-config");
    }

    SECTION("applicationIdSources (Kafka Streams) are refused with the key") {
        objects.add_consumer(
            "default",
            guide_consumer(json::array({{{"id", "test_topic"},
                                         {"clientConfig", "base-config"},
                                         {"nameSources", {env_source("KAFKA_TOPIC")}},
                                         {"applicationIdSources", {env_source("APP_ID")}}}})));
        auto plan = resolve(objects);
        REQUIRE_FALSE(plan);
        CHECK_THAT(plan.error().message(),
                   Catch::Contains("spec.topics[0].applicationIdSources: Kafka Streams"));
    }

    SECTION("malformed fields read as missing, never throw") {
        json odd = guide_consumer();
        odd["spec"]["topics"] = json::array({{{"id", 5}}, "not an object",
                                             {{"id", "test_topic"}, {"nameSources", "x"}}});
        objects.add_consumer("default", odd);
        objects.add_consumer("default", json::array());
        auto plan = resolve(objects);
        REQUIRE_FALSE(plan);
        CHECK(plan.error().message() == "MirrordKafkaTopicsConsumer default/kafka-consumer-topics:"
                                        " spec.topics[2].nameSources: no directEnvVar source");
    }

    SECTION("the lister's error (a missing CRD) comes through unchanged") {
        objects.fail_consumers(
            mirrord::fail("the MirrordKafkaTopicsConsumer CRD is not installed"));
        auto plan = resolve(objects);
        REQUIRE_FALSE(plan);
        CHECK(plan.error().message() == "the MirrordKafkaTopicsConsumer CRD is not installed");
    }
}

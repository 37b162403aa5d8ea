#include <catch2/catch.hpp>

#include "common/config/config.hpp"
#include "common/config/target.hpp"
#include "common/config/verify.hpp"
#include "tests/unit/common/config/test_env.hpp"

using namespace mirrord::config;
using mirrord::testing::ScopedEnv;

namespace {

LoadOptions verify_config_options(bool ide) {
    LoadOptions options;
    options.ide = ide;
    options.empty_target_is_targetless = !ide;
    return options;
}

mirrord::Result<Loaded> load_json(const std::string& text, LoadOptions options = {}) {
    return load_text(text, ".mirrord/mirrord.json", options);
}

std::vector<std::string> kind_names(const Config& config) {
    std::vector<std::string> names;
    for (auto kind : compatible_target_types(config))
        names.emplace_back(target_kind_name(kind));
    return names;
}

} // namespace

TEST_CASE("copy_target verification") {
    ScopedEnv env;
    SECTION("a missing target counts as targetless only for verify-config without --ide") {
        const std::string text = R"({"feature": {"copy_target": true}})";
        auto exec_like = load_json(text);
        CHECK(exec_like);
        auto ide = load_json(text, verify_config_options(true));
        CHECK(ide);
        auto cli = load_json(text, verify_config_options(false));
        REQUIRE_FALSE(cli);
        CHECK(cli.error().message() ==
              ".mirrord/mirrord.json: feature.copy_target: Conflicting configuration found `The "
              "copy target feature is not compatible with a targetless agent, please either "
              "disable this option or specify a target.`");
    }
    SECTION("job targets turn copy_target on, so operator:false is refused") {
        auto job = load_json(R"({"target": "job/j"})");
        REQUIRE(job);
        CHECK(job->config.copy_target.enabled);
        auto refused = load_json(R"({"target": "cronjob/c", "operator": false})");
        REQUIRE_FALSE(refused);
        CHECK_THAT(refused.error().message(),
                   Catch::Contains("The copy target feature requires a mirrord operator, please "
                                   "either disable this option or use the operator."));
    }
    SECTION("the Kafka guide's scale-down config passes") {
        auto loaded = load_json(R"({"operator": true, "target": {"deployment": "kafka-consumer",
            "container": "consumer"}, "feature": {"copy_target": {"scale_down": true}}})");
        REQUIRE(loaded);
        CHECK(loaded->warnings.empty());
    }
}

TEST_CASE("target verification") {
    ScopedEnv env;
    SECTION("operator-only targets with operator:false") {
        for (std::string target : {"statefulset/s", "service/s", "replicaset/r", "label/a=b"}) {
            auto loaded = load_json(R"({"operator": false, "target": ")" + target + "\"}");
            CAPTURE(target);
            REQUIRE_FALSE(loaded);
            CHECK_THAT(loaded.error().message(),
                       Catch::Contains("target: Target type requires the mirrord-operator"));
        }
        CHECK(load_json(R"({"operator": false, "target": "deployment/d"})"));
    }
    SECTION("label targets need labels and cannot split queues") {
        auto empty = load_json(R"({"target": {"labels": {}}})");
        REQUIRE_FALSE(empty);
        CHECK_THAT(empty.error().message(),
                   Catch::EndsWith("target: a label target needs at least one label"));
        auto split = load_json(R"({"target": "label/app=x", "feature": {"split_queues":
            {"q": {"queue_type": "Kafka"}}}})");
        REQUIRE_FALSE(split);
        CHECK_THAT(split.error().message(), Catch::Contains("feature.split_queues: Conflicting"));
    }
    SECTION("agent.namespace is ignored in targetless runs, with a warning") {
        auto loaded = load_json(R"({"target": "targetless", "agent": {"namespace": "a"}})");
        REQUIRE(loaded);
        CHECK(loaded->warnings == std::vector<std::string>{
                                      "Agent namespace is ignored in targetless runs. To specify "
                                      "a namespace for a targetless run, use target namespace."});
    }
}

TEST_CASE("queue splitting verification") {
    ScopedEnv env;
    auto queue = [](const std::string& entry) {
        return load_json(R"({"target": "deployment/x", "feature": {"split_queues": {"test_topic": )" +
                         entry + "}}}");
    };
    SECTION("message_filter regexes compile with RE2") {
        auto bad = queue(R"({"queue_type": "Kafka", "message_filter": {"source": "^("}})");
        REQUIRE_FALSE(bad);
        CHECK(bad.error().message() ==
              ".mirrord/mirrord.json: feature.split_queues.test_topic.message_filter.source: "
              "invalid regex \"^(\": missing )");
        auto lookahead = queue(R"j({"queue_type": "Kafka", "message_filter": {"a": "x(?=y)"}})j");
        REQUIRE_FALSE(lookahead);
        CHECK_THAT(lookahead.error().message(), Catch::Contains("no lookaround"));
    }
    SECTION("other known queue types parse but are not supported") {
        for (std::string type : {"SQS", "RMQ", "GCPPubSub", "RedisPubSub", "AzureServiceBus",
                                 "Temporal", "BullMQ"}) {
            auto loaded = queue(R"({"queue_type": ")" + type + R"("})");
            CAPTURE(type);
            REQUIRE_FALSE(loaded);
            CHECK_THAT(loaded.error().message(),
                       Catch::Contains("queue type `" + type + "` is not supported"));
        }
    }
    SECTION("unknown queue types use mirrord's text") {
        auto loaded = queue(R"({"queue_type": "kafka"})");
        REQUIRE_FALSE(loaded);
        CHECK_THAT(loaded.error().message(),
                   Catch::EndsWith("Queue splitting config is invalid: test_topic: unknown queue type"));
    }
    SECTION("filters this mirrord cannot apply are refused rather than dropped") {
        auto jq = queue(R"({"queue_type": "Kafka", "jq_filter": ".a"})");
        REQUIRE_FALSE(jq);
        CHECK_THAT(jq.error().message(), Catch::Contains("test_topic.jq_filter: jq filters"));
        auto protobuf = queue(
            R"({"queue_type": "Kafka", "jq_filter": ".a", "payload_protobuf": {"message_type": "M"}})");
        REQUIRE_FALSE(protobuf);
    }
}

TEST_CASE("feature.env verification") {
    ScopedEnv env;
    SECTION("include and exclude together, also via env") {
        env.set("MIRRORD_OVERRIDE_ENV_VARS_INCLUDE", "A");
        auto loaded = load_json(R"({"feature": {"env": false}})");
        REQUIRE_FALSE(loaded);
        CHECK_THAT(loaded.error().message(),
                   Catch::EndsWith("feature.env: Conflicting configuration found `cannot use both "
                                   "`include` and `exclude` filters for environment variables`"));
    }
    SECTION("an invalid mapping regex") {
        auto loaded = load_json(R"({"feature": {"env": {"mapping": {"(": "x"}}}})");
        REQUIRE_FALSE(loaded);
        CHECK_THAT(loaded.error().message(),
                   Catch::Contains("feature.env.mapping.(: Regex creation for pattern `(: x` in "
                                   "`config.feature.env.mapping` failed with: `missing )`"));
    }
}

TEST_CASE("compatible target types") {
    ScopedEnv env;
    auto kinds_for = [](const std::string& text) {
        auto loaded = load_json(text);
        REQUIRE(loaded);
        return kind_names(loaded->config);
    };
    CHECK(kinds_for("{}") ==
          std::vector<std::string>{"targetless", "pod", "deployment", "rollout", "job", "cronjob",
                                   "statefulset", "service", "replicaset"});
    CHECK(kinds_for(R"({"feature": {"copy_target": true}})") ==
          std::vector<std::string>{"pod", "deployment", "job", "cronjob", "statefulset",
                                   "replicaset"});
    CHECK(kinds_for(R"({"feature": {"copy_target": {"scale_down": true}}})") ==
          std::vector<std::string>{"deployment", "job", "cronjob", "statefulset", "replicaset"});
}

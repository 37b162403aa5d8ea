#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "common/core/log.hpp"
#include "common/kube/pod_env.hpp"

using namespace mirrord;
using namespace mirrord::kube;
using nlohmann::json;

namespace {

json load(const std::string& name) {
    std::ifstream in(std::string(MIRRORD_TEST_DATA) + "/pods/" + name);
    return json::parse(in);
}

// Lookups over tests/data/pods/objects.json, counting calls per object.
struct FakeCluster {
    json objects = load("objects.json");
    std::map<std::string, int> calls;

    EnvSources sources() {
        auto lookup = [this](const char* kind) {
            return [this, kind](const std::string& name) -> Result<std::optional<json>> {
                ++calls[std::string(kind) + "/" + name];
                if (!objects[kind].contains(name))
                    return std::optional<json>();
                return std::optional<json>(objects[kind][name]);
            };
        };
        return EnvSources{lookup("configMaps"), lookup("secrets")};
    }
};

std::map<std::string, std::string> as_map(const ResolvedEnv& env) {
    std::map<std::string, std::string> out;
    for (const auto& var : env.vars)
        out[var.name] = var.value;
    return out;
}

std::string error_for(const std::string& fixture, FakeCluster& cluster) {
    auto env = resolve_container_env(load("errors.json")[fixture], "app", cluster.sources());
    REQUIRE_FALSE(env);
    return env.error().message();
}

} // namespace

TEST_CASE("resolve_container_env on a running pod") {
    FakeCluster cluster;
    auto pod = load("kafka-consumer.json");
    auto env = resolve_container_env(pod, "app", cluster.sources());
    REQUIRE(env);
    auto vars = as_map(*env);

    SECTION("envFrom adds every valid key, with the prefix; optional missing sources are skipped") {
        CHECK(vars["CFG_LOG_LEVEL"] == "debug");
        CHECK(vars["CFG_topic"] == "orders");
        CHECK(vars["KAFKA_USER"] == "consumer");
        CHECK(vars["KAFKA_PASSWORD"] == "s3cr3t-pass");
        CHECK(vars.count("CFG_bad key") == 0);
        CHECK(vars.count("1abc") == 0);
    }
    SECTION("invalid envFrom keys are reported as warnings naming the source") {
        REQUIRE(env->warnings.size() == 3);
        CHECK(env->warnings[0] == "keys [CFG_bad key] from the envFrom config map shop/app-settings "
                                  "were skipped since they are not valid environment variable names");
        CHECK(env->warnings[1].find("[1abc]") != std::string::npos);
        CHECK(env->warnings[2].find("EPHEMERAL_GI") != std::string::npos);
    }
    SECTION("a later env entry replaces an envFrom value and keeps its position") {
        CHECK(vars["SHARED"] == "from-env");
        CHECK(env->vars[2].name == "SHARED");
    }
    SECTION("$(VAR) expansion: earlier vars only, $$ escapes, unresolved stays literal") {
        CHECK(vars["BROKER_URL"] == "kafka.default.svc:9092");
        CHECK(vars["ESCAPED"] == "$(BROKER_HOST)");
        CHECK(vars["UNRESOLVED"] == "$(LATER_VAR)-x");
        CHECK(vars["FROM_ENVFROM"] == "level=debug");
        CHECK(vars["EMPTY"] == "");
    }
    SECTION("configMapKeyRef and secretKeyRef; optional missing ones leave the var unset") {
        CHECK(vars["TOPIC"] == "orders");
        CHECK(vars["DB_PASSWORD"] == "s3cr3t-pass");
        CHECK(vars.count("OPT_KEY") == 0);
        CHECK(vars.count("OPT_SECRET") == 0);
    }
    SECTION("secret-sourced values are flagged, also through $(VAR), and redacted in logs") {
        CHECK(env->is_secret("KAFKA_PASSWORD"));
        CHECK(env->is_secret("DB_PASSWORD"));
        CHECK(env->is_secret("SASL"));
        CHECK_FALSE(env->is_secret("TOPIC"));
        CHECK(log::redact("pw=s3cr3t-pass") == "pw=********");
    }
    SECTION("every supported fieldRef") {
        CHECK(vars["POD_NAME"] == "kafka-consumer-7d9f-abcde");
        CHECK(vars["POD_NAMESPACE"] == "shop");
        CHECK(vars["POD_UID"] == "0f3c-uid-1234");
        CHECK(vars["APP_LABEL"] == "kafka-consumer");
        CHECK(vars["MISSING_LABEL"] == "");
        CHECK(vars["TEAM"] == "payments");
        CHECK(vars["NODE_NAME"] == "node-1");
        CHECK(vars["SA_NAME"] == "consumer-sa");
        CHECK(vars["HOST_IP"] == "10.0.0.5");
        CHECK(vars["HOST_IPS"] == "10.0.0.5,fd00::5");
        CHECK(vars["POD_IP"] == "10.244.1.7");
        CHECK(vars["POD_IPS"] == "10.244.1.7,fd00:244::7");
    }
    SECTION("resourceFieldRef rounds up to whole divisor units") {
        CHECK(vars["CPU_LIMIT"] == "2");         // 1500m, divisor 1
        CHECK(vars["CPU_LIMIT_MILLI"] == "1500"); // divisor 1m
        CHECK(vars["CPU_REQUEST"] == "1");       // 250m rounds up
        CHECK(vars["MEM_LIMIT"] == "536870912"); // 512Mi
        CHECK(vars["MEM_LIMIT_MI"] == "512");
        CHECK(vars["MEM_REQUEST_MI"] == "96");   // 100M / 1Mi = 95.37
        CHECK(vars["SIDECAR_CPU_M"] == "100");   // containerName: istio-proxy
        CHECK(vars["EPHEMERAL_GI"] == "");       // no limit, no node allocatable
    }
    SECTION("each config map and secret is read once") {
        CHECK(cluster.calls["secrets/kafka-creds"] == 1);
        CHECK(cluster.calls["configMaps/app-settings"] == 1);
    }
}

TEST_CASE("resolve_container_env uses node allocatable for unset limits") {
    FakeCluster cluster;
    PodEnvOptions options;
    options.node_allocatable = json{{"cpu", "4"}, {"ephemeral-storage", "10Gi"}};
    auto env = resolve_container_env(load("kafka-consumer.json"), "app", cluster.sources(), options);
    REQUIRE(env);
    SECTION("the limit falls back to the node's allocatable, as the kubelet does") {
        CHECK(env->get("EPHEMERAL_GI") == "10");
        CHECK(env->warnings.size() == 2);
    }
}

TEST_CASE("resolve_container_env on a pod template") {
    FakeCluster cluster;
    PodEnvOptions options;
    options.namespace_name = "staging";
    auto env = resolve_container_env(load("deployment-template.json"), "worker", cluster.sources(),
                                     options);
    REQUIRE(env);
    auto vars = as_map(*env);
    SECTION("the namespace comes from the options and unknown fields are empty with a warning") {
        CHECK(vars["NS"] == "staging");
        CHECK(vars["UID"] == "");
        CHECK(env->warnings[0] == "env var UID: fieldRef metadata.uid is empty (not set on this "
                                  "pod yet)");
    }
    SECTION("serviceAccountName defaults to \"default\", as admission sets it") {
        CHECK(vars["SA"] == "default");
    }
    SECTION("requests default to limits; an unset request without a limit is 0") {
        CHECK(vars["MEM_REQUEST"] == "256");
        CHECK(vars["CPU_REQUEST"] == "0");
    }
    SECTION("an unset limit without node allocatable is empty with a warning") {
        CHECK(vars["CPU_LIMIT"] == "");
        CHECK(env->warnings.size() == 2);
    }
}

TEST_CASE("resolve_container_env errors") {
    FakeCluster cluster;
    SECTION("a missing secret names the env var, the secret and the namespace") {
        CHECK(error_for("missing_secret", cluster) ==
              R"(env var KAFKA_PASSWORD: secret "kafka-creds-missing" not found in namespace "default")");
    }
    SECTION("a missing key names the key and the config map") {
        CHECK(error_for("missing_key", cluster) ==
              R"(env var TOPIC: key "no-such-key" not found in config map "app-settings" in namespace "default")");
    }
    SECTION("a missing envFrom source that is not optional") {
        CHECK(error_for("missing_envfrom", cluster) ==
              R"(envFrom: secret "gone" not found in namespace "default")");
    }
    SECTION("secret data that is not base64") {
        CHECK(error_for("bad_base64", cluster) ==
              R"(env var K: secret "bad-base64": key "K" is not valid base64)");
    }
    SECTION("an unsupported fieldRef") {
        CHECK(error_for("bad_field", cluster) ==
              R"(env var X: unsupported fieldRef fieldPath "spec.hostname")");
    }
    SECTION("an unparsable quantity") {
        CHECK(error_for("bad_quantity", cluster) == R"(env var X: invalid quantity "lots")");
    }
    SECTION("a field of the wrong type is an error naming the entry, not an exception") {
        CHECK_THAT(error_for("malformed", cluster),
                   Catch::StartsWith("container \"app\" env[0] (X): a field has the wrong type: "));
    }
    SECTION("a failing lookup is wrapped with the env var and the object") {
        EnvSources failing{nullptr, [](const std::string&) -> Result<std::optional<json>> {
                               return fail("403 Forbidden");
                           }};
        auto env = resolve_container_env(load("errors.json")["missing_secret"], "app", failing);
        REQUIRE_FALSE(env);
        CHECK(env.error().message() ==
              R"(env var KAFKA_PASSWORD: reading secret "kafka-creds-missing": 403 Forbidden)");
    }
    SECTION("an unknown container lists the pod's containers") {
        auto env = resolve_container_env(load("kafka-consumer.json"), "nope", cluster.sources());
        REQUIRE_FALSE(env);
        CHECK(env.error().message() ==
              R"(container "nope" not found in pod "kafka-consumer-7d9f-abcde" (containers: istio-proxy, app))");
    }
}

TEST_CASE("expand_env_references") {
    auto lookup = [](const std::string& name) -> std::optional<std::string> {
        if (name == "A")
            return "1";
        return std::nullopt;
    };
    SECTION("the kubelet's expansion rules") {
        CHECK(expand_env_references("$(A)", lookup) == "1");
        CHECK(expand_env_references("x$(A)y$(A)", lookup) == "x1y1");
        CHECK(expand_env_references("$$(A)", lookup) == "$(A)");
        CHECK(expand_env_references("$$$(A)", lookup) == "$1");
        CHECK(expand_env_references("$(B)", lookup) == "$(B)");
        CHECK(expand_env_references("$(A", lookup) == "$(A");
        CHECK(expand_env_references("$A", lookup) == "$A");
        CHECK(expand_env_references("cost: 5$", lookup) == "cost: 5$");
        CHECK(expand_env_references("$()", lookup) == "$()");
    }
}

TEST_CASE("resource_value") {
    SECTION("cpu is counted in millicores and rounded up to divisor units") {
        CHECK(*resource_value("limits.cpu", "500m", "1") == "1");
        CHECK(*resource_value("limits.cpu", "2", "1m") == "2000");
        CHECK(*resource_value("limits.cpu", "0.1", "1m") == "100");
        CHECK(*resource_value("requests.cpu", "1.5", "") == "2");
    }
    SECTION("memory is counted in bytes and rounded up") {
        CHECK(*resource_value("limits.memory", "1Gi", "1Mi") == "1024");
        CHECK(*resource_value("limits.memory", "1G", "1Mi") == "954");
        CHECK(*resource_value("limits.memory", "1e3", "1") == "1000");
        CHECK(*resource_value("limits.memory", "1Ei", "1") == "1152921504606846976");
        CHECK(*resource_value("limits.memory", "1500k", "1M") == "2");
    }
    SECTION("a zero divisor (the apiserver's default for an unset one) means 1") {
        CHECK(*resource_value("limits.cpu", "1500m", "0") == "2");
        CHECK(*resource_value("limits.memory", "1Ki", "0") == "1024");
    }
    SECTION("bad quantities are errors") {
        CHECK_FALSE(resource_value("limits.memory", "12XB", "1"));
        CHECK_FALSE(resource_value("limits.memory", "1", "x"));
    }
}

TEST_CASE("is_valid_env_name") {
    SECTION("the kubelet's C_IDENTIFIER-like rule with dots and dashes") {
        CHECK(is_valid_env_name("KAFKA_URL"));
        CHECK(is_valid_env_name("spring.profiles-active"));
        CHECK(is_valid_env_name("_x1"));
        CHECK_FALSE(is_valid_env_name("1abc"));
        CHECK_FALSE(is_valid_env_name("bad key"));
        CHECK_FALSE(is_valid_env_name(""));
    }
}

TEST_CASE("resolve_container_env on malformed pod JSON") {
    FakeCluster cluster;
    auto resolve = [&](const char* text) {
        return resolve_container_env(json::parse(text), "app", cluster.sources());
    };
    SECTION("env that is not a list, or an entry that is not an object, is named") {
        auto not_list = resolve(R"({"spec":{"containers":[{"name":"app","env":{"A":"1"}}]}})");
        REQUIRE_FALSE(not_list);
        CHECK(not_list.error().message() == "container \"app\" env: not a list");
        auto not_object = resolve(
            R"({"spec":{"containers":[{"name":"app","envFrom":[{"configMapRef":{"name":"app-settings"}},"PASSWORD=hunter2"]}]}})");
        REQUIRE_FALSE(not_object);
        CHECK(not_object.error().message() == "container \"app\" envFrom[1]: not an object but a string");
    }
    SECTION("a reference of the wrong type names the entry") {
        auto bad_ref = resolve(
            R"({"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"secretKeyRef":"s"}}]}]}})");
        REQUIRE_FALSE(bad_ref);
        CHECK_THAT(bad_ref.error().message(),
                   Catch::StartsWith("container \"app\" env[1] (B): a field has the wrong type"));
    }
    SECTION("containers of the wrong shape are not found, with the names that are there") {
        auto named_7 = resolve(
            R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":7},"app",{"name":"web"}]}})");
        REQUIRE_FALSE(named_7);
        CHECK(named_7.error().message() ==
              "container \"app\" not found in pod \"p\" (containers: , , web)");
        CHECK_FALSE(resolve(R"({"spec":{"containers":{"name":"app"}}})"));
        CHECK_FALSE(resolve(R"({"spec":"app"})"));
        CHECK_FALSE(resolve("[]"));
    }
}

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "common/config/config.hpp"
#include "tests/unit/common/config/test_env.hpp"

using namespace mirrord::config;
using mirrord::testing::ScopedEnv;

namespace {

// Writes `text` to a fresh file named `name` in this process's temp folder.
std::string write_temp(const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() /
               ("mirrord-config-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
}

Loaded load_ok(const std::string& text, LoadOptions options = {}) {
    auto loaded = load_text(text, "mirrord.json", options);
    INFO(text);
    if (!loaded)
        FAIL(loaded.error().message());
    return std::move(*loaded);
}

std::string load_error(const std::string& text, const std::string& path = "mirrord.json") {
    auto loaded = load_text(text, path, {});
    INFO(text);
    REQUIRE_FALSE(loaded);
    return loaded.error().message();
}

} // namespace

TEST_CASE("config defaults") {
    ScopedEnv env;
    auto loaded = load_ok("{}");
    const Config& config = loaded.config;
    CHECK_FALSE(config.target.path);
    CHECK_FALSE(config.operator_);
    CHECK(config.agent.image == default_agent_image);
    CHECK(config.agent.ttl == 1);
    CHECK(config.agent.startup_timeout == 60);
    CHECK(config.agent.log_level == "info");
    CHECK(config.env.enabled);
    CHECK_FALSE(config.copy_target.enabled);
    CHECK(config.split_queues.empty());
    CHECK(config.key_generated);
    CHECK(config.key->size() == 16);
    CHECK(loaded.warnings.empty());
}

TEST_CASE("config key parsing") {
    ScopedEnv env;
    SECTION("feature.env list fields accept a string split on ; or a list") {
        auto loaded = load_ok(R"({"feature": {"env": {"include": "A;B_*;", "unset": ["X", "Y;Z"],
            "override": {"K": "v"}, "mapping": {"^K$": "w"}, "env_file": ".env",
            "load_from_process": true}}})");
        const auto& env_config = loaded.config.env;
        CHECK(env_config.include == std::vector<std::string>{"A", "B_*"});
        CHECK(env_config.unset == std::vector<std::string>{"X", "Y", "Z"});
        CHECK(env_config.override_.at("K") == "v");
        CHECK(env_config.mapping.at("^K$") == "w");
        CHECK(env_config.env_file == std::optional<std::string>(".env"));
        CHECK(env_config.load_from_process);
    }
    SECTION("feature.env false excludes everything") {
        auto loaded = load_ok(R"({"feature": {"env": false}})");
        CHECK_FALSE(loaded.config.env.enabled);
        CHECK(loaded.config.env.exclude == std::vector<std::string>{"*"});
    }
    SECTION("copy_target object form is enabled unless it says otherwise") {
        auto on = load_ok(R"({"target": "deployment/x", "feature": {"copy_target":
            {"scale_down": true, "exclude_containers": ["sidecar"]}}})");
        CHECK(on.config.copy_target.enabled);
        CHECK(on.config.copy_target.scale_down);
        CHECK(on.config.copy_target.exclude_containers == std::vector<std::string>{"sidecar"});
        auto off = load_ok(R"({"feature": {"copy_target": {"enabled": false}}})");
        CHECK_FALSE(off.config.copy_target.enabled);
    }
    SECTION("split_queues keeps the file's mode and defaults to mirror") {
        auto loaded = load_ok(R"({"target": "deployment/x", "feature": {"split_queues": {
            "a": {"queue_type": "Kafka", "queue_mode": "steal", "message_filter": {"h": "^x"}},
            "b": {"queue_type": "Kafka"}}}})");
        REQUIRE(loaded.config.split_queues.size() == 2);
        CHECK(loaded.config.split_queues[0].id == "a");
        CHECK(loaded.config.split_queues[0].mode == QueueMode::steal);
        CHECK(loaded.config.split_queues[0].message_filter.at("h") == "^x");
        CHECK(loaded.config.split_queues[1].mode == QueueMode::mirror);
    }
    SECTION("split_queues list form allows repeated ids") {
        auto loaded = load_ok(R"({"target": "deployment/x", "feature": {"split_queues": [
            {"queue_id": "t", "queue_type": "Kafka"}, {"queue_id": "t", "queue_type": "Kafka"}]}})");
        CHECK(loaded.config.split_queues.size() == 2);
    }
    SECTION("agent image from a string or registry and tag") {
        auto plain = load_ok(R"({"agent": {"image": "my/agent:1"}})");
        CHECK(plain.config.agent.image == "my/agent:1");
        auto parts = load_ok(R"({"agent": {"image": {"tag": "9.9.9"}}})");
        CHECK(parts.config.agent.image == "ghcr.io/metalbear-co/mirrord:9.9.9");
    }
    SECTION("null values count as unset") {
        auto loaded = load_ok(R"({"target": null, "operator": null, "agent": {"ttl": null},
            "feature": {"network": null}})");
        CHECK_FALSE(loaded.config.target.path);
        CHECK(loaded.config.agent.ttl == 1);
        CHECK(loaded.warnings.empty());
    }
}

TEST_CASE("keys mirrord knows but this mirrord ignores") {
    ScopedEnv env;
    auto loaded = load_ok(R"({"feature": {"network": {"incoming": "steal", "dns": false},
        "fs": "local"}, "telemetry": false, "agent": {"privileged": true, "ttl": 3}})");
    CHECK(loaded.warnings == std::vector<std::string>{
                                 "`agent.privileged` is not supported by this mirrord and is ignored",
                                 "`feature.fs` is not supported by this mirrord and is ignored",
                                 "`feature.network.incoming` is not supported by this mirrord and is ignored",
                                 "`telemetry` is not supported by this mirrord and is ignored"});
    CHECK(loaded.config.agent.ttl == 3);
    CHECK(loaded.raw["feature"]["network"]["incoming"] == "steal");
}

TEST_CASE("feature.network: outgoing and dns") {
    ScopedEnv env;
    SECTION("defaults: tcp tunnelled, no filter, no warning") {
        auto loaded = load_ok(R"({})");
        CHECK(loaded.config.network.outgoing.tcp);
        CHECK(loaded.config.network.outgoing.filter_side == OutgoingConfig::FilterSide::none);
        CHECK(loaded.warnings.empty());
    }
    SECTION("false turns outgoing off, as network: false does") {
        CHECK_FALSE(load_ok(R"({"feature": {"network": {"outgoing": false}}})")
                        .config.network.outgoing.tcp);
        auto off = load_ok(R"({"feature": {"network": false}})");
        CHECK_FALSE(off.config.network.outgoing.tcp);
        CHECK(off.warnings.empty());
    }
    SECTION("a local filter, in mirrord's address syntax") {
        auto loaded = load_ok(R"({"feature": {"network": {"outgoing": {"filter": {"local":
            ["tcp://db.default.svc:5432", ":9092", "10.0.0.0/8", "cache", "[::1]:6379"]}}}}})");
        const auto& outgoing = loaded.config.network.outgoing;
        CHECK(outgoing.filter_side == OutgoingConfig::FilterSide::local);
        REQUIRE(outgoing.filter.size() == 5);
        CHECK(outgoing.filter[0].protocol == "tcp");
        CHECK(outgoing.filter[0].host == "db.default.svc");
        CHECK(outgoing.filter[0].port == 5432);
        CHECK(outgoing.filter[1].host.empty());
        CHECK(outgoing.filter[1].port == 9092);
        CHECK(outgoing.filter[2].host == "10.0.0.0/8");
        CHECK_FALSE(outgoing.filter[2].port);
        CHECK(outgoing.filter[3].host == "cache");
        CHECK(outgoing.filter[4].host == "::1");
        CHECK(outgoing.filter[4].port == 6379);
        CHECK(loaded.warnings.empty());
    }
    SECTION("remote DNS is said once to be a no-op; unix_streams is ignored") {
        auto loaded = load_ok(R"({"feature": {"network": {"dns": {"enabled": true},
            "outgoing": {"unix_streams": "bear.+"}}}})");
        REQUIRE(loaded.warnings.size() == 2);
        CHECK(loaded.warnings[0].find("`feature.network.dns`: names are resolved on this "
                                      "machine") == 0);
        CHECK(loaded.warnings[1] ==
              "`feature.network.outgoing.unix_streams` is not supported by this mirrord and is "
              "ignored");
        CHECK(load_ok(R"({"feature": {"network": {"dns": false}}})").warnings.empty());
    }
    SECTION("bad filters name the key") {
        CHECK(load_error(R"({"feature": {"network": {"outgoing": {"filter": {"local":
                  ["ftp://x:1"]}}}}})") ==
              "mirrord.json: feature.network.outgoing.filter.local[0]: \"ftp://x:1\": the "
              "protocol must be tcp:// or udp://, got \"ftp\"");
        CHECK(load_error(R"({"feature": {"network": {"outgoing": {"filter": {"remote":
                  ["db:99999"]}}}}})") ==
              "mirrord.json: feature.network.outgoing.filter.remote[0]: \"db:99999\": the port "
              "must be a number from 0 to 65535");
        CHECK(load_error(R"({"feature": {"network": {"outgoing": {"filter": {"local": ["a"],
                  "remote": ["b"]}}}}})") ==
              "mirrord.json: feature.network.outgoing.filter: give either `local` or `remote`, "
              "not both");
        CHECK(load_error(R"({"feature": {"network": {"outgoing": "yes"}}})") ==
              "mirrord.json: feature.network.outgoing: invalid type: expected true, false or an "
              "object, found a string");
    }
}

TEST_CASE("unknown keys are errors with the file and key path") {
    ScopedEnv env;
    CHECK(load_error(R"({"agent": {"tll": 3}})") ==
          "mirrord.json: agent.tll: unknown key `tll`, did you mean `ttl`?");
    CHECK(load_error(R"({"feature": {"split_queues": [{"queue_id": "a", "queue_typ": "Kafka"}]}})") ==
          "mirrord.json: feature.split_queues[0].queue_typ: unknown key `queue_typ`, did you "
          "mean `queue_type`?");
    CHECK(load_error(R"({"completely_unrelated": 1})") ==
          "mirrord.json: completely_unrelated: unknown key `completely_unrelated`; mirrord does "
          "not know it");
    CHECK(load_error(R"({"telemetry": {"a": 1}})") ==
          "mirrord.json: telemetry: invalid type: found an object, expected a value");
}

TEST_CASE("precedence: CLI override > MIRRORD_* env > file > default") {
    ScopedEnv env;
    const std::string file = R"({"target": "deployment/from-file", "agent": {"ttl": 5},
        "kube_context": "file-ctx", "operator": true})";
    SECTION("the file beats defaults") {
        auto loaded = load_ok(file);
        CHECK(loaded.config.target.path->display() == "deployment/from-file");
        CHECK(loaded.config.agent.ttl == 5);
    }
    SECTION("the process env beats the file") {
        env.set("MIRRORD_IMPERSONATED_TARGET", "pod/from-env");
        env.set("MIRRORD_AGENT_TTL", "7");
        env.set("MIRRORD_KUBE_CONTEXT", "env-ctx");
        env.set("MIRRORD_OPERATOR_ENABLE", "false");
        env.set("MIRRORD_TARGET_NAMESPACE", "env-ns");
        auto loaded = load_ok(file);
        CHECK(loaded.config.target.path->display() == "pod/from-env");
        CHECK(loaded.config.target.namespace_ == std::optional<std::string>("env-ns"));
        CHECK(loaded.config.agent.ttl == 7);
        CHECK(loaded.config.kube_context == std::optional<std::string>("env-ctx"));
        CHECK(loaded.config.operator_ == std::optional<bool>(false));
    }
    SECTION("CLI overrides beat the process env") {
        env.set("MIRRORD_IMPERSONATED_TARGET", "pod/from-env");
        LoadOptions options;
        options.overrides["MIRRORD_IMPERSONATED_TARGET"] = "statefulset/from-cli";
        auto loaded = load_ok(file, options);
        CHECK(loaded.config.target.path->display() == "statefulset/from-cli");
    }
    SECTION("env lists split on ; and replace the file's list") {
        env.set("MIRRORD_OVERRIDE_ENV_VARS_EXCLUDE", "A;B");
        env.set("MIRRORD_OVERRIDE_ENV_VARS_FILE", "prod.env");
        env.set("MIRRORD_ENV_LOAD_FROM_PROCESS", "true");
        auto loaded = load_ok(R"({"feature": {"env": {"exclude": ["C"]}}})");
        CHECK(loaded.config.env.exclude == std::vector<std::string>{"A", "B"});
        CHECK(loaded.config.env.env_file == std::optional<std::string>("prod.env"));
        CHECK(loaded.config.env.load_from_process);
    }
    SECTION("agent, kube and certificate variables") {
        env.set("MIRRORD_AGENT_NAMESPACE", "agents");
        env.set("MIRRORD_AGENT_RUST_LOG", "trace");
        env.set("MIRRORD_AGENT_IMAGE", "img:1");
        env.set("MIRRORD_AGENT_STARTUP_TIMEOUT", "+90");
        env.set("MIRRORD_KUBECONFIG", "/tmp/kc");
        env.set("MIRRORD_ACCEPT_INVALID_CERTIFICATES", "true");
        auto loaded = load_ok(R"({"target": "pod/x"})");
        CHECK(loaded.config.agent.namespace_ == std::optional<std::string>("agents"));
        CHECK(loaded.config.agent.log_level == "trace");
        CHECK(loaded.config.agent.image == "img:1");
        CHECK(loaded.config.agent.startup_timeout == 90);
        CHECK(loaded.config.kubeconfig == std::optional<std::string>("/tmp/kc"));
        CHECK(loaded.config.accept_invalid_certificates == std::optional<bool>(true));
    }
}

TEST_CASE("env values that do not parse name the variable") {
    ScopedEnv env;
    SECTION("bools accept only true and false") {
        env.set("MIRRORD_OPERATOR_ENABLE", "yes");
        CHECK(load_error("{}") == "invalid MIRRORD_OPERATOR_ENABLE value `yes`: provided string "
                                  "was not `true` or `false`");
    }
    SECTION("integers use Rust's texts") {
        env.set("MIRRORD_AGENT_TTL", "1x");
        CHECK(load_error("{}") == "invalid MIRRORD_AGENT_TTL value `1x`: invalid digit found in string");
        env.set("MIRRORD_AGENT_TTL", "70000");
        CHECK(load_error("{}") ==
              "invalid MIRRORD_AGENT_TTL value `70000`: number too large to fit in target type");
        env.set("MIRRORD_AGENT_TTL", "");
        CHECK(load_error("{}") ==
              "invalid MIRRORD_AGENT_TTL value ``: cannot parse integer from empty string");
    }
    SECTION("targets use the target grammar") {
        env.set("MIRRORD_IMPERSONATED_TARGET", "nginx");
        CHECK_THAT(load_error("{}"),
                   Catch::StartsWith("invalid MIRRORD_IMPERSONATED_TARGET value `nginx`: "
                                     "Provided target: nginx is unsupported"));
    }
}

TEST_CASE("session key resolution") {
    ScopedEnv env;
    SECTION("the file's key is rendered with git_branch and used in templates") {
        env.set("MIRRORD_BRANCH_NAME", "feat-1");
        auto loaded = load_ok(R"({"key": "k-{{ git_branch }}", "kube_context": "{{ key }}"})");
        CHECK(loaded.config.key == std::optional<std::string>("k-feat-1"));
        CHECK_FALSE(loaded.config.key_generated);
        CHECK(loaded.config.kube_context == std::optional<std::string>("k-feat-1"));
    }
    SECTION("MIRRORD_KEY beats the file") {
        env.set("MIRRORD_KEY", "from-env");
        auto loaded = load_ok(R"({"key": "from-file", "kube_context": "{{ key }}"})");
        CHECK(loaded.config.key == std::optional<std::string>("from-env"));
        CHECK(loaded.config.kube_context == std::optional<std::string>("from-env"));
    }
}

TEST_CASE("loading from files") {
    ScopedEnv env;
    SECTION("MIRRORD_CONFIG_FILE names the file when no path is given") {
        auto path = write_temp("from-env.yaml", "target: pod/x\n");
        env.set("MIRRORD_CONFIG_FILE", path);
        auto loaded = load({});
        REQUIRE(loaded);
        CHECK(loaded->path == std::optional<std::string>(path));
        CHECK(loaded->config.target.path->display() == "pod/x");
    }
    SECTION("no path and no MIRRORD_CONFIG_FILE gives defaults plus env") {
        env.set("MIRRORD_IMPERSONATED_TARGET", "pod/y");
        auto loaded = load({});
        REQUIRE(loaded);
        CHECK_FALSE(loaded->path);
        CHECK(loaded->config.target.path->display() == "pod/y");
    }
    SECTION("a missing file is an error naming it") {
        LoadOptions options;
        options.path = "/nonexistent/mirrord.json";
        auto loaded = load(options);
        REQUIRE_FALSE(loaded);
        CHECK_THAT(loaded.error().message(), Catch::StartsWith("failed to read the file: "));
        CHECK_THAT(loaded.error().message(), Catch::Contains("/nonexistent/mirrord.json"));
    }
    SECTION("type errors name the file and the key path") {
        auto path = write_temp("typed.toml", "[feature.copy_target]\nscale_down = 1\n");
        LoadOptions options;
        options.path = path;
        auto loaded = load(options);
        REQUIRE_FALSE(loaded);
        CHECK(loaded.error().message() == path + ": feature.copy_target.scale_down: invalid "
                                                 "type: expected true or false, found an integer");
    }
}

TEST_CASE("text that is not UTF-8 is refused, as mirrord does") {
    ScopedEnv env;
    SECTION("in the file, with its position") {
        CHECK(load_error("{\n  \"kube_context\": \"a\x8a\"\n}") ==
              "mirrord.json: failed to read the file: line 2, column 21: stream did not contain "
              "valid UTF-8");
        CHECK_THAT(load_error("a: \xed\xa0\x80\n", "m.yaml"), Catch::Contains("valid UTF-8"));
        CHECK_THAT(load_error("a = \"\xc0\xaf\"\n", "m.toml"), Catch::Contains("valid UTF-8"));
    }
    SECTION("in a MIRRORD_* variable") {
        env.set("MIRRORD_KUBE_CONTEXT", "ctx\xff");
        CHECK(load_error("{}") == "invalid MIRRORD_KUBE_CONTEXT value: it is not valid UTF-8");
    }
    SECTION("brought in by a template") {
        env.set("MIRRORD_TEST_BYTES", "\xfe");
        CHECK(load_error(R"({"kube_context": "{{ get_env(name='MIRRORD_TEST_BYTES') }}"})") ==
              "mirrord.json: failed to render template: a rendered value is not valid UTF-8");
    }
    SECTION("valid multi-byte text passes") {
        auto loaded = load_ok("{\"kube_context\": \"kontekst-\xc5\xbc\xf0\x9f\x9a\x80\"}");
        CHECK(loaded.config.kube_context == std::optional<std::string>("kontekst-\xc5\xbc\xf0\x9f\x9a\x80"));
    }
}

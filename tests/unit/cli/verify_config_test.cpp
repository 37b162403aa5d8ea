// Runs the real mirrord binary's verify-config and checks the JSON a user (or an IDE) sees.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "tests/unit/common/config/test_env.hpp"

using nlohmann::json;
using mirrord::testing::ScopedEnv;
namespace fs = std::filesystem;

namespace {

struct Run {
    int status;
    std::string out;
};

// Runs `mirrord <args>` through /bin/sh, capturing stdout; stderr is dropped. `input`, when
// given, is piped to stdin (it must not contain single quotes).
Run run_mirrord(const std::string& args, const std::string& input = "") {
    std::string command = std::string(MIRRORD_BINARY) + " " + args + " 2>/dev/null";
    if (!input.empty())
        command = "printf '%s' '" + input + "' | " + command;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    REQUIRE(pipe);
    std::string out;
    std::array<char, 4096> buffer{};
    while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get()))
        out.append(buffer.data(), n);
    int status = ::pclose(pipe.release());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string corpus_file(const std::string& kind, const std::string& name) {
    return (fs::path(MIRRORD_TEST_DATA) / "configs" / kind / name).string();
}

json verify(const std::string& args, const std::string& input = "") {
    auto run = run_mirrord("verify-config " + args, input);
    CHECK(run.status == 0);
    INFO(run.out);
    REQUIRE(json::accept(run.out));
    return json::parse(run.out);
}

} // namespace

TEST_CASE("verify-config prints mirrord's Success shape") {
    ScopedEnv env;
    SECTION("the queue-splitting config of the Kafka guide") {
        auto out = verify(corpus_file("valid", "mirrord.json"));
        CHECK(out["type"] == "Success");
        CHECK(out["config"]["path"] ==
              json::parse(R"({"deployment": "kafka-consumer", "container": "consumer"})"));
        CHECK(out["config"]["namespace"].is_null());
        CHECK(out["warnings"] == json::array());
        CHECK(out["compatible_target_types"].size() == 9);
        CHECK_FALSE(out.contains("resolved_config"));
    }
    SECTION("copy_target with scale_down narrows the compatible types") {
        auto out = verify(corpus_file("valid", "copy_scaledown.json"));
        CHECK(out["compatible_target_types"] ==
              json::parse(R"(["deployment","job","cronjob","statefulset","replicaset"])"));
    }
    SECTION("out-of-scope keys come back as warnings, targetless as a string") {
        auto out = verify(corpus_file("valid", "targetless_env_off.json"));
        CHECK(out["config"]["path"] == "targetless");
        auto warned = verify(corpus_file("valid", "network_fs.json"));
        CHECK(warned["type"] == "Success");
        CHECK(warned["config"]["namespace"] == "staging");
        CHECK(warned["warnings"].size() == 5); // network_fs.json.expect
    }
    SECTION("--resolved adds the resolved config with the key as a string") {
        env.set("MIRRORD_KEY", "fixed-key");
        auto out = verify("--resolved " + corpus_file("valid", "queue_modes.toml"));
        const json& resolved = out["resolved_config"];
        CHECK(resolved["key"] == "fixed-key");
        CHECK(resolved["target"]["path"] ==
              json::parse(R"({"deployment": "kafka-consumer", "container": "consumer"})"));
        CHECK(resolved["agent"]["image"] == "registry.local/mirrord:1.2.3");
        CHECK(resolved["feature"]["split_queues"]["orders"]["queue_mode"] == "steal");
        CHECK(resolved["feature"]["split_queues"]["payments"]["queue_mode"] == "mirror");
    }
}

TEST_CASE("verify-config prints mirrord's Fail shape and still exits 0") {
    ScopedEnv env;
    SECTION("an invalid regex") {
        auto out = verify(corpus_file("invalid", "bad_regex.json"));
        REQUIRE(out["type"] == "Fail");
        REQUIRE(out["errors"].size() == 1);
        std::string error = out["errors"][0];
        CHECK_THAT(error, Catch::StartsWith("Failed to verify mirrord config: "));
        CHECK_THAT(error, Catch::EndsWith("bad_regex.json: feature.split_queues.test_topic."
                                          "message_filter.source: invalid regex \"^(\": missing )"));
    }
    SECTION("--ide does not treat a missing target as targetless") {
        const std::string copy = R"({"feature": {"copy_target": true}})";
        auto cli = verify("-", copy);
        CHECK(cli["type"] == "Fail");
        CHECK_THAT(cli["errors"][0].get<std::string>(),
                   Catch::Contains("<stdin>: feature.copy_target: Conflicting configuration"));
        auto ide = verify("--ide -", copy);
        CHECK(ide["type"] == "Success");
        CHECK(ide["config"]["path"].is_null());
    }
    SECTION("a missing file") {
        auto out = verify("/nonexistent/mirrord.json");
        CHECK(out["type"] == "Fail");
    }
}

TEST_CASE("verify-config usage errors exit 2") {
    CHECK(run_mirrord("verify-config").status == 2);
    CHECK(run_mirrord("verify-config --bogus x.json").status == 2);
    auto help = run_mirrord("verify-config --help");
    CHECK(help.status == 0);
    CHECK_THAT(help.out, Catch::Contains("--resolved"));
    CHECK_THAT(help.out, Catch::Contains("--ide"));
}

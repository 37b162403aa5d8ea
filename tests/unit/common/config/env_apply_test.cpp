#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "common/config/env_apply.hpp"

using namespace mirrord;
using namespace mirrord::config;

namespace {

const EnvList remote = {
    {"KAFKA_URL", "kafka:9092"}, {"KAFKA_TOPIC", "orders"}, {"DB_URL", "pg://db"},
    {"DB_TIMEOUT", "5"},         {"PATH", "/remote/bin"},   {"HOME", "/root"},
    {"BUNDLE_GEMFILE", "/app/Gemfile"}, {"LOG_LEVEL", "info"},
};

EnvLookup no_env() {
    return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

EnvMap merged_ok(const EnvConfig& config) {
    auto merged = merge_remote_env(remote, config, no_env());
    INFO((merged ? "" : merged.error().message()));
    REQUIRE(merged);
    return *merged;
}

std::vector<std::string> names(const EnvMap& env) {
    std::vector<std::string> out;
    for (const auto& [name, value] : env)
        out.push_back(name);
    return out;
}

// A temporary env file, removed at the end of the test.
struct TempEnvFile {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("mirrord-env-apply-" + std::to_string(::getpid()) + ".env");
    explicit TempEnvFile(const std::string& text) { std::ofstream(path) << text; }
    ~TempEnvFile() { std::filesystem::remove(path); }
};

} // namespace

TEST_CASE("merge_remote_env filtering") {
    SECTION("by default everything but the always-excluded names is imported") {
        CHECK(names(merged_ok({})) == std::vector<std::string>{"DB_TIMEOUT", "DB_URL", "KAFKA_TOPIC",
                                                              "KAFKA_URL", "LOG_LEVEL"});
    }
    SECTION("include keeps only matching names; `;` separates patterns; ? is one character") {
        EnvConfig config;
        config.include = {"KAFKA_*;DB_UR?"};
        CHECK(names(merged_ok(config)) ==
              std::vector<std::string>{"DB_URL", "KAFKA_TOPIC", "KAFKA_URL"});
    }
    SECTION("exclude drops matching names") {
        EnvConfig config;
        config.exclude = {"DB_*", "LOG_LEVEL"};
        CHECK(names(merged_ok(config)) == std::vector<std::string>{"KAFKA_TOPIC", "KAFKA_URL"});
    }
    SECTION("always-excluded names stay out even when include names them") {
        EnvConfig config;
        config.include = {"PATH", "HOME", "BUNDLE_*"};
        CHECK(merged_ok(config).empty());
    }
    SECTION("wildcards are case-sensitive") {
        EnvConfig config;
        config.include = {"kafka_*"};
        CHECK(merged_ok(config).empty());
    }
    SECTION("include and exclude together are an error") {
        EnvConfig config;
        config.include = {"A"};
        config.exclude = {"B"};
        auto merged = merge_remote_env(remote, config, no_env());
        REQUIRE_FALSE(merged);
        CHECK(merged.error().message() ==
              "cannot use both `include` and `exclude` filters for environment variables");
    }
    SECTION("enabled: false and load_from_process fetch nothing, but override still applies") {
        EnvConfig disabled;
        disabled.enabled = false;
        disabled.override_ = {{"A", "1"}};
        CHECK(merged_ok(disabled) == EnvMap{{"A", "1"}});
        EnvConfig from_process;
        from_process.load_from_process = true;
        CHECK(merged_ok(from_process).empty());
    }
}

TEST_CASE("merge_remote_env order: env_file, mapping, override") {
    SECTION("env_file values overwrite remote ones and add new ones") {
        TempEnvFile file("KAFKA_URL=localhost:9092\nLOCAL_ONLY=yes\n");
        EnvConfig config;
        config.env_file = file.path.string();
        auto merged = merged_ok(config);
        CHECK(merged["KAFKA_URL"] == "localhost:9092");
        CHECK(merged["LOCAL_ONLY"] == "yes");
        CHECK(merged["KAFKA_TOPIC"] == "orders");
    }
    SECTION("an unreadable env_file is an error naming the key and the file") {
        EnvConfig config;
        config.env_file = "/nonexistent/app.env";
        auto merged = merge_remote_env(remote, config, no_env());
        REQUIRE_FALSE(merged);
        CHECK(merged.error().message().rfind("feature.env.env_file: reading /nonexistent/app.env",
                                             0) == 0);
    }
    SECTION("mapping replaces the value of vars whose name matches, env_file ones included") {
        TempEnvFile file("HTTP_TIMEOUT=30\n");
        EnvConfig config;
        config.env_file = file.path.string();
        config.mapping = {{"_TIMEOUT$", "1000"}, {"LOG", "debug"}};
        auto merged = merged_ok(config);
        CHECK(merged["DB_TIMEOUT"] == "1000");
        CHECK(merged["HTTP_TIMEOUT"] == "1000");
        CHECK(merged["LOG_LEVEL"] == "debug"); // unanchored search
        CHECK(merged["DB_URL"] == "pg://db");
    }
    SECTION("when several patterns match, the first in sorted order wins") {
        EnvConfig config;
        config.mapping = {{"KAFKA", "b"}, {"K.*", "a"}};
        CHECK(merged_ok(config)["KAFKA_URL"] == "a");
    }
    SECTION("an invalid mapping regex is an error naming the pattern") {
        EnvConfig config;
        config.mapping = {{"(", "x"}};
        auto merged = merge_remote_env(remote, config, no_env());
        REQUIRE_FALSE(merged);
        CHECK(merged.error().message().rfind("feature.env.mapping: invalid regex \"(\": ", 0) == 0);
    }
    SECTION("override wins over remote, env_file and mapping") {
        TempEnvFile file("KAFKA_URL=from-file\n");
        EnvConfig config;
        config.env_file = file.path.string();
        config.mapping = {{"KAFKA", "mapped"}};
        config.override_ = {{"KAFKA_URL", "overridden"}, {"NEW", "1"}};
        auto merged = merged_ok(config);
        CHECK(merged["KAFKA_URL"] == "overridden");
        CHECK(merged["KAFKA_TOPIC"] == "mapped");
        CHECK(merged["NEW"] == "1");
    }
}

TEST_CASE("build_child_env") {
    EnvMap local = {{"PATH", "/usr/bin"}, {"KAFKA_URL", "local"}, {"EDITOR", "vim"},
                    {"MIRRORD_PROGRESS_MODE", "json"}, {"Debug", "1"}};
    EnvMap merged = {{"KAFKA_URL", "remote"}, {"TOPIC", "orders"}, {"DEBUG", "0"}};
    EnvConfig config;
    config.unset = {"debug;EDITOR"};
    auto env = build_child_env(local, merged, config, "ab12cd");

    SECTION("the local env is overlaid by the remote one, and unset names are removed "
            "case-insensitively; the session marker is set") {
        CHECK(env == std::vector<std::string>{"KAFKA_URL=remote", "MIRRORD_EXEC_SESSION=ab12cd",
                                              "PATH=/usr/bin", "TOPIC=orders"});
    }
}

TEST_CASE("nested_session_marker") {
    SECTION("our marker or mirrord's resolved config means we already run inside a session") {
        CHECK(nested_session_marker({{"MIRRORD_EXEC_SESSION", "x"}}) == "MIRRORD_EXEC_SESSION");
        CHECK(nested_session_marker({{"MIRRORD_RESOLVED_CONFIG", "e30="}}) ==
              "MIRRORD_RESOLVED_CONFIG");
        CHECK_FALSE(nested_session_marker({{"PATH", "/bin"}}));
    }
}

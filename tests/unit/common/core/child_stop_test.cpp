// run_child's stop request: how `exec` ends the app when its session is lost (SIGTERM, then
// SIGKILL after the grace period), on the same loop that forwards signals.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "common/core/process.hpp"

extern char** environ;

using namespace mirrord;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> environment() {
    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry)
        env.emplace_back(*entry);
    return env;
}

} // namespace

TEST_CASE("run_child with a stop request") {
    auto started = std::chrono::steady_clock::now();
    auto after = [&](std::chrono::milliseconds delay) {
        return [&, delay] { return std::chrono::steady_clock::now() - started >= delay; };
    };
    SECTION("a child that ends on SIGTERM gets SIGTERM, and its status is returned") {
        auto record = std::filesystem::temp_directory_path() /
                      ("mirrord-stop-" + std::to_string(::getpid()));
        std::filesystem::remove(record);
        Command command{{SIGNAL_RECORDER, "--record", record.string(), "--on-signal-exit", "3",
                         "--linger-ms", "0"},
                        environment()};
        ChildHooks hooks;
        hooks.stop_requested = after(300ms);
        auto status = run_child(command, hooks);
        REQUIRE(status);
        CHECK(*status == 3);
        std::ifstream file(record);
        std::stringstream text;
        text << file.rdbuf();
        CHECK(text.str() == "ready\nTERM\n");
        CHECK(std::chrono::steady_clock::now() - started < 3s);
        std::filesystem::remove(record);
    }
    SECTION("a child that ignores SIGTERM is killed once the grace period is over") {
        Command command{{"sh", "-c", "trap '' TERM; while true; do sleep 0.05; done"},
                        environment()};
        ChildHooks hooks;
        hooks.stop_requested = after(200ms);
        hooks.stop_grace = 500ms;
        auto status = run_child(command, hooks);
        REQUIRE(status);
        CHECK(*status == 128 + 9);
        auto elapsed = std::chrono::steady_clock::now() - started;
        CHECK(elapsed >= 700ms);
        CHECK(elapsed < 3s);
    }
    SECTION("without a stop request the child runs to its end and ticks keep their period") {
        Command command{{"sh", "-c", "sleep 0.5"}, environment()};
        ChildHooks hooks;
        int ticks = 0;
        hooks.tick = [&] { ++ticks; };
        hooks.period = 200ms;
        hooks.stop_requested = [] { return false; };
        auto status = run_child(command, hooks);
        REQUIRE(status);
        CHECK(*status == 0);
        CHECK(ticks >= 1);
        CHECK(ticks <= 3);
    }
}

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <csignal>

#include <unistd.h>

#include "common/core/process.hpp"

using namespace mirrord;

extern char** environ;

namespace {

std::vector<std::string> own_env() {
    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry)
        env.emplace_back(*entry);
    return env;
}

Command recorder(std::vector<std::string> args) {
    Command command{{SIGNAL_RECORDER}, own_env()};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    return command;
}

} // namespace

TEST_CASE("find_executable") {
    SECTION("a bare name is looked up in each PATH entry in order") {
        auto found = find_executable("sh", "/nonexistent:/bin:/usr/bin");
        REQUIRE(found);
        CHECK(found->find("/sh") != std::string::npos);
    }
    SECTION("an unknown name is 'command not found'") {
        auto found = find_executable("mirrord-no-such-command", "/bin:/usr/bin");
        REQUIRE_FALSE(found);
        CHECK(found.error().message() == "command not found");
    }
    SECTION("a file without the execute bit is 'permission denied'") {
        auto dir = std::filesystem::temp_directory_path() /
                   ("mirrord-find-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "tool") << "#!/bin/sh\n";
        auto found = find_executable("tool", dir.string());
        std::filesystem::remove_all(dir);
        REQUIRE_FALSE(found);
        CHECK(found.error().message() == "permission denied");
    }
    SECTION("a name with a slash is used as is") {
        CHECK(*find_executable("/bin/sh", "") == "/bin/sh");
    }
}

TEST_CASE("exit_code_from_wait_status") {
    SECTION("a normal exit gives the exit code") {
        CHECK(exit_code_from_wait_status(7 << 8) == 7);
    }
    SECTION("death by signal N gives 128+N") {
        CHECK(exit_code_from_wait_status(SIGTERM) == 128 + SIGTERM);
    }
}

TEST_CASE("run_child") {
    SECTION("the child's exit code 0 is returned") {
        CHECK(*run_child(recorder({"--exit", "0"})) == 0);
    }
    SECTION("the child's exit code 7 is returned") {
        CHECK(*run_child(recorder({"--exit", "7"})) == 7);
    }
    SECTION("a child killed by SIGTERM gives 128+15") {
        CHECK(*run_child(recorder({"--raise", "15"})) == 143);
    }
    SECTION("an unknown command is an error naming it") {
        auto result = run_child(Command{{"mirrord-no-such-command"}, own_env()});
        REQUIRE_FALSE(result);
        CHECK(result.error().message() == "running mirrord-no-such-command: command not found");
    }
    SECTION("the child gets exactly the given environment") {
        Command command{{"/bin/sh", "-c", "test -z \"$HOME\" && exit $CODE"}, {"CODE=5"}};
        CHECK(*run_child(command) == 5);
    }
    SECTION("PATH from the child's environment is used for the lookup") {
        Command command{{"sh", "-c", "exit 4"}, {"PATH=/nonexistent:/bin:/usr/bin"}};
        CHECK(*run_child(command) == 4);
    }
    SECTION("hooks: started gets the pid, tick runs periodically while the child runs") {
        std::atomic<int> ticks{0};
        pid_t started = 0;
        ChildHooks hooks;
        hooks.started = [&](pid_t pid) { started = pid; };
        hooks.tick = [&] { ++ticks; };
        hooks.period = std::chrono::milliseconds(20);
        Command command{{"/bin/sh", "-c", "sleep 0.3"}, own_env()};
        CHECK(*run_child(command, hooks) == 0);
        CHECK(started > 0);
        CHECK(ticks >= 5);
    }
}

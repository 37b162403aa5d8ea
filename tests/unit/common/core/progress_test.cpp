#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/core/log.hpp"
#include "common/core/progress.hpp"
#include "common/core/strings.hpp"

using namespace mirrord;
using nlohmann::json;

namespace {

// Collects everything the progress writes.
struct Capture {
    std::mutex mutex;
    std::string text;

    ProgressOptions options(ProgressMode mode, bool terminal = false) {
        ProgressOptions options;
        options.mode = mode;
        options.terminal = terminal;
        options.tick = std::chrono::milliseconds(5);
        options.sink = [this](std::string_view chunk) {
            std::lock_guard lock(mutex);
            text += chunk;
        };
        return options;
    }
    std::vector<std::string> lines() {
        std::lock_guard lock(mutex);
        auto pieces = split(text, '\n');
        if (!pieces.empty() && pieces.back().empty())
            pieces.pop_back();
        return pieces;
    }
};

const std::string root_title = std::string("mirrord exec (cli version ") + MIRRORD_VERSION + ")";

// A typical exec run: one finished subtask, a warning, an info, one dropped unfinished.
void typical_run(ProgressOptions options) {
    auto root = start_progress("mirrord exec", std::move(options));
    {
        auto connect = root.subtask("connecting to the target");
        connect.success("connected to the target");
    }
    root.warning("agent is old");
    root.info("using kubeconfig ~/.kube/config");
    { auto dropped = root.subtask("waiting for the copy to be ready"); }
    root.success("Ready!");
}

} // namespace

TEST_CASE("parse_progress_mode") {
    SECTION("each documented value selects its mode") {
        CHECK(parse_progress_mode("std") == ProgressMode::standard);
        CHECK(parse_progress_mode("standard") == ProgressMode::standard);
        CHECK(parse_progress_mode("simple") == ProgressMode::simple);
        CHECK(parse_progress_mode("dumb") == ProgressMode::simple);
        CHECK(parse_progress_mode("json") == ProgressMode::json);
        CHECK(parse_progress_mode("off") == ProgressMode::off);
    }
    SECTION("unset or unknown values fall back to the spinner") {
        CHECK(parse_progress_mode("") == ProgressMode::standard);
        CHECK(parse_progress_mode("JSON") == ProgressMode::standard);
    }
}

TEST_CASE("Progress in json mode") {
    Capture capture;
    typical_run(capture.options(ProgressMode::json));
    std::vector<json> events;
    for (const auto& line : capture.lines())
        events.push_back(json::parse(line));
    REQUIRE(events.size() == 8);

    SECTION("the root task omits the cli version and has no parent") {
        CHECK(events[0] == json{{"type", "NewTask"}, {"name", "mirrord exec"}, {"parent", nullptr}});
    }
    SECTION("subtasks name their parent, and finishing reports success and message") {
        CHECK(events[1] == json{{"type", "NewTask"},
                                {"name", "connecting to the target"},
                                {"parent", "mirrord exec"}});
        CHECK(events[2] == json{{"type", "FinishedTask"},
                                {"name", "connecting to the target"},
                                {"success", true},
                                {"message", "connected to the target"}});
    }
    SECTION("warnings and infos are their own objects") {
        CHECK(events[3] == json{{"type", "Warning"}, {"message", "agent is old"}});
        CHECK(events[4] == json{{"type", "Info"}, {"message", "using kubeconfig ~/.kube/config"}});
    }
    SECTION("a task dropped unfinished is a failure with a null message") {
        CHECK(events[6] == json{{"type", "FinishedTask"},
                                {"name", "waiting for the copy to be ready"},
                                {"success", false},
                                {"message", nullptr}});
        CHECK(events[7]["message"] == "Ready!");
    }
}

TEST_CASE("Progress in std mode without a terminal") {
    Capture capture;
    typical_run(capture.options(ProgressMode::standard, false));
    SECTION("only final lines are printed, indented two spaces per level, without escapes") {
        CHECK(capture.lines() == std::vector<std::string>{
                                     "  ✓ connected to the target",
                                     "! agent is old",
                                     "* using kubeconfig ~/.kube/config",
                                     "  x waiting for the copy to be ready",
                                     "✓ Ready!",
                                 });
        CHECK(capture.text.find('\x1b') == std::string::npos);
        CHECK(capture.text.find('\r') == std::string::npos);
    }
}

TEST_CASE("Progress in std mode on a terminal") {
    Capture capture;
    {
        auto root = start_progress("mirrord exec", capture.options(ProgressMode::standard, true));
        auto task = root.subtask("checking operator");
        // Let the spinner thread redraw a few times.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < deadline) {
            {
                std::lock_guard lock(capture.mutex);
                if (capture.text.find("⠄") != std::string::npos)
                    break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        task.failure("operator not found");
        root.success();
    }
    SECTION("the spinner line is redrawn in place and replaced by the final line") {
        CHECK(capture.text.find("\r\x1b[2K  ⠄ checking operator") != std::string::npos);
        CHECK(capture.text.find("\r\x1b[2K  x operator not found\n") != std::string::npos);
        CHECK(capture.text.find("\r\x1b[2K✓ " + root_title + "\n") != std::string::npos);
    }
}

TEST_CASE("Progress in simple and off modes") {
    SECTION("simple mode prints task names and messages as plain lines") {
        Capture capture;
        typical_run(capture.options(ProgressMode::simple));
        CHECK(capture.lines() == std::vector<std::string>{
                                     root_title,
                                     "connecting to the target",
                                     "connected to the target",
                                     "agent is old",
                                     "using kubeconfig ~/.kube/config",
                                     "waiting for the copy to be ready",
                                     "Ready!",
                                 });
    }
    SECTION("off mode prints nothing") {
        Capture capture;
        typical_run(capture.options(ProgressMode::off));
        CHECK(capture.text.empty());
    }
}

TEST_CASE("Progress redacts secrets") {
    log::add_secret("hunter2-progress-secret");
    auto mode = GENERATE(ProgressMode::json, ProgressMode::simple, ProgressMode::standard);
    Capture capture;
    {
        auto root = start_progress("mirrord exec", capture.options(mode));
        root.info("password is hunter2-progress-secret");
        root.success("done hunter2-progress-secret");
    }
    SECTION("no registered secret value appears in any mode") {
        CHECK(capture.text.find("hunter2") == std::string::npos);
        CHECK(capture.text.find("********") != std::string::npos);
    }
}

TEST_CASE("Progress on a terminal after the root finished") {
    Capture capture;
    auto root = start_progress("mirrord exec", capture.options(ProgressMode::standard, true));
    {
        auto task = root.subtask("starting session");
        task.success();
    }
    root.success("Ready!");
    auto written = [&] {
        std::lock_guard lock(capture.mutex);
        return capture.text.size();
    };
    size_t at_ready = written();

    SECTION("nothing more is written while the app runs: the spinner does not erase its line") {
        // About absence, so a bounded wait: 100 spinner ticks of 5 ms.
        auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
        while (std::chrono::steady_clock::now() < until && written() == at_ready)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::lock_guard lock(capture.mutex);
        CHECK(capture.text.size() == at_ready);
        CHECK(capture.text.substr(capture.text.size() - std::string("✓ Ready!\n").size()) ==
              "✓ Ready!\n");
    }
    SECTION("a warning is its own line and erases nothing the app printed") {
        root.warning("renewing the session lease failed");
        auto subtask = root.subtask("late task");
        subtask.success("late task done");
        std::lock_guard lock(capture.mutex);
        CHECK(capture.text.substr(at_ready) ==
              "! renewing the session lease failed\n  ✓ late task done\n");
    }
}

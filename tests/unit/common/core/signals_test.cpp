#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/core/process.hpp"
#include "common/core/signals.hpp"

using namespace mirrord;
using namespace std::chrono_literals;

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// Polls until the recorder wrote "ready" (its handlers are installed), with a deadline.
bool wait_ready(const std::string& path) {
    auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
        auto lines = read_lines(path);
        if (!lines.empty() && lines.front() == "ready")
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

// Polls until the file has at least `count` lines, with a deadline.
bool wait_lines(const std::string& path, size_t count) {
    auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
        if (read_lines(path).size() >= count)
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

// Waits for `pid` with a deadline; -1 (after SIGKILL) when it does not exit in time.
// `drain` is read meanwhile so a pty child never blocks on a full terminal buffer.
int wait_exit(pid_t pid, int drain = -1) {
    auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (drain >= 0) {
            char buffer[256];
            while (::read(drain, buffer, sizeof buffer) > 0) {
            }
        }
        std::this_thread::sleep_for(5ms);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
}

std::string temp_record_file(const char* name) {
    auto path = std::filesystem::temp_directory_path() /
                (std::string("mirrord-") + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove(path);
    return path.string();
}

// What the forked "mirrord" does: run the recorder through run_child and exit with its status.
[[noreturn]] void run_wrapper(const std::string& record_file) {
    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry)
        env.emplace_back(*entry);
    Command command{{SIGNAL_RECORDER, "--record", record_file, "--on-signal-exit", "3"}, env};
    auto code = run_child(command);
    ::_exit(code ? *code : 120);
}

} // namespace

TEST_CASE("should_forward") {
    SECTION("a signal sent by a process with kill(2) is forwarded") {
        CHECK(should_forward({SIGINT, SI_USER, 1234}, {}));
        CHECK(should_forward({SIGTERM, SI_QUEUE, 1234}, {}));
    }
    SECTION("a terminal signal is not forwarded: the child in our group got it too") {
        CHECK_FALSE(should_forward({SIGINT, SI_KERNEL, 0}, {}));
        CHECK_FALSE(should_forward({SIGWINCH, SI_KERNEL, 0}, {}));
    }
    SECTION("a terminal signal is forwarded when the child left our process group") {
        CHECK(should_forward({SIGINT, SI_KERNEL, 0}, {false, false}));
    }
    SECTION("a hangup to us as session leader is forwarded: only the leader gets it") {
        CHECK(should_forward({SIGHUP, SI_KERNEL, 0}, {true, true}));
        CHECK_FALSE(should_forward({SIGHUP, SI_KERNEL, 0}, {true, false}));
    }
}

TEST_CASE("SignalForwarder") {
    SECTION("only one forwarder may be active, and a new one can start once it is gone") {
        auto first = SignalForwarder::install();
        REQUIRE(first);
        CHECK_FALSE(SignalForwarder::install());
        first->reset();
        CHECK(SignalForwarder::install());
    }
    SECTION("the forwarded signals are caught while it lives, and restored when it is destroyed") {
        struct sigaction before {};
        ::sigaction(SIGUSR1, nullptr, &before);
        REQUIRE((before.sa_flags & SA_SIGINFO) == 0); // the runner's own: not ours
        REQUIRE(before.sa_handler != SIG_IGN);
        {
            std::vector<struct sigaction> found(forwarded_signals().size());
            for (size_t i = 0; i < found.size(); ++i)
                ::sigaction(forwarded_signals()[i], nullptr, &found[i]);
            auto forwarder = SignalForwarder::install();
            REQUIRE(forwarder);
            for (size_t i = 0; i < found.size(); ++i) {
                struct sigaction during {};
                ::sigaction(forwarded_signals()[i], nullptr, &during);
                CAPTURE(forwarded_signals()[i]);
                if ((found[i].sa_flags & SA_SIGINFO) == 0 && found[i].sa_handler == SIG_IGN) {
                    CHECK(during.sa_handler == SIG_IGN); // a runner started with `&` or nohup
                    continue;
                }
                // Ours takes siginfo (it tells a terminal's signal from a kill); without it a
                // SIGUSR1 would take its default action and end mirrord instead of the child.
                CHECK((during.sa_flags & SA_SIGINFO) != 0);
                CHECK(during.sa_handler != SIG_DFL);
            }
        }
        struct sigaction after {};
        ::sigaction(SIGUSR1, nullptr, &after);
        CHECK(after.sa_handler == before.sa_handler);
        CHECK(after.sa_flags == before.sa_flags);
    }
}

TEST_CASE("run_child forwards signals sent to mirrord exactly once") {
    auto signo = GENERATE(SIGTERM, SIGINT, SIGUSR1);
    auto record_file = temp_record_file("kill");
    pid_t wrapper = ::fork();
    REQUIRE(wrapper >= 0);
    if (wrapper == 0) {
        ::setpgid(0, 0); // so nothing aimed at the wrapper's group can reach the test runner
        run_wrapper(record_file);
    }
    REQUIRE(wait_ready(record_file));
    ::kill(wrapper, signo);
    if (signo == SIGUSR1) { // not a stopping signal: stop the recorder once it recorded it
        REQUIRE(wait_lines(record_file, 2));
        ::kill(wrapper, SIGTERM);
    }
    int code = wait_exit(wrapper);
    auto lines = read_lines(record_file);
    std::filesystem::remove(record_file);
    CHECK(code == 3); // the child's own exit code, passed through
    if (signo == SIGUSR1)
        CHECK(lines == std::vector<std::string>{"ready", "USR1", "TERM"});
    else
        CHECK(lines == std::vector<std::string>{"ready", signo == SIGINT ? "INT" : "TERM"});
}

TEST_CASE("Ctrl+C in a terminal reaches the child exactly once") {
    auto record_file = temp_record_file("pty");
    int master = -1;
    pid_t wrapper = ::forkpty(&master, nullptr, nullptr, nullptr);
    REQUIRE(wrapper >= 0);
    if (wrapper == 0)
        run_wrapper(record_file); // session leader, foreground group of the new terminal
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
    REQUIRE(wait_ready(record_file));

    SECTION("a resize (SIGWINCH to the foreground group) is delivered once, then Ctrl+C once") {
        winsize size{};
        size.ws_row = 40;
        size.ws_col = 120;
        ::ioctl(master, TIOCSWINSZ, &size);
        REQUIRE(wait_lines(record_file, 2));
        char ctrl_c = 0x03; // VINTR by default: the line discipline sends SIGINT to the group
        REQUIRE(::write(master, &ctrl_c, 1) == 1);
        int code = wait_exit(wrapper, master);
        auto lines = read_lines(record_file);
        CHECK(code == 3);
        CHECK(lines == std::vector<std::string>{"ready", "WINCH", "INT"});
    }
    ::close(master);
    std::filesystem::remove(record_file);
}

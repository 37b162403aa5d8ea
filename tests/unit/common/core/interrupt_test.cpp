#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "common/core/interrupt.hpp"

using namespace mirrord;
using namespace std::chrono_literals;

namespace {

constexpr std::array<int, 3> guarded = {SIGINT, SIGTERM, SIGHUP};

extern "C" void test_handler(int) {}

// The handler installed for `signo` right now (sa_handler; our handlers do not use SA_SIGINFO).
void (*handler_of(int signo))(int) {
    struct sigaction current {};
    ::sigaction(signo, nullptr, &current);
    return current.sa_handler;
}

// Installs `handler` for the three signals and puts the previous dispositions back at the end,
// so the test runner keeps its own.
struct Dispositions {
    std::array<struct sigaction, 3> before{};
    explicit Dispositions(void (*handler)(int)) {
        for (size_t i = 0; i < guarded.size(); ++i) {
            struct sigaction action {};
            action.sa_handler = handler;
            sigemptyset(&action.sa_mask);
            ::sigaction(guarded[i], &action, &before[i]);
        }
    }
    ~Dispositions() {
        for (size_t i = 0; i < guarded.size(); ++i)
            ::sigaction(guarded[i], &before[i], nullptr);
    }
};

// Runs `body` in a forked child and returns its exit code (-1 if it died or hung: killed after
// a deadline). Raising a signal there leaves this process's received() untouched.
template <typename Body> int in_child(Body body) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0)
        ::_exit(body());
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        std::this_thread::sleep_for(2ms);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
}

} // namespace

TEST_CASE("InterruptGuard") {
    SECTION("while it lives the signals are caught, and the disposition found comes back") {
        Dispositions app(test_handler);
        {
            InterruptGuard guard;
            for (int signo : guarded)
                CHECK(handler_of(signo) != test_handler);
        }
        for (int signo : guarded)
            CHECK(handler_of(signo) == test_handler);
    }
    SECTION("nested guards restore, innermost first, what each found") {
        Dispositions app(test_handler);
        {
            InterruptGuard outer;
            auto outer_handler = handler_of(SIGINT);
            REQUIRE(outer_handler != test_handler);
            {
                InterruptGuard inner;
                CHECK(handler_of(SIGINT) == outer_handler);
            }
            for (int signo : guarded)
                CHECK(handler_of(signo) == outer_handler);
        }
        for (int signo : guarded)
            CHECK(handler_of(signo) == test_handler);
    }
    SECTION("an ignored signal stays ignored, also for a nested guard") {
        Dispositions app(SIG_IGN);
        {
            InterruptGuard outer;
            InterruptGuard inner;
            for (int signo : guarded)
                CHECK(handler_of(signo) == SIG_IGN);
        }
        for (int signo : guarded)
            CHECK(handler_of(signo) == SIG_IGN);
    }
    SECTION("a signal under a nested guard only sets the flag, which outlives both guards") {
        int code = in_child([] {
            {
                InterruptGuard outer;
                {
                    InterruptGuard inner;
                }
                ::raise(SIGTERM); // the default action would end the child with a signal
            }
            return InterruptGuard::received() == SIGTERM ? 0 : 1;
        });
        CHECK(code == 0);
    }
}

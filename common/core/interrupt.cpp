#include "common/core/interrupt.hpp"

#include <array>
#include <csignal>

namespace mirrord {
namespace {

constexpr std::array<int, 3> caught = {SIGINT, SIGTERM, SIGHUP};
volatile std::sig_atomic_t first_signal = 0;

extern "C" void remember_signal(int signo) {
    if (first_signal == 0)
        first_signal = signo;
}

} // namespace

InterruptGuard::InterruptGuard() {
    for (size_t i = 0; i < caught.size(); ++i) {
        sigaction(caught[i], nullptr, &saved_[i]);
        if ((saved_[i].sa_flags & SA_SIGINFO) == 0 && saved_[i].sa_handler == SIG_IGN)
            continue; // nohup and background jobs: keep ignoring, as the app would
        struct sigaction action {};
        action.sa_handler = remember_signal;
        sigemptyset(&action.sa_mask);
        sigaction(caught[i], &action, nullptr);
    }
}

InterruptGuard::~InterruptGuard() {
    for (size_t i = 0; i < caught.size(); ++i)
        sigaction(caught[i], &saved_[i], nullptr);
}

int InterruptGuard::received() { return first_signal; }

} // namespace mirrord

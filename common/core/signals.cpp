#include "common/core/signals.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/core/log.hpp"

namespace mirrord {
namespace {

// The pipe end the handler writes to; -1 when no forwarder is active. A plain global because a
// signal handler can reach nothing else.
std::atomic<int> g_signal_pipe{-1};
std::atomic<bool> g_forwarder_active{false};

static_assert(std::atomic<int>::is_always_lock_free, "signal handler needs a lock-free atomic");

// Async-signal-safe: only write(2) and errno save/restore. The pipe is non-blocking, so a burst of
// signals that fills it drops events instead of blocking inside the handler.
extern "C" void record_signal(int signo, siginfo_t* info, void*) {
    int saved_errno = errno;
    SignalEvent event;
    event.signo = signo;
    event.code = info != nullptr ? info->si_code : 0;
    event.from = info != nullptr ? info->si_pid : 0;
    int fd = g_signal_pipe.load(std::memory_order_relaxed);
    if (fd >= 0) {
        ssize_t written = ::write(fd, &event, sizeof event);
        (void)written;
    }
    errno = saved_errno;
}

ForwardContext context_for(pid_t child) {
    ForwardContext context;
    pid_t child_group = ::getpgid(child);
    // A child that already exited (ESRCH) is treated as still in our group: nothing to send.
    context.child_in_our_group = child_group < 0 || child_group == ::getpgrp();
    context.we_lead_session = ::getsid(0) == ::getpid();
    return context;
}

} // namespace

const std::vector<int>& forwarded_signals() {
    static const std::vector<int> signals = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT,
                                             SIGUSR1, SIGUSR2, SIGWINCH};
    return signals;
}

bool should_forward(const SignalEvent& event, const ForwardContext& context) {
    if (event.code != SI_KERNEL)
        return true; // sent by a process to mirrord (kill, sigqueue, tgkill)
    if (event.signo == SIGHUP && context.we_lead_session)
        return true; // terminal hangup goes to the session leader only
    return !context.child_in_our_group;
}

Result<std::unique_ptr<SignalForwarder>> SignalForwarder::install() {
    if (g_forwarder_active.exchange(true))
        return fail("installing signal forwarding: another forwarder is active");
    std::unique_ptr<SignalForwarder> forwarder(new SignalForwarder());
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        g_forwarder_active = false;
        return fail("installing signal forwarding: pipe: {}", std::strerror(errno));
    }
    forwarder->read_fd_ = fds[0];
    forwarder->write_fd_ = fds[1];
    g_signal_pipe = fds[1];

    struct sigaction action {};
    action.sa_sigaction = record_signal;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    std::vector<int> caught = forwarded_signals();
    caught.push_back(SIGCHLD);
    for (int signo : caught) {
        struct sigaction previous {};
        ::sigaction(signo, nullptr, &previous);
        // An ignored signal stays ignored so the child inherits SIG_IGN across exec, as it
        // would running alone. SIGCHLD must be caught: ignoring it makes waitpid fail.
        if (signo != SIGCHLD && (previous.sa_flags & SA_SIGINFO) == 0 &&
            previous.sa_handler == SIG_IGN)
            continue;
        ::sigaction(signo, &action, nullptr);
        forwarder->saved_.emplace_back(signo, previous);
    }
    return forwarder;
}

SignalForwarder::~SignalForwarder() {
    for (const auto& [signo, previous] : saved_)
        ::sigaction(signo, &previous, nullptr);
    g_signal_pipe = -1;
    if (read_fd_ >= 0)
        ::close(read_fd_);
    if (write_fd_ >= 0)
        ::close(write_fd_);
    g_forwarder_active = false;
}

void SignalForwarder::drain_and_forward(pid_t child) {
    SignalEvent event;
    while (::read(read_fd_, &event, sizeof event) == static_cast<ssize_t>(sizeof event)) {
        if (event.signo == SIGCHLD)
            continue; // only wakes the wait loop
        if (!should_forward(event, context_for(child))) {
            log::debug("signal {} came from the terminal; the child got it directly",
                       strsignal(event.signo));
            continue;
        }
        log::debug("forwarding signal {} (from pid {}) to pid {}", strsignal(event.signo),
                   event.from, child);
        if (::kill(child, event.signo) == 0)
            ++forwarded_;
    }
}

Result<int> SignalForwarder::wait(pid_t child, const std::function<void()>& tick,
                                  std::chrono::milliseconds period) {
    using clock = std::chrono::steady_clock;
    // Bounded poll: even if a SIGCHLD were lost, the child's exit is seen within 200 ms.
    constexpr auto max_sleep = std::chrono::milliseconds(200);
    if (period <= std::chrono::milliseconds(0))
        period = max_sleep;
    auto next_tick = clock::now() + period;
    for (;;) {
        int status = 0;
        pid_t done = ::waitpid(child, &status, WNOHANG);
        if (done == child)
            return status;
        if (done < 0 && errno != EINTR)
            return fail("waiting for pid {}: {}", child, std::strerror(errno));
        drain_and_forward(child);

        auto now = clock::now();
        if (now >= next_tick) {
            if (tick)
                tick();
            now = clock::now();
            next_tick += period;
            if (next_tick <= now) // tick ran long: skip missed ticks rather than bunch them
                next_tick = now + period;
        }
        auto sleep = std::min<clock::duration>(next_tick - now, max_sleep);
        pollfd wake{read_fd_, POLLIN, 0};
        ::poll(&wake, 1,
               static_cast<int>(
                   std::chrono::duration_cast<std::chrono::milliseconds>(sleep).count()) +
                   1);
    }
}

} // namespace mirrord

#pragma once
// Forwarding signals from mirrord to the child it runs, so the child behaves as if it ran alone.
//
// Design (the "exactly once" rule). The child runs in mirrord's own process group and session,
// as `mirrord exec` would if it execve'd into the app: job control (Ctrl+Z, fg, bg), terminal
// reads and the shell's view of the job all keep working. The cost is that some signals reach
// both processes at once, so forwarding everything would deliver them twice. We tell the two
// kinds apart with siginfo:
//   - the kernel sends terminal signals (Ctrl+C SIGINT, Ctrl+\ SIGQUIT, SIGWINCH on resize, a
//     hangup to an orphaned group) to the whole foreground process group with si_code ==
//     SI_KERNEL and si_pid == 0 (Linux `kill_pgrp(..., priv=1)` -> SEND_SIG_PRIV). The child got
//     its own copy, so we do NOT forward, unless the child left our process group (setpgid or
//     setsid), in which case it did not get one;
//   - a signal sent by a process (kill(2), sigqueue, tgkill: SI_USER/SI_QUEUE/SI_TKILL with the
//     sender's pid) was addressed to mirrord; we forward it;
//   - exception: the kernel's hangup SIGHUP goes to the session leader only. When mirrord is the
//     session leader (ssh -t host mirrord ..., setsid mirrord ...) the child did not get it, so
//     we forward.
// Known limit: a signal that another process sends to the whole group (`kill -- -PGID`, or bash
// sending SIGHUP to its jobs when the terminal closes) reaches the child directly and again
// through us; siginfo cannot tell it from a kill aimed at mirrord alone.
//
// The handlers only write(2) a fixed-size record to a self-pipe (async-signal-safe, atomic below
// PIPE_BUF); all decisions and kill(2) calls happen in the waiting thread.

#include <chrono>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include <signal.h>
#include <sys/types.h>

#include "common/core/result.hpp"

namespace mirrord {

// What the handler saw: the signal number and where it came from.
struct SignalEvent {
    int signo = 0;
    int code = 0;    // siginfo si_code
    pid_t from = 0;  // siginfo si_pid (0 for kernel-generated signals)
};

// Facts about the processes at the time the signal is handled.
struct ForwardContext {
    bool child_in_our_group = true; // getpgid(child) == getpgrp()
    bool we_lead_session = false;   // getsid(0) == getpid()
};

// True when `event` should be re-sent to the child (see the design note above).
bool should_forward(const SignalEvent& event, const ForwardContext& context);

// The signals forwarded: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH.
const std::vector<int>& forwarded_signals();

// Catches the forwarded signals (and SIGCHLD, to wake the wait) while it lives; the destructor
// restores the previous dispositions. Signals that were ignored when it started (nohup, `&` in a
// non-interactive shell) stay ignored, so the child inherits SIG_IGN as it would running alone.
// Signals arriving before the child exists are held and forwarded once wait() starts.
// Only one may exist at a time in a process.
class SignalForwarder {
public:
    // Installs the handlers; fails if another forwarder is active or the pipe cannot be made.
    static Result<std::unique_ptr<SignalForwarder>> install();
    ~SignalForwarder();
    SignalForwarder(const SignalForwarder&) = delete;
    SignalForwarder& operator=(const SignalForwarder&) = delete;

    // Waits until `child` exits, forwarding signals to it and calling `tick` every `period`
    // (tick runs on this thread; it must not block for long). Returns the raw wait status.
    Result<int> wait(pid_t child, const std::function<void()>& tick,
                     std::chrono::milliseconds period);

    // How many signals were forwarded so far (for tests and debug logs).
    int forwarded_count() const { return forwarded_; }

private:
    SignalForwarder() = default;
    void drain_and_forward(pid_t child);

    int read_fd_ = -1;
    int write_fd_ = -1;
    int forwarded_ = 0;
    std::vector<std::pair<int, struct sigaction>> saved_;
};

} // namespace mirrord

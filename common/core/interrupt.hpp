#pragma once
// Catching SIGINT, SIGTERM and SIGHUP while mirrord prepares a session, before the child exists.
// A Ctrl+C during a long wait (copy pod starting, pods terminating) then makes the waits stop
// and the session be undone, instead of killing mirrord halfway with the cluster changed.

#include <array>

#include <signal.h>

namespace mirrord {

// While it lives, the three signals only set a flag; the destructor restores the dispositions
// it found. Signals ignored at start stay ignored. Guards nest (exec's undo() runs one inside
// the caller's): each keeps what it replaced, so destroying an inner guard puts the outer one's
// handler back, and destroying the outer one puts back what was there before either. Create and
// destroy them on one thread, innermost first (scopes do that).
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    // The first signal caught since any guard was installed, or 0.
    static int received();

private:
    std::array<struct sigaction, 3> saved_{};
};

} // namespace mirrord

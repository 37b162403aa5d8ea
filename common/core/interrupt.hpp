#pragma once
// Catching SIGINT, SIGTERM and SIGHUP while mirrord prepares a session, before the child exists.
// A Ctrl+C during a long wait (copy pod starting, pods terminating) then makes the waits stop
// and the session be undone, instead of killing mirrord halfway with the cluster changed.

namespace mirrord {

// While it lives, the three signals only set a flag; the destructor restores the previous
// dispositions. Signals ignored at start stay ignored. One at a time per process.
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    // The first signal caught since any guard was installed, or 0.
    static int received();
};

} // namespace mirrord

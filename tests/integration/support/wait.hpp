#pragma once
// Polling with a deadline, the one way integration tests wait for the cluster to reach a state
// (never a fixed sleep). Header-only: tests/CMakeLists.txt compiles only *_test.cpp.

#include <chrono>
#include <functional>
#include <thread>

namespace mirrord::testing {

// Calls `done` every 100 ms until it returns true or `timeout` has passed; returns its last
// answer (one last call at the deadline, so a slow poll still gets its final chance).
inline bool wait_until(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return done();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
}

} // namespace mirrord::testing

#pragma once
// The names of bench_split's topics and groups. None starts with "mirrord-tmp-": `mirrord reset`
// takes a "mirrord-tmp-<id>-..." topic whose session <id> has no Lease for a dead session's
// temporary and deletes it (agent/split_cleanup.hpp), and the tests run reset against the same
// broker, which would pull a topic from under a running benchmark.

#include <chrono>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

namespace mirrord::bench {

// "bench-split-<role>-<pid>-<clock>": unique per run and role.
inline std::string bench_name(const std::string& role) {
    return fmt::format("bench-split-{}-{}-{}", role, getpid(),
                       std::chrono::steady_clock::now().time_since_epoch().count() % 1000000000);
}

// The topic of the benchmark's session `index` (what exec would name mirrord-tmp-<id>-<topic>).
inline std::string session_topic_name(int index) {
    return bench_name(fmt::format("session{}", index));
}

} // namespace mirrord::bench

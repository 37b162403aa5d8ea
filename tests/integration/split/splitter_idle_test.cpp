// The splitter idles lightly: with a session and no traffic, the whole test process (the
// splitter's thread and librdkafka's) uses well under 1 % of a core.

#include "tests/integration/split/split_support.hpp"

#include <sys/resource.h>

using namespace mirrord;
using namespace mirrord::split_testing;

namespace {

std::chrono::microseconds cpu_time() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto micros = [](const timeval& t) { return t.tv_sec * 1'000'000LL + t.tv_usec; };
    return std::chrono::microseconds(micros(usage.ru_utime) + micros(usage.ru_stime));
}

} // namespace

TEST_CASE("splitter idle CPU", "[split][kafka]") {
    Scratch scratch;
    std::string original = scratch.topic("split-idle", 3);
    std::string session_topic = scratch.topic("split-it-idle", 3);
    std::string key = unique_name("idle");
    scratch.own_group(agent::splitter_group(key));

    agent::MemoryRegistry registry;
    auto splitter = must(agent::Splitter::start(options_for(original, key), registry));
    registry.add({"s", session_topic, {{"source", "^test-"}}, std::nullopt});
    REQUIRE(registry.wait_acknowledged("s", 30s));
    {
        Collector app(session_topic, scratch.group("split-app"));
        produce_all(original, 3, 0, 12);
        REQUIRE(app.records(6, 30s, 0ms).size() == 6);
    }
    REQUIRE(testing::wait_until(10s, [&] { return splitter->delivered()["s"] == 6; }));

    auto before = cpu_time();
    auto started = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(5s); // the measurement window
    auto elapsed = std::chrono::steady_clock::now() - started;
    double share = std::chrono::duration<double>(cpu_time() - before) /
                   std::chrono::duration<double>(elapsed);
    WARN(fmt::format("idle CPU: {:.2f} % of a core over 5 s", share * 100));
    CHECK(share < 0.01);
    CHECK_FALSE(splitter->failed());
}

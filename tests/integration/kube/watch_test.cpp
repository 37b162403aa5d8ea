// A watch keeps delivering events across a kube-apiserver restart (scripts/testenv restart),
// resuming from the last resourceVersion, and stops promptly when asked.

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "common/kube/resources.hpp"
#include "common/kube/watch.hpp"
#include "tests/integration/kube/testenv.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

kube::json config_map(const std::string& name) {
    return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}},
            {"data", {{"k", "v"}}}};
}

// The names a watch has seen, shared with the watching thread.
struct Seen {
    std::mutex mutex;
    std::set<std::string> names;
    int relists = 0;

    bool has(const std::string& name) {
        std::lock_guard lock(mutex);
        return names.count(name) > 0;
    }
};

} // namespace

TEST_CASE("kube watch survives an apiserver restart", "[kube]") {
    StderrCapture capture;
    auto client = admin_client();
    TestNamespace ns(*client, "it-watch");
    const std::string collection = kube::kinds::configmap.collection(ns.name());
    Seen seen;
    std::atomic<bool> stop{false};
    Status result;
    kube::WatchOptions options;
    options.stop = &stop;
    options.max_backoff = std::chrono::seconds(1);
    std::thread watcher([&] {
        result = kube::watch(*client, collection, options, [&](const kube::WatchEvent& event) {
            std::lock_guard lock(seen.mutex);
            if (event.type == "RELISTED") {
                ++seen.relists;
                for (const auto& item : event.object["items"])
                    seen.names.insert(item["metadata"]["name"].get<std::string>());
            } else if (event.type == "ADDED") {
                seen.names.insert(event.object["metadata"]["name"].get<std::string>());
            }
            return true;
        });
    });

    REQUIRE(client->create(collection, config_map("before-restart")));
    CHECK(wait_until(std::chrono::seconds(30), [&] { return seen.has("before-restart"); }));

    std::string restart_log;
    CHECK(run_command(std::string(MIRRORD_SOURCE_DIR) + "/scripts/testenv restart kube-apiserver",
                      &restart_log, true) == 0);
    // POST is not retried on a broken connection (it might have been applied); poll instead.
    CHECK(wait_until(std::chrono::seconds(60),
                     [&] { return bool(client->create(collection, config_map("after-restart"))); }));
    CHECK(wait_until(std::chrono::seconds(60), [&] { return seen.has("after-restart"); }));

    const auto stop_requested = std::chrono::steady_clock::now();
    stop = true;
    watcher.join();
    const auto stop_took = std::chrono::steady_clock::now() - stop_requested;
    auto log = capture.text();
    INFO(restart_log << log);
    CHECK(result);
    CHECK(stop_took < std::chrono::seconds(1));
    CHECK(seen.relists >= 1);
    CHECK_THAT(log, Catch::Contains("watch=true"));
    CHECK(log.find("admin-token") == std::string::npos);
}

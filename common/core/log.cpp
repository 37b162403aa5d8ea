#include "common/core/log.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <vector>

namespace mirrord::log {
namespace {

std::atomic<Level> current_level{Level::warn};

struct SecretStore {
    std::mutex mutex;
    std::vector<std::string> values; // longest first, so a secret containing another is hidden whole
};

SecretStore& secrets() {
    static SecretStore store;
    return store;
}

constexpr std::string_view mask = "********";

std::string_view level_name(Level level) {
    switch (level) {
    case Level::error:
        return "error";
    case Level::warn:
        return "warning";
    case Level::info:
        return "info";
    case Level::debug:
        return "debug";
    case Level::trace:
        return "trace";
    }
    return "log";
}

} // namespace

void set_level(Level level) { current_level = level; }
Level level() { return current_level; }
bool enabled(Level level) { return static_cast<int>(level) <= static_cast<int>(current_level.load()); }

void add_secret(std::string_view secret) {
    if (secret.size() < 4)
        return;
    auto& store = secrets();
    std::lock_guard lock(store.mutex);
    if (std::find(store.values.begin(), store.values.end(), secret) != store.values.end())
        return;
    store.values.emplace_back(secret);
    std::sort(store.values.begin(), store.values.end(),
              [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string redact(std::string_view text) {
    std::string out(text);
    auto& store = secrets();
    std::lock_guard lock(store.mutex);
    for (const auto& secret : store.values) {
        for (size_t pos = out.find(secret); pos != std::string::npos;
             pos = out.find(secret, pos + mask.size())) {
            out.replace(pos, secret.size(), mask);
        }
    }
    return out;
}

void write(Level level, std::string_view message) {
    auto line = fmt::format("mirrord: {}: {}\n", level_name(level), redact(message));
    std::fwrite(line.data(), 1, line.size(), stderr);
}

void error(std::string_view message) { write(Level::error, message); }

} // namespace mirrord::log

#pragma once
// STAND-IN (coord): the contract of part 3 (splitter), removed before merging h-splitter.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "agent/registration.hpp"
#include "common/core/result.hpp"

namespace mirrord::agent {

struct SplitterOptions {
    std::string original_topic;
    std::map<std::string, std::string> properties;
    std::string split_key;
    std::chrono::milliseconds commit_interval{100};
};

class Splitter {
public:
    static Result<std::unique_ptr<Splitter>> start(SplitterOptions options,
                                                   SessionRegistry& registry);
    void stop();
    bool failed() const { return false; }
    std::string failure() const { return {}; }
    std::map<std::string, uint64_t> delivered() const { return {}; }

private:
    explicit Splitter(SessionRegistry& registry) : registry_(registry) {}
    SessionRegistry& registry_;
    std::jthread thread_;
};

std::string splitter_group(const std::string& split_key);

} // namespace mirrord::agent

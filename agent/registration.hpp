#pragma once
// How sessions register with a split and how the splitter acknowledges them
// (SPLIT-INTERFACES.md part 2). The Lease-backed registry lives in lease_registry.*; tests use
// MemoryRegistry (memory_registry.hpp).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/core/result.hpp"

namespace mirrord::agent {

// One live session of a split, as its registration says.
struct SplitSession {
    std::string id;
    std::string session_topic;
    std::vector<std::pair<std::string, std::string>> filter; // header -> regex, all must match
    std::optional<std::map<int32_t, int64_t>> start_offsets; // set once acknowledged
    // The delivered count an earlier leader recorded (a lower bound: the committed offsets'
    // metadata has the exact one, split_resume.hpp).
    uint64_t delivered = 0;
};

// Where the splitter learns its sessions and records where their routing began.
class SessionRegistry {
public:
    virtual ~SessionRegistry() = default;
    // The live sessions of this split now (called at most every ~500 ms by the splitter).
    virtual Result<std::vector<SplitSession>> sessions() = 0;
    // Records where routing began for `session_id` (the split-start annotation).
    virtual Status acknowledge(const std::string& session_id,
                               const std::map<int32_t, int64_t>& start_offsets) = 0;
    // Progress for the summary; best effort.
    virtual void delivered(const std::string& session_id, uint64_t count) = 0;
    // The splitter stopped routing to an unregistered session and none of its copies is in an
    // open transaction any more: its topic may be deleted now (a producer still writing to it
    // would fail a transaction). `count` is the final delivered count. Best effort.
    virtual void released(const std::string& session_id, uint64_t count) = 0;
};

} // namespace mirrord::agent

#pragma once
// One session as the splitter routes to it: its filter, where its routing began, and the copies
// held back until its consumer is ready (hold_back.hpp). Internal to the splitter.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/filter.hpp"
#include "common/kafka/message.hpp"

namespace mirrord::agent {

// A copy waiting to be produced, with the original record's place (for rewinding on abort).
struct HeldCopy {
    int32_t partition = 0;
    int64_t offset = 0;
    kafka::OutgoingMessage copy;
};

struct Route {
    using Clock = std::chrono::steady_clock;

    std::string id;
    std::string topic;
    Filter filter;
    // First offset of the original topic routed to this session, per partition.
    std::map<int32_t, int64_t> start;
    Clock::time_point registered = Clock::now();

    // Partition count of the session topic once it is in the metadata; nullopt: not yet.
    std::optional<int> topic_partitions;
    // When a group member was first seen with the session topic assigned.
    std::optional<Clock::time_point> consumer_seen;
    // Copies go straight to the topic (the hold-back is over).
    bool delivering = false;
    // The session unregistered: nothing more is routed to it, and once no copy of it is in an
    // open transaction the registry hears it is released (its exec may then delete its topic).
    bool ended = false;

    std::deque<HeldCopy> held;
    std::size_t held_bytes = 0;
    // Copies from `held` produced in the open transaction: back to `held` if it aborts.
    std::vector<HeldCopy> inflight;

    uint64_t delivered = 0;       // committed copies
    uint64_t in_transaction = 0;  // copies produced in the open transaction
    uint64_t reported = 0;        // last count given to the registry

    // Whether the record at `offset` of `partition` is at or after this session's start.
    bool wants(int32_t partition, int64_t offset) const {
        auto it = start.find(partition);
        // A partition added after the acknowledgement: everything in it is new.
        return it == start.end() || offset >= it->second;
    }
    // The session topic is gone (deleted before the registry said the session ended, or by
    // hand): copies are held from now on, as for a topic not made yet (check_held looks again).
    void topic_gone() {
        topic_partitions.reset();
        delivering = false;
    }
    // Holds a copy back; false when the hold-back bounds are exceeded.
    bool hold(HeldCopy copy, std::size_t max_records, std::size_t max_bytes);
    // After an aborted transaction: what was in flight goes back to the buffer, and copies of
    // records at or past the rewound positions go (they will be consumed and routed again).
    void rewind(const std::map<int32_t, int64_t>& committed);
};

// The bytes a copy holds, for the hold-back bound.
std::size_t size_of(const kafka::OutgoingMessage& copy);

} // namespace mirrord::agent

#include "agent/split_route.hpp"

namespace mirrord::agent {

std::size_t size_of(const kafka::OutgoingMessage& copy) {
    std::size_t bytes = copy.topic.size() + (copy.key ? copy.key->size() : 0) +
                        (copy.value ? copy.value->size() : 0) + 64;
    for (const auto& header : copy.headers)
        bytes += header.name.size() + (header.value ? header.value->size() : 0) + 32;
    return bytes;
}

bool Route::hold(HeldCopy copy, std::size_t max_records, std::size_t max_bytes) {
    std::size_t bytes = size_of(copy.copy);
    if (held.size() + 1 > max_records || held_bytes + bytes > max_bytes)
        return false;
    held_bytes += bytes;
    held.push_back(std::move(copy));
    return true;
}

void Route::rewind(const std::map<int32_t, int64_t>& committed) {
    auto before_rewind = [&committed](const HeldCopy& copy) {
        auto it = committed.find(copy.partition);
        return it != committed.end() && copy.offset < it->second;
    };
    std::deque<HeldCopy> kept;
    std::size_t bytes = 0;
    // In-flight copies came from the front of `held`, so they go first: order is kept.
    for (auto& copy : inflight)
        if (before_rewind(copy)) {
            bytes += size_of(copy.copy);
            kept.push_back(std::move(copy));
        }
    for (auto& copy : held)
        if (before_rewind(copy)) {
            bytes += size_of(copy.copy);
            kept.push_back(std::move(copy));
        }
    inflight.clear();
    held = std::move(kept);
    held_bytes = bytes;
    in_transaction = 0;
}

} // namespace mirrord::agent

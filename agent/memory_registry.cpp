#include "agent/memory_registry.hpp"

#include <thread>

namespace mirrord::agent {

void MemoryRegistry::add(SplitSession session) {
    std::lock_guard lock(mutex_);
    std::string id = session.id;
    sessions_[id] = std::move(session);
}

void MemoryRegistry::remove(const std::string& session_id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(session_id);
}

void MemoryRegistry::set_failure(std::optional<std::string> message) {
    std::lock_guard lock(mutex_);
    failure_ = std::move(message);
}

std::optional<std::map<int32_t, int64_t>>
MemoryRegistry::start_offsets(const std::string& session_id) const {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session_id);
    if (it == sessions_.end())
        return std::nullopt;
    return it->second.start_offsets;
}

std::optional<std::map<int32_t, int64_t>>
MemoryRegistry::wait_acknowledged(const std::string& session_id,
                                  std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (auto offsets = start_offsets(session_id))
            return offsets;
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

uint64_t MemoryRegistry::delivered_count(const std::string& session_id) const {
    std::lock_guard lock(mutex_);
    auto it = delivered_.find(session_id);
    return it == delivered_.end() ? 0 : it->second;
}

Result<std::vector<SplitSession>> MemoryRegistry::sessions() {
    std::lock_guard lock(mutex_);
    if (failure_)
        return fail("listing split sessions: {}", *failure_);
    std::vector<SplitSession> all;
    for (const auto& [id, session] : sessions_) {
        all.push_back(session);
        if (auto count = delivered_.find(id); count != delivered_.end())
            all.back().delivered = count->second;
    }
    return all;
}

Status MemoryRegistry::acknowledge(const std::string& session_id,
                                   const std::map<int32_t, int64_t>& start_offsets) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session_id);
    if (it == sessions_.end())
        return fail("acknowledging split session {}: it has ended", session_id);
    it->second.start_offsets = start_offsets;
    return {};
}

void MemoryRegistry::delivered(const std::string& session_id, uint64_t count) {
    std::lock_guard lock(mutex_);
    delivered_[session_id] = count;
}

void MemoryRegistry::released(const std::string& session_id, uint64_t count) {
    std::lock_guard lock(mutex_);
    released_[session_id] = count;
    delivered_[session_id] = count;
}

std::optional<uint64_t> MemoryRegistry::released_count(const std::string& session_id) const {
    std::lock_guard lock(mutex_);
    auto it = released_.find(session_id);
    if (it == released_.end())
        return std::nullopt;
    return it->second;
}

} // namespace mirrord::agent

#pragma once
// A SessionRegistry held in memory, for tests and benchmarks: sessions are added and removed by
// the caller, acknowledgements are recorded and can be waited for. Thread-safe.

#include <chrono>
#include <mutex>

#include "agent/registration.hpp"

namespace mirrord::agent {

class MemoryRegistry : public SessionRegistry {
public:
    // Registers a session (replacing one with the same id).
    void add(SplitSession session);
    // Ends a session: the next sessions() no longer lists it.
    void remove(const std::string& session_id);
    // Makes sessions() fail with `message` until cleared (nullopt), like an unreachable apiserver.
    void set_failure(std::optional<std::string> message);

    // The start offsets acknowledged for the session, if any.
    std::optional<std::map<int32_t, int64_t>> start_offsets(const std::string& session_id) const;
    // Waits up to `timeout` for the session's acknowledgement.
    std::optional<std::map<int32_t, int64_t>> wait_acknowledged(const std::string& session_id,
                                                                std::chrono::milliseconds timeout);
    // The last delivered count reported for the session (0 if none).
    uint64_t delivered_count(const std::string& session_id) const;
    // The final count the splitter released the (removed) session with, once it has.
    std::optional<uint64_t> released_count(const std::string& session_id) const;

    Result<std::vector<SplitSession>> sessions() override;
    Status acknowledge(const std::string& session_id,
                       const std::map<int32_t, int64_t>& start_offsets) override;
    void delivered(const std::string& session_id, uint64_t count) override;
    void released(const std::string& session_id, uint64_t count) override;

private:
    mutable std::mutex mutex_;
    std::map<std::string, SplitSession> sessions_;
    std::map<std::string, uint64_t> delivered_;
    std::map<std::string, uint64_t> released_;
    std::optional<std::string> failure_;
};

} // namespace mirrord::agent

#pragma once
// What `mirrord operator status` shows of queue splitting: every split (one per namespace,
// workload and topic id) with the session that leads it (holds its splitter Lease) and the
// sessions registered with it, their filters, whether the splitter acknowledged them and how
// many records it delivered. Read from Leases only: the registry is the session Leases.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"

namespace mirrord::agent {

struct SplitMember {
    std::string session;
    std::string target;
    std::string owner;
    std::string session_topic;
    std::vector<std::pair<std::string, std::string>> filter;
    std::string state; // "routing", "waiting" (not acknowledged yet), "ending", "stale"
    uint64_t delivered = 0;
};

struct SplitRow {
    std::string key;
    std::string namespace_;
    std::string topic_id;
    std::string original_topic;
    std::string leader;       // session id holding the splitter Lease; empty when none
    std::string leader_state; // "active", "stale" (its Lease expired: a standby takes over)
    std::vector<SplitMember> sessions;
};

// The splits of `namespace_` (all namespaces when empty).
Result<std::vector<SplitRow>> list_splits(kube::Client& client, const std::string& namespace_);

} // namespace mirrord::agent

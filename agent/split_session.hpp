#pragma once
// One exec's part in one split (DESIGN.md section 4, step 6), in the order that keeps a crash
// harmless (every object is named after the session, so the reaper finds what a dead exec left):
//   1. check the broker (bounded by agent.startup_timeout, progress while waiting) and read the
//      original topic's partition count;
//   2. create the session topic with that count and wait until the broker's metadata shows all
//      of its partitions (a librdkafka consumer that subscribes before that logs
//      UNKNOWN_TOPIC_OR_PART and may not look again for topic.metadata.refresh.interval.ms);
//   3. register on the session Lease (the splitter reads registrations from there);
//   4. join the election for the split's splitter (agent/leader.hpp): lead it here, or stand by;
//   5. wait for the splitter's acknowledgement (split-start): only then may exec say Ready!.
// finish() undoes it: unregister, stop (or hand over) the splitter, delete the session topic
// and the session group.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/leader.hpp"
#include "agent/split_config.hpp"
#include "agent/split_names.hpp"
#include "common/config/config.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/target.hpp"

namespace mirrord::agent {

struct SessionSplitOptions {
    std::string namespace_;
    std::string session_id;
    std::chrono::seconds startup_timeout{60};
    std::function<void(const std::string&)> progress; // "waiting for the splitter ..."
    std::function<bool()> interrupted;                // Ctrl+C during the waits
};

class SessionSplit {
public:
    // Steps 1-5 for `split` with its resolved `plan`; on failure undoes what it did.
    static Result<std::unique_ptr<SessionSplit>> start(kube::Client& client,
                                                       const session::ResolvedTarget& target,
                                                       const config::QueueSplit& split,
                                                       SplitPlan plan, SessionSplitOptions options);
    ~SessionSplit();
    SessionSplit(const SessionSplit&) = delete;
    SessionSplit& operator=(const SessionSplit&) = delete;

    const std::string& session_topic() const { return topic_; }
    // "kafka: test-topic -> mirrord-tmp-1a2b3c4d-test_topic (source=^test-)".
    std::string summary() const;
    // Points the app at the session topic and group: the plan's topic variable becomes the
    // session topic, its group variable (if any) the session-unique group.
    void rewrite_env(std::vector<std::string>& env) const;
    // How many records the splitter delivered to this session so far (this split's leaders
    // together); after finish(), all it delivered.
    uint64_t delivered() const;
    // Undoes steps 1-5 (idempotent). Errors are collected, not stopped at.
    Status finish();

private:
    SessionSplit(kube::Client& client, SplitPlan plan, SessionSplitOptions options)
        : client_(client), plan_(std::move(plan)), options_(std::move(options)) {}
    Status create_topic(int partitions);
    Status await_start();

    kube::Client& client_;
    SplitPlan plan_;
    SessionSplitOptions options_;
    std::string key_, topic_;
    std::vector<std::pair<std::string, std::string>> filter_;
    bool topic_created_ = false, registered_ = false, finished_ = false;
    std::optional<uint64_t> final_delivered_; // set by finish()
    std::unique_ptr<SplitLeader> leader_;
};

// The non-secret properties of a plan, for the split-kafka annotation (the reaper connects with
// them again; secret ones it must resolve from the client config).
nlohmann::json recorded_kafka(const SplitPlan& plan);
// Deletes a session's temporary topics and groups (names starting "mirrord-tmp-<id>-") through
// the broker of `properties`; tolerant of what is already gone.
Status delete_temporaries(const std::map<std::string, std::string>& properties,
                          const std::string& session_id, std::vector<std::string>& actions);

} // namespace mirrord::agent

#pragma once
// The names a split uses in the cluster and the broker (SPLIT-INTERFACES.md part 2), and the
// registration a session records on its own Lease. One place, so exec, the splitter, the
// reaper, `reset` and `operator status` agree on every name.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"

namespace mirrord::agent {

inline constexpr const char* split_key_annotation = "mirrord.dev/split-key";
inline constexpr const char* split_annotation = "mirrord.dev/split";
inline constexpr const char* split_start_annotation = "mirrord.dev/split-start";
inline constexpr const char* split_delivered_annotation = "mirrord.dev/split-delivered";
// Written by the splitter once it routes nothing more to an unregistered session (its value
// names the splitter): the session's exec then deletes the session topic.
inline constexpr const char* split_released_annotation = "mirrord.dev/split-released";
// Where the reaper finds the broker again: client config name and non-secret properties.
inline constexpr const char* split_kafka_annotation = "mirrord.dev/split-kafka";
// The label on session and splitter Leases (same value as the annotation), for selection.
inline constexpr const char* split_key_label = "mirrord.dev/split-key";

// 12 hex chars of SHA-256 over "ns/kind/name/topic_id".
std::string split_key(const std::string& namespace_, const std::string& kind,
                      const std::string& name, const std::string& topic_id);
// "mirrord-splitter-<key>": the leader Lease.
std::string splitter_lease_name(const std::string& key);
// The splitter's consumer group and transactional.id, "mirrord-split-<key>", is
// splitter_group() of agent/splitter.hpp.
// "mirrord-tmp-<session>-<topic_id>": the session topic, and the session group.
std::string session_topic(const std::string& session_id, const std::string& topic_id);
// "mirrord-tmp-<session>-": every temporary topic and group of a session starts with it.
std::string session_prefix(const std::string& session_id);
// The session id of a "mirrord-tmp-<id>-..." name whose <id> is one mirrord makes (8 lowercase
// hex digits), if it is one.
std::optional<std::string> session_of_temporary(const std::string& name);

// What a session registers (the mirrord.dev/split annotation).
struct Registration {
    std::string topic_id;
    std::string original_topic;
    std::string session_topic;
    std::vector<std::pair<std::string, std::string>> filter; // header -> regex
    std::string mode = "mirror";
};
nlohmann::json to_json(const Registration& registration);
// Reads the annotation's text; an edited one is an error naming the key.
Result<Registration> parse_registration(const std::string& text);
// "source=^test-, x=y".
std::string describe_filter(const std::vector<std::pair<std::string, std::string>>& filter);

// The split-start annotation: first offset per partition, and who wrote it.
struct SplitStart {
    std::map<int32_t, int64_t> offsets;
    std::string splitter;
};
std::string split_start_text(const SplitStart& start);
Result<SplitStart> parse_split_start(const std::string& text);

} // namespace mirrord::agent

#pragma once
// The hold-back: why a session's copies wait until its consumer has its partitions.
//
// An app may hard-code its group and keep the library default auto.offset.reset=latest (the
// guide's sample app uses the deployed consumer's own group "test-consumer-group"). Such a
// consumer, when it finds no committed offset for the session topic, starts at the topic's end
// as it is when it looks: any copy written before that moment is skipped for good. Committing
// offset 0 for its group on its behalf does not work for any group (the broker refuses offset
// commits from non-members of a non-empty group), so the splitter does not write a session's
// copies until the session's consumer has positioned itself on the still-empty topic:
//
// 1. Copies of records at or after the session's start offsets are buffered (bounded by
//    SplitterOptions::max_held_records / max_held_bytes; past that, an error for the session).
// 2. While any session is held, every ~500 ms the splitter lists the cluster's consumer groups
//    and describes them: a member whose assignment names the session topic is the session's
//    consumer, whatever its group (ours, the session group, or a hard-coded one).
// 3. Seeing the assignment at the coordinator comes before the client has applied it: the
//    client still has to receive it (SyncGroup), look up its committed offset (OffsetFetch) and,
//    finding none, the end offset (ListOffsets). librdkafka does these on its own threads within
//    milliseconds; a client whose rebalance is served by its app's poll loop (the Java client,
//    librdkafka with an on_assign callback) does them at the app's next poll, and the guide's
//    app polls every second. The settle time (hold_settle, 2 s by default) covers one such poll
//    interval plus the round trips, with margin. Its only cost is that a new session's first
//    copies arrive up to 2 s later; none is lost, since they are held, not dropped.
// 4. Then the held copies are produced in order, and later ones go straight through.
// A consumer that assigns partitions itself (no group) is never seen; after max_hold (30 s) the
// copies are delivered anyway, which an `earliest` or explicit-offset reader still gets.

#include <chrono>
#include <set>
#include <string>

#include "common/kafka/admin.hpp"

namespace mirrord::agent {

// Those of `topics` that a member of some consumer group has partitions of assigned. The
// splitters' own groups (mirrord-split-*) are left out: they read original topics.
kafka::KafkaResult<std::set<std::string>> assigned_topics(kafka::Admin& admin,
                                                          const std::set<std::string>& topics,
                                                          std::chrono::milliseconds timeout);

} // namespace mirrord::agent

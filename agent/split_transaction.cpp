// Splitter::Engine: committing copies and consumed offsets in one transaction, aborting and
// rewinding when the transaction cannot commit, failing for good when fenced.

#include "agent/split_engine.hpp"

#include <cstdlib>
#include <cstring>

#include "common/core/log.hpp"

namespace mirrord::agent {
namespace {

using namespace std::chrono_literals;
constexpr auto transaction_timeout = 30s;
// A commit call returns after this (retriable) and the loop calls it again; normally a commit
// takes some 10 ms.
constexpr auto commit_wait = 1s;
// A commit still not over after this is given up, and a new engine starts from the last commit.
// A session topic deleted by hand while copies to it are in flight stalls librdkafka 2.0.2's
// idempotent producer on every partition until those copies time out (message.timeout.ms, here
// transaction.timeout.ms: 30 s), and every session with it; the new producer fences the stuck
// one, whose transaction the broker aborts.
constexpr auto stuck_commit = 5s;
// Below the broker's default offset.metadata.max.bytes (4096), with margin.
constexpr std::size_t max_metadata = 3500;

} // namespace

void Splitter::Engine::commit() {
    if (!transaction_open_ || failed_)
        return;
    auto began = Clock::now();
    if (!commit_pending_) {
        commit_began_ = began;
        auto group = consumer_->group_metadata();
        if (!group) {
            fail(group.error().message(), Recovery::restart);
            return;
        }
        // The C call, not Producer's: the offsets carry metadata (split_resume.hpp).
        kafka::PartitionListPtr offsets = offsets_to_commit();
        if (offsets->cnt > 0)
            if (rd_kafka_error_t* error = rd_kafka_send_offsets_to_transaction(
                    producer_->handle(), offsets.get(), group->get(),
                    static_cast<int>(transaction_timeout.count() * 1000))) {
                handle(kafka::KafkaError::from("sending offsets to kafka transaction", error),
                       "committing consumed offsets");
                return;
            }
    }
    auto offsets_sent = Clock::now();
    if (auto committed = producer_->commit_transaction(commit_wait); !committed) {
        if (committed.error().retriable() && !committed.error().txn_requires_abort() &&
            !committed.error().fatal()) {
            commit_pending_ = true;
            if (auto waited = Clock::now() - commit_began_; waited >= stuck_commit) {
                fail(fmt::format("a transaction did not commit in {} s ({}): its copies are "
                                 "not delivered (a session topic deleted by hand?)",
                                 std::chrono::duration_cast<std::chrono::seconds>(waited).count(),
                                 committed.error().message()),
                     Recovery::restart);
                return;
            }
            // librdkafka: a retriable commit failure is retried by calling commit again.
            log::debug("splitter {}: {} (retrying)", options_.split_key,
                       committed.error().message());
            return;
        }
        // The commit call is over (it failed): an abort may follow now.
        commit_pending_ = false;
        handle(committed.error(), "committing a transaction");
        return;
    }
    if (auto took = Clock::now() - commit_began_; took > std::chrono::milliseconds(50))
        log::debug("splitter {}: a commit took {} ms (its offsets {} ms)", options_.split_key,
                   std::chrono::duration_cast<std::chrono::milliseconds>(took).count(),
                   std::chrono::duration_cast<std::chrono::milliseconds>(offsets_sent - began)
                       .count());
    committed();
}

void Splitter::Engine::committed() {
    transaction_open_ = false;
    commit_pending_ = false;
    for (const auto& [partition, next] : next_)
        if (next)
            committed_[partition] = *next;
    bool delivered = false;
    for (auto& [id, route] : routes_) {
        delivered = delivered || route.in_transaction > 0;
        route.delivered += route.in_transaction;
        route.in_transaction = 0;
        route.inflight.clear();
    }
    if (delivered)
        publish();
    release_ended();
}

bool Splitter::Engine::eligible(const Route& route, int32_t partition, int64_t offset) const {
    auto resume = resume_.find(partition);
    if (resume == resume_.end() || offset >= resume->second.until)
        return true;
    auto need = resume->second.needs.find(route.id);
    return need != resume->second.needs.end() && offset >= need->second;
}

std::map<std::string, uint64_t> Splitter::Engine::delivered_with_transaction() const {
    std::map<std::string, uint64_t> counts = resumed_delivered_;
    for (const auto& [id, route] : routes_)
        counts[id] = route.delivered + route.in_transaction;
    return counts;
}

kafka::PartitionListPtr Splitter::Engine::offsets_to_commit() const {
    kafka::PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(next_.size())));
    // As they are once this transaction commits: the metadata commits with it.
    std::map<std::string, uint64_t> delivered = delivered_with_transaction();
    for (const auto& [partition, next] : next_) {
        if (!next)
            continue;
        // Sessions that still need records below `next`: the first of their held copies, and
        // what the previous leader's metadata says of sessions not caught up yet.
        std::map<std::string, int64_t> needs;
        for (const auto& [id, route] : routes_)
            for (const auto& held : route.held)
                if (held.partition == partition) {
                    needs[id] = held.offset;
                    break;
                }
        int64_t until = *next;
        if (auto resume = resume_.find(partition);
            resume != resume_.end() && *next < resume->second.until) {
            until = resume->second.until;
            for (const auto& [id, from] : resume->second.needs) {
                auto route = routes_.find(id);
                // Not read that far yet, or a session not admitted yet: still needed.
                if (!needs.contains(id) && (from >= *next || route == routes_.end()))
                    needs[id] = from;
            }
        }
        int64_t offset = *next;
        for (const auto& [id, from] : needs)
            offset = std::min(offset, from);
        rd_kafka_topic_partition_t* entry =
            rd_kafka_topic_partition_list_add(list.get(), options_.original_topic.c_str(), partition);
        entry->offset = offset;
        if (!needs.empty() || !delivered.empty()) {
            std::string metadata = encode(Resume{until, needs, delivered});
            // The broker refuses metadata over offset.metadata.max.bytes (4096 by default), and
            // with it the whole commit: the counts are then left out (the Lease has a lower
            // bound of them), never the needs.
            if (metadata.size() > max_metadata)
                metadata = needs.empty() ? std::string() : encode(Resume{until, needs, {}});
            // The list frees its entries' metadata with free().
            entry->metadata = metadata.empty() ? nullptr : std::malloc(metadata.size());
            if (entry->metadata != nullptr) {
                std::memcpy(entry->metadata, metadata.data(), metadata.size());
                entry->metadata_size = metadata.size();
            }
        }
    }
    return list;
}

void Splitter::Engine::handle(const kafka::KafkaError& error, std::string_view what) {
    if (error.fenced()) {
        // A newer splitter of this split called init_transactions: it leads now.
        fail(fmt::format("{}: {}", what, error.message()), Recovery::none);
        return;
    }
    if (error.fatal() || commit_pending_) {
        // This producer is broken for good (a session topic deleted inside the transaction can
        // do that), or a commit it started has an unknown outcome and it allows nothing but that
        // commit again: a new engine learns from the broker what committed.
        fail(fmt::format("{}: {}", what, error.message()), Recovery::restart);
        return;
    }
    log::warn("splitter {}: {}: {}; aborting the transaction and reading again from the last "
              "commit",
              options_.split_key, what, error.message());
    if (transaction_open_) {
        if (auto aborted = producer_->abort_transaction(transaction_timeout); !aborted) {
            fail(fmt::format("{}: {}; then {}", what, error.message(), aborted.error().message()),
                 aborted.error().fenced() ? Recovery::none : Recovery::restart);
            return;
        }
    }
    transaction_open_ = false;
    commit_pending_ = false;
    rewind();
    // The most likely cause of a failed copy is a session topic deleted (by the reaper before
    // the registry said so, or by hand): such routes hold their copies from now on, and the
    // registry is asked again at once. The ended sessions' copies were aborted with the rest.
    hold_gone_topics();
    release_ended();
    next_refresh_ = Clock::now();
}

void Splitter::Engine::rewind() {
    for (auto& [id, route] : routes_)
        route.rewind(committed_);
    std::map<int32_t, int64_t> targets;
    for (auto& [partition, next] : next_) {
        auto committed = committed_.find(partition);
        if (committed == committed_.end()) {
            next.reset(); // resolved again from the group's committed offset
            resolve_needed_ = true;
            continue;
        }
        next = committed->second;
        targets[partition] = committed->second;
    }
    if (auto sought = seek(targets); !sought)
        fail("rewinding after an aborted transaction: " + sought.error().message(),
             Recovery::restart);
}

void Splitter::Engine::fail(std::string message, Recovery recovery) {
    // Splitter::run reports it, and starts a new engine or gives up.
    failed_ = true;
    restartable_ = recovery == Recovery::restart;
    failure_ = fmt::format("splitter of {}: {}", options_.original_topic, message);
}

std::map<std::string, uint64_t> Splitter::Engine::routed() const {
    std::map<std::string, uint64_t> sessions;
    for (const auto& [id, route] : routes_)
        sessions[id] = route.delivered;
    return sessions;
}

void Splitter::Engine::publish() {
    std::lock_guard lock(shared_->mutex);
    for (const auto& [id, route] : routes_)
        shared_->delivered[id] = route.delivered;
    for (const auto& [id, reason] : refused_)
        shared_->session_errors[id] = reason;
}

} // namespace mirrord::agent

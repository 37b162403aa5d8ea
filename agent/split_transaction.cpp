// Splitter::Engine: committing copies and consumed offsets in one transaction, aborting and
// rewinding when the transaction cannot commit, failing for good when fenced.

#include "agent/split_engine.hpp"

#include "common/core/log.hpp"

namespace mirrord::agent {
namespace {

using namespace std::chrono_literals;
constexpr auto transaction_timeout = 30s;

} // namespace

void Splitter::Engine::commit() {
    if (!transaction_open_ || failed_)
        return;
    auto began = Clock::now();
    if (!commit_pending_) {
        kafka::TopicPartitions offsets;
        for (const auto& [partition, next] : next_)
            if (next)
                offsets.push_back({options_.original_topic, partition, *next});
        auto group = consumer_->group_metadata();
        if (!group) {
            fail(group.error().message());
            return;
        }
        if (auto sent = producer_->send_offsets_to_transaction(offsets, *group, transaction_timeout);
            !sent) {
            handle(sent.error(), "committing consumed offsets");
            return;
        }
    }
    if (auto committed = producer_->commit_transaction(transaction_timeout); !committed) {
        if (committed.error().retriable() && !committed.error().txn_requires_abort() &&
            !committed.error().fatal()) {
            // librdkafka: a retriable commit failure is retried by calling commit again.
            log::debug("splitter {}: {} (retrying)", options_.split_key,
                       committed.error().message());
            commit_pending_ = true;
            return;
        }
        handle(committed.error(), "committing a transaction");
        return;
    }
    transaction_open_ = false;
    commit_pending_ = false;
    if (auto took = Clock::now() - began; took > std::chrono::milliseconds(50))
        log::debug("splitter {}: a commit took {} ms", options_.split_key,
                   std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
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
}

void Splitter::Engine::handle(const kafka::KafkaError& error, std::string_view what) {
    if (error.fatal()) {
        // Fenced (a newer splitter of this split called init_transactions) or broken for good.
        fail(fmt::format("{}: {}", what, error.message()));
        return;
    }
    log::warn("splitter {}: {}: {}; aborting the transaction and reading again from the last "
              "commit",
              options_.split_key, what, error.message());
    if (transaction_open_) {
        if (auto aborted = producer_->abort_transaction(transaction_timeout); !aborted) {
            fail(fmt::format("{}: {}; then {}", what, error.message(), aborted.error().message()));
            return;
        }
    }
    transaction_open_ = false;
    commit_pending_ = false;
    rewind();
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
        fail("rewinding after an aborted transaction: " + sought.error().message());
}

void Splitter::Engine::fail(std::string message) {
    failed_ = true;
    std::string text = fmt::format("splitter of {}: {}", options_.original_topic, message);
    log::warn("{}", text);
    {
        std::lock_guard lock(shared_->mutex);
        shared_->failure = text;
    }
    shared_->failed = true;
}

void Splitter::Engine::publish() {
    std::lock_guard lock(shared_->mutex);
    for (const auto& [id, route] : routes_)
        shared_->delivered[id] = route.delivered;
    for (const auto& [id, reason] : refused_)
        shared_->session_errors[id] = reason;
}

} // namespace mirrord::agent

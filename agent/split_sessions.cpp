// Splitter::Engine: sessions coming and going (the registry), their acknowledgement, and the
// hold-back of their copies until their consumer is ready (hold_back.hpp says why).

#include "agent/hold_back.hpp"
#include "agent/split_engine.hpp"

#include <algorithm>

#include "common/core/log.hpp"

namespace mirrord::agent {
namespace {

using namespace std::chrono_literals;
constexpr auto admin_timeout = 5s;
// A session waiting for the positions to be known is admitted soon after they are.
constexpr auto pending_retry = 100ms;

} // namespace

void Splitter::Engine::refresh_sessions() {
    next_refresh_ = Clock::now() + options_.registry_interval;
    auto listed = registry_.sessions();
    if (!listed) {
        // Keep routing to the sessions known so far; a registry hiccup ends none of them.
        log::warn("splitter {}: {}", options_.split_key, listed.error().message());
        return;
    }
    std::set<std::string> live;
    for (const auto& session : *listed) {
        live.insert(session.id);
        if (routes_.contains(session.id) || refused_.contains(session.id))
            continue;
        admit(session);
    }
    bool ended = false;
    for (auto& [id, route] : routes_) {
        if (live.contains(id) || route.ended)
            continue;
        log::debug("splitter {}: session {} ended; {} held copies dropped", options_.split_key,
                   id, route.held.size());
        route.ended = true;
        route.held.clear();
        route.held_bytes = 0;
        ended = true;
    }
    for (const auto& [id, delivered] : inherited_) {
        if (live.contains(id))
            continue;
        // The committed metadata's count, when it is there, has the failed engine's last commit.
        auto resumed = resumed_delivered_.find(id);
        registry_.released(id, resumed == resumed_delivered_.end()
                                   ? delivered
                                   : std::max(delivered, resumed->second));
    }
    inherited_.clear();
    std::erase_if(refused_, [&live](const auto& entry) { return !live.contains(entry.first); });
    std::erase_if(resumed_delivered_,
                  [&live](const auto& entry) { return !live.contains(entry.first); });
    // Its copies in the open transaction commit first (commit() then releases it): its exec
    // deletes the topic once released, and a copy still in flight would fail the transaction.
    if (ended && transaction_open_)
        commit();
    release_ended();
}

void Splitter::Engine::release_ended() {
    if (transaction_open_)
        return;
    for (auto it = routes_.begin(); it != routes_.end();) {
        if (!it->second.ended) {
            ++it;
            continue;
        }
        registry_.released(it->first, it->second.delivered);
        it = routes_.erase(it);
    }
}

void Splitter::Engine::admit(const SplitSession& session) {
    auto filter = Filter::compile(session.filter);
    if (!filter) {
        refuse(session.id, fmt::format("split session {}: filter: {}", session.id,
                                       filter.error().message()));
        return;
    }
    std::map<int32_t, int64_t> start;
    if (session.start_offsets) {
        // Acknowledged by an earlier leader: its start stands (the new leader resumes from the
        // committed offsets, and routes this session nothing before its start).
        start = *session.start_offsets;
    } else {
        if (!positions_complete()) {
            next_refresh_ = std::min(next_refresh_, Clock::now() + pending_retry);
            return;
        }
        for (const auto& [partition, next] : next_) {
            start[partition] = *next;
            // Re-reading for sessions the previous leader still owed: a new one starts after.
            if (auto resume = resume_.find(partition); resume != resume_.end())
                start[partition] = std::max(*next, resume->second.until);
        }
        // Before any record at or past `start` is routed to it: exec prints Ready! after this.
        if (auto acknowledged = registry_.acknowledge(session.id, start); !acknowledged) {
            log::warn("splitter {}: {}", options_.split_key, acknowledged.error().message());
            next_refresh_ = std::min(next_refresh_, Clock::now() + pending_retry);
            return;
        }
    }
    log::debug("splitter {}: session {} -> {} ({})", options_.split_key, session.id,
               session.session_topic, filter->describe());
    Route route{.id = session.id,
                .topic = session.session_topic,
                .filter = std::move(*filter),
                .start = std::move(start)};
    if (session.start_offsets) {
        // An earlier leader's copies count too: "delivered N" at the session's exit is all of
        // them. Its committed metadata is exact; the Lease's count is a lower bound of it.
        route.delivered = session.delivered;
        if (auto resumed = resumed_delivered_.find(session.id); resumed != resumed_delivered_.end())
            route.delivered = std::max(route.delivered, resumed->second);
    }
    routes_.emplace(session.id, std::move(route));
    next_hold_check_ = Clock::now(); // look for its topic and consumer right away
}

void Splitter::Engine::check_held() {
    std::set<std::string> held_topics;
    for (auto& [id, route] : routes_) {
        if (route.delivering || route.ended)
            continue;
        if (!route.topic_partitions) {
            // exec creates the topic; until it is in the metadata, copies wait in the buffer.
            auto partitions = admin_->partition_count(route.topic, admin_timeout);
            if (!partitions) {
                log::debug("splitter {}: session topic {}: {}", options_.split_key, route.topic,
                           partitions.error().message());
                continue;
            }
            route.topic_partitions = *partitions;
        }
        held_topics.insert(route.topic);
    }
    if (held_topics.empty())
        return;
    auto assigned = assigned_topics(*admin_, held_topics, admin_timeout);
    if (!assigned)
        log::debug("splitter {}: looking for session consumers: {}", options_.split_key,
                   assigned.error().message());
    auto now = Clock::now();
    for (auto& [id, route] : routes_) {
        if (route.delivering || route.ended || !route.topic_partitions)
            continue;
        if (assigned && assigned->contains(route.topic) && !route.consumer_seen)
            route.consumer_seen = now;
        bool settled = route.consumer_seen && now - *route.consumer_seen >= options_.hold_settle;
        bool too_long = now - route.registered >= options_.max_hold;
        if (!settled && !too_long)
            continue;
        route.delivering = true;
        log::debug("splitter {}: delivering to {} ({} held copies{})", options_.split_key,
                   route.topic, route.held.size(),
                   settled ? "" : "; no consumer seen, delivering anyway");
    }
}

void Splitter::Engine::hold_gone_topics() {
    bool delivering = std::any_of(routes_.begin(), routes_.end(),
                                  [](const auto& entry) { return entry.second.delivering; });
    if (!delivering)
        return;
    auto topics = admin_->list_topics(admin_timeout);
    if (!topics) {
        log::debug("splitter {}: listing topics: {}", options_.split_key,
                   topics.error().message());
        return;
    }
    std::set<std::string> present(topics->begin(), topics->end());
    for (auto& [id, route] : routes_) {
        if (!route.delivering || present.contains(route.topic))
            continue;
        // Copies to it would fail every transaction they are in.
        log::debug("splitter {}: session topic {} is gone; holding its copies",
                   options_.split_key, route.topic);
        route.topic_gone();
    }
}

void Splitter::Engine::report_delivered(bool force) {
    bool changed = false;
    for (auto& [id, route] : routes_) {
        if (route.delivered == route.reported && !force)
            continue;
        registry_.delivered(id, route.delivered);
        route.reported = route.delivered;
        changed = true;
    }
    if (changed || force)
        publish();
}

void Splitter::Engine::refuse(const std::string& session_id, std::string reason) {
    log::warn("splitter {}: {}", options_.split_key, reason);
    routes_.erase(session_id);
    refused_[session_id] = std::move(reason);
    publish();
}

} // namespace mirrord::agent

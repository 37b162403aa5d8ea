// Splitter::Engine: connecting, the loop, routing records, and the transactions that commit
// copies and consumed offsets together.

#include "agent/split_engine.hpp"

#include <cstdlib>

#include "common/core/log.hpp"

namespace mirrord::agent {
namespace {

using namespace std::chrono_literals;

// Idle poll: the loop wakes 5 times a second with no traffic (stop requests are seen within it).
constexpr auto idle_poll = 200ms;
constexpr auto hold_check_interval = 500ms;
constexpr auto report_interval = 2s;

kafka::Properties base_properties(const SplitterOptions& options) {
    kafka::Properties properties(options.properties.begin(), options.properties.end());
    return properties;
}

// The consumer's prefetch bounds unless the client config sets them (fetch_waker.hpp).
constexpr std::size_t prefetch_records = 10000;
constexpr std::size_t prefetch_kbytes = 2048;

// The value `properties` give `name` (the last one wins, as in librdkafka), or `otherwise`.
std::size_t number_of(const kafka::Properties& properties, const std::string& name,
                      std::size_t otherwise) {
    for (auto it = properties.rbegin(); it != properties.rend(); ++it)
        if (it->first == name)
            return std::max<std::size_t>(1, std::strtoull(it->second.c_str(), nullptr, 10));
    return otherwise;
}

// Adds `name=value` unless the client config sets it already (its value wins).
void default_to(kafka::Properties& properties, const SplitterOptions& options,
                const std::string& name, const std::string& value) {
    if (!options.properties.contains(name))
        properties.emplace_back(name, value);
}

} // namespace

std::string splitter_group(const std::string& split_key) { return "mirrord-split-" + split_key; }

Splitter::Engine::Engine(SplitterOptions options, SessionRegistry& registry,
                         std::shared_ptr<Shared> shared)
    : options_(std::move(options)), registry_(registry), shared_(std::move(shared)) {}

Splitter::Engine::~Engine() {
    // The consumer's close() runs the revoke callback, which must not reach a producer that is
    // gone: run() has closed it already unless it never ran.
    closing_ = true;
    waker_.reset();
    consumer_.reset();
}

Result<std::unique_ptr<Splitter::Engine>>
Splitter::Engine::create(SplitterOptions options, SessionRegistry& registry,
                         std::shared_ptr<Shared> shared) {
    std::string what = fmt::format("starting the splitter of kafka topic {}", options.original_topic);
    std::unique_ptr<Engine> engine(new Engine(std::move(options), registry, std::move(shared)));
    MIRRORD_TRY(engine->connect().wrap(what));
    return engine;
}

Status Splitter::Engine::connect() {
    kafka::Properties base = base_properties(options_);
    std::string group = splitter_group(options_.split_key);
    MIRRORD_TRY_ASSIGN(kafka::Admin admin, kafka::Admin::create(base));
    admin_.emplace(std::move(admin));
    MIRRORD_TRY_ASSIGN(partition_count_,
                       admin_->partition_count(options_.original_topic, options_.startup_timeout));

    kafka::Properties producer_properties = base;
    producer_properties.emplace_back("transactional.id", group);
    // Ours, whatever the client config says: a session topic is deleted when its session ends
    // (by its exec, the reaper or reset), maybe while a copy to it is still queued here, and a
    // producer that may auto-create topics would make it again as an orphan that nothing
    // deletes (the broker's auto.create.topics.enable is often on). Without, the copy fails
    // its transaction, which aborts and reads again without the ended session.
    producer_properties.emplace_back("allow.auto.create.topics", "false");
    // librdkafka's default queue holds up to 100k records / 1 GiB; a commit every 80 ms needs
    // far less, and a full queue only makes the loop wait for deliveries (backpressure). 10k
    // records: 20k held 50 MB RSS at 1 KB, for no more throughput (scripts/bench-split).
    // A commit right after another meets CONCURRENT_TRANSACTIONS while the coordinator still
    // writes the previous one's markers; librdkafka retries AddOffsetsToTxn and EndTxn after
    // retry.backoff.ms, and its default 100 ms was most of the latency bench's p99.
    default_to(producer_properties, options_, "retry.backoff.ms", "20");
    default_to(producer_properties, options_, "queue.buffering.max.kbytes", "16384");
    default_to(producer_properties, options_, "queue.buffering.max.messages", "10000");
    MIRRORD_TRY_ASSIGN(kafka::Producer producer, kafka::Producer::create(producer_properties));
    producer_.emplace(std::move(producer));
    // Fences an older splitter of this split: its next transactional call fails for good.
    MIRRORD_TRY(producer_->init_transactions(options_.startup_timeout));

    kafka::Properties consumer_properties = base;
    consumer_properties.insert(consumer_properties.end(),
                               {{"group.id", group},
                                {"enable.auto.commit", "false"},
                                // Only a start when resolve_positions() has not sought yet.
                                {"auto.offset.reset", "latest"},
                                // Never copy records of the original's aborted transactions.
                                {"isolation.level", "read_committed"}});
    // A SIGKILLed leader stays a member of this group until its session times out, and the
    // standby's join waits for that: the broker's minimum (6 s) instead of librdkafka's 45 s
    // keeps a takeover within a few seconds.
    default_to(consumer_properties, options_, "session.timeout.ms", "6000");
    default_to(consumer_properties, options_, "heartbeat.interval.ms", "1000");
    // Prefetch: librdkafka's defaults (100k records, 64 MiB) hold some 50 MB at full speed; a
    // tenth of that, with the waker (fetch_waker.hpp) keeping the fetchers going, reads faster
    // than 16 MiB without it (scripts/bench-split).
    default_to(consumer_properties, options_, "queued.min.messages",
               std::to_string(prefetch_records));
    default_to(consumer_properties, options_, "queued.max.messages.kbytes",
               std::to_string(prefetch_kbytes));
    MIRRORD_TRY_ASSIGN(kafka::Consumer consumer,
                       kafka::Consumer::create(consumer_properties, [this](const auto& rebalance) {
                           on_rebalance(rebalance);
                       }));
    consumer_.emplace(std::move(consumer));
    waker_ = std::make_unique<FetchWaker>(
        consumer_->handle(), options_.original_topic,
        number_of(consumer_properties, "queued.min.messages", prefetch_records),
        number_of(consumer_properties, "queued.max.messages.kbytes", prefetch_kbytes) * 1024);
    MIRRORD_TRY(consumer_->subscribe({options_.original_topic}));
    log::debug("splitter {}: reading {} ({} partitions) as group {}", options_.split_key,
               options_.original_topic, partition_count_, group);
    return {};
}

void Splitter::Engine::run(std::stop_token stop) {
    bool busy = false;
    while (!stop.stop_requested() && !failed_) {
        if (commit_pending_) {
            // librdkafka allows nothing else until that commit is over; each call waits for it.
            commit();
            continue;
        }
        auto now = Clock::now();
        if (now >= next_refresh_)
            refresh_sessions();
        if (resolve_needed_)
            resolve_positions();
        if (now >= next_hold_check_) {
            check_held();
            next_hold_check_ = now + hold_check_interval;
        }
        flush_released();
        // Under load every commit_interval; when the last poll found nothing more to read,
        // sooner (quiet_commit): a trickle of records is not kept waiting.
        if (transaction_open_ &&
            now - transaction_started_ >= (busy ? options_.commit_interval : options_.quiet_commit))
            commit();
        if (now >= next_report_) {
            report_delivered(false);
            next_report_ = now + report_interval;
        }
        if (failed_)
            break;
        if (commit_pending_)
            continue; // nothing but that commit until it is over (the top of the loop)

        std::chrono::milliseconds timeout = idle_poll;
        if (busy)
            timeout = 0ms;
        else if (transaction_open_)
            timeout = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     transaction_started_ + options_.quiet_commit - now),
                                 0ms, idle_poll);
        auto event = consumer_->poll(timeout);
        if (!event) {
            fail(event.error().message(), Recovery::none);
            break;
        }
        busy = false;
        if (auto* message = std::get_if<kafka::Message>(&*event)) {
            route(*message);
            busy = true;
            if (waker_->consumed(message->value ? message->value->size() : 0))
                wake_fetchers();
        } else if (auto* error = std::get_if<kafka::KafkaError>(&*event)) {
            log::debug("splitter {}: {}", options_.split_key, error->message());
        }
    }
    if (!failed_)
        commit();
    else
        producer_->discard(); // fenced, or to be by its successor: nothing queued will commit
    waker_.reset();
    // A clean leave lets the next engine (here or in another exec) join the group at once.
    if (!failed_ || restartable_)
        if (auto closed = consumer_->close(); !closed)
            log::debug("splitter {}: {}", options_.split_key, closed.error().message());
    closing_ = true;
    consumer_.reset();
    report_delivered(true);
}

void Splitter::Engine::route(const kafka::Message& message) {
    auto position = next_.find(message.partition);
    // Unresolved partitions are sought to their start once resolved; older records were
    // processed already (a rewind, a fetch from before the seek).
    if (position == next_.end() || !position->second || message.offset < *position->second)
        return;
    if (!ensure_transaction())
        return;
    std::vector<std::string> overflowed;
    for (auto& [id, route] : routes_) {
        if (route.ended || !route.wants(message.partition, message.offset) ||
            !eligible(route, message.partition, message.offset) ||
            !route.filter.matches(message.headers))
            continue;
        kafka::OutgoingMessage copy = kafka::forward(message, route.topic);
        if (route.delivering && route.held.empty()) {
            Produced produced = produce(route, copy);
            if (produced == Produced::aborted)
                return; // aborted and rewound: this record comes again
            if (produced == Produced::sent)
                continue;
        }
        if (!route.hold({message.partition, message.offset, std::move(copy)},
                        options_.max_held_records, options_.max_held_bytes))
            overflowed.push_back(id);
    }
    for (const auto& id : overflowed)
        refuse(id, fmt::format("more than {} copies ({} MiB) held back: no consumer of {} has "
                               "its partitions assigned",
                               options_.max_held_records, options_.max_held_bytes >> 20,
                               routes_.at(id).topic));
    position->second = message.offset + 1;
}

Splitter::Engine::Produced Splitter::Engine::produce(Route& route, kafka::OutgoingMessage copy) {
    // Same partition only when the counts match; otherwise librdkafka's partitioner (by key).
    if (route.topic_partitions != partition_count_)
        copy.partition.reset();
    while (true) {
        kafka::KafkaStatus status = producer_->produce(copy);
        if (status) {
            ++route.in_transaction;
            return Produced::sent;
        }
        auto code = status.error().code();
        if (code == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
            code == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
            // The session topic is gone: deleted by the reaper before the registry says the
            // session ended, or by hand. Its copies wait as for a topic not made yet (check_held
            // looks for it again), so this aborts at most once per deletion.
            log::debug("splitter {}: {}; holding its copies", options_.split_key,
                       status.error().message());
            route.topic_gone();
            if (route.in_transaction == 0)
                return Produced::held;
            // Its copies queued in this transaction would keep it from committing until they
            // time out, and every session with it: the abort drops them (and rewinds) now.
            handle(status.error(), "copying to " + route.topic);
            return Produced::aborted;
        }
        // librdkafka does not classify _QUEUE_FULL as retriable, but it is: the queue drains.
        if (status.error().code() == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            producer_->poll(10ms);
            continue;
        }
        handle(status.error(), "copying to " + route.topic);
        return Produced::aborted;
    }
}

void Splitter::Engine::flush_released() {
    for (auto& [id, route] : routes_) {
        if (route.ended || !route.delivering || route.held.empty())
            continue;
        if (!ensure_transaction())
            return;
        while (!route.held.empty()) {
            HeldCopy held = std::move(route.held.front());
            route.held.pop_front();
            route.held_bytes -= std::min(route.held_bytes, size_of(held.copy));
            Produced produced = produce(route, held.copy);
            if (produced != Produced::sent) {
                route.held_bytes += size_of(held.copy);
                route.held.push_front(std::move(held));
                if (produced == Produced::aborted)
                    return;
                break;
            }
            route.inflight.push_back(std::move(held));
        }
    }
}

void Splitter::Engine::wake_fetchers() {
    std::vector<int32_t> partitions;
    for (const auto& [partition, next] : next_)
        partitions.push_back(partition);
    waker_->wake(std::move(partitions));
}

bool Splitter::Engine::ensure_transaction() {
    if (commit_pending_)
        return false; // that transaction is committing: nothing more goes into it
    if (transaction_open_)
        return true;
    if (auto begun = producer_->begin_transaction(); !begun) {
        handle(begun.error(), "beginning a transaction");
        return false;
    }
    transaction_open_ = true;
    transaction_started_ = Clock::now();
    return true;
}

} // namespace mirrord::agent

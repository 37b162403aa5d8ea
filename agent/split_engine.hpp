#pragma once
// The splitter's engine: the consumer, the transactional producer and the routes, driven by one
// thread (Splitter's). Internal to agent/; splitter.hpp is the interface.

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>

#include "agent/fetch_waker.hpp"
#include "agent/split_resume.hpp"
#include "agent/split_route.hpp"
#include "agent/splitter.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"

namespace mirrord::agent {

// What the engine thread publishes for the Splitter's callers.
struct Splitter::Shared {
    mutable std::mutex mutex;
    std::atomic<bool> failed{false};
    std::string failure;
    std::map<std::string, uint64_t> delivered;
    std::map<std::string, std::string> session_errors;
};

class Splitter::Engine {
public:
    using Clock = std::chrono::steady_clock;

    static Result<std::unique_ptr<Engine>> create(SplitterOptions options,
                                                  SessionRegistry& registry,
                                                  std::shared_ptr<Shared> shared);
    ~Engine();

    // The thread's body: until a stop is requested or a fatal error.
    void run(std::stop_token stop);

    // Why run() ended early, and whether a new engine may take over from the last commit (the
    // producer broke, the transaction's outcome is unknown) or not (fenced by a newer leader).
    bool failed() const { return failed_; }
    bool restartable() const { return restartable_; }
    const std::string& failure() const { return failure_; }
    // The sessions routed to here, with their committed copies, for the engine that takes
    // over (inherit).
    std::map<std::string, uint64_t> routed() const;
    // Sessions a failed engine routed to: those that are no longer registered at the first
    // look at the registry are released at once (this engine's init_transactions ended the
    // old transaction, so nothing more reaches their topics), the others are admitted as usual.
    void inherit(std::map<std::string, uint64_t> sessions) { inherited_ = std::move(sessions); }
    // Splitter::inject_fatal_error; librdkafka's call is thread-safe.
    void inject_fatal_error(rd_kafka_resp_err_t code) {
        rd_kafka_test_fatal_error(producer_->handle(), code, "injected by a test");
    }

private:
    Engine(SplitterOptions options, SessionRegistry& registry, std::shared_ptr<Shared> shared);
    Status connect();

    // split_engine.cpp: the loop's steps.
    void route(const kafka::Message& message);
    // aborted: the transaction was aborted (and rewound) instead; held: the session's topic is
    // gone, so its copies are held from now on (this one too, by the caller).
    enum class Produced { sent, aborted, held };
    Produced produce(Route& route, kafka::OutgoingMessage copy);
    void flush_released();
    // The prefetch ran low: the fetchers of the assigned partitions go on (fetch_waker.hpp).
    void wake_fetchers();
    bool ensure_transaction();
    void commit();
    void handle(const kafka::KafkaError& error, std::string_view what);
    // The transaction committed: positions, counts and ended sessions move on.
    void committed();
    enum class Recovery { none, restart };
    void fail(std::string message, Recovery recovery);
    void publish();

    // split_transaction.cpp: commits and aborts.
    // (commit, handle, fail, publish are declared above.)

    // split_offsets.cpp: where each partition's reading starts.
    void on_rebalance(const kafka::Rebalance& rebalance);
    void resolve_positions();
    bool positions_complete() const;
    void rewind();
    // Takes over the delivered counts of a previous leader's commit (resumed_delivered_).
    void resume_delivered(const std::map<std::string, uint64_t>& counts);
    // Whether the record at `offset` of `partition` may go to `route` given resume_.
    bool eligible(const Route& route, int32_t partition, int64_t offset) const;
    // The offsets to commit, each with the metadata a successor needs.
    kafka::PartitionListPtr offsets_to_commit() const;
    // Per session: committed copies plus those in the open transaction.
    std::map<std::string, uint64_t> delivered_with_transaction() const;
    kafka::KafkaStatus seek(const std::map<int32_t, int64_t>& offsets);

    // split_sessions.cpp: sessions coming and going, the hold-back.
    void refresh_sessions();
    void admit(const SplitSession& session);
    void check_held();
    // After an abort: routes whose topic is no longer in the broker's metadata stop delivering.
    void hold_gone_topics();
    // Tells the registry of each ended route that nothing more goes to its topic, and drops it.
    // Only while no transaction is open: its copies are then committed or aborted.
    void release_ended();
    void report_delivered(bool force);
    void refuse(const std::string& session_id, std::string reason);

    SplitterOptions options_;
    SessionRegistry& registry_;
    std::shared_ptr<Shared> shared_;
    std::optional<kafka::Consumer> consumer_;
    std::optional<kafka::Producer> producer_;
    std::optional<kafka::Admin> admin_;
    // After consumer_: goes first (its thread calls the consumer).
    std::unique_ptr<FetchWaker> waker_;
    int partition_count_ = 0;

    // Assigned partitions -> next offset to process; nullopt until resolved after assignment.
    std::map<int32_t, std::optional<int64_t>> next_;
    // The next offsets as of the last committed transaction (where an abort rewinds to).
    std::map<int32_t, int64_t> committed_;
    bool resolve_needed_ = false;
    // Left by the previous leader in its committed offsets' metadata (split_resume.hpp).
    std::map<int32_t, Resume> resume_;
    // Its delivered counts per session (the highest any partition's metadata says), for the
    // sessions it routed to: a session's count goes on from there, and is passed on while the
    // session is registered but not admitted here yet.
    std::map<std::string, uint64_t> resumed_delivered_;

    std::map<std::string, Route> routes_;
    std::map<std::string, uint64_t> inherited_;
    // Sessions refused (bad regex, overflow): not retried while they stay registered.
    std::map<std::string, std::string> refused_;

    bool transaction_open_ = false;
    // commit_transaction failed retriably: librdkafka wants it called again, nothing else.
    bool commit_pending_ = false;
    // When the current commit began (its first call; stuck_commit counts from there).
    Clock::time_point commit_began_{};
    // Set while the consumer closes: the revoke callback then leaves the producer alone.
    bool closing_ = false;
    Clock::time_point transaction_started_{};
    bool failed_ = false;
    bool restartable_ = false;
    std::string failure_;

    Clock::time_point next_refresh_{};
    Clock::time_point next_hold_check_{};
    Clock::time_point next_report_{};
};

} // namespace mirrord::agent

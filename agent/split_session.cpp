#include "agent/split_session.hpp"

#include <thread>

#include "agent/lease_registry.hpp"
#include "agent/split_cleanup.hpp"
#include "common/core/log.hpp"
#include "common/kafka/admin.hpp"
#include "common/session/fields.hpp"

namespace mirrord::agent {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

kafka::Properties properties_of(const std::map<std::string, std::string>& properties) {
    return kafka::Properties(properties.begin(), properties.end());
}

bool past(std::chrono::steady_clock::time_point deadline) {
    return std::chrono::steady_clock::now() > deadline;
}

// Polls `step` until it succeeds, fails for good, or `deadline`; `wait` says what we wait for
// in the progress, once, after the first retriable failure.
template <typename T, typename Step>
kafka::KafkaResult<T> until(std::chrono::steady_clock::time_point deadline,
                            const SessionSplitOptions& options, const std::string& wait,
                            const Step& step) {
    bool told = false;
    auto pause = 50ms;
    while (true) {
        auto result = step();
        if (result || !result.error().retriable() || past(deadline))
            return result;
        if (options.interrupted && options.interrupted())
            return kafka::KafkaError::local(Error("interrupted while " + wait));
        if (!told && options.progress)
            options.progress(fmt::format("{} ({})", wait, result.error().message()));
        told = true;
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::milliseconds>(pause * 2, 500ms);
    }
}

} // namespace

json recorded_kafka(const SplitPlan& plan) {
    json properties = json::object();
    for (const auto& [name, value] : plan.properties)
        if (!plan.secret_properties.count(name) && !kafka::is_sensitive(name))
            properties[name] = value;
    if (plan.recorded_bootstrap && properties.contains("bootstrap.servers"))
        properties["bootstrap.servers"] = *plan.recorded_bootstrap;
    return {{"client_config", plan.client_config},
            {"namespace", plan.client_config_namespace},
            {"properties", properties},
            {"has_secrets", !plan.secret_properties.empty()}};
}

Result<std::unique_ptr<SessionSplit>> SessionSplit::start(kube::Client& client,
                                                          const session::ResolvedTarget& target,
                                                          const config::QueueSplit& split,
                                                          SplitPlan plan,
                                                          SessionSplitOptions options) {
    if (split.mode != config::QueueMode::mirror)
        return fail("feature.split_queues.{}.queue_mode: steal is not available yet; use "
                    "\"mirror\" (the deployed consumer keeps its messages, the local app gets "
                    "copies)",
                    split.id);
    std::unique_ptr<SessionSplit> self(new SessionSplit(client, std::move(plan), options));
    auto name = session::fields::string_or(session::fields::object_at(target.workload, "metadata"),
                                           "name");
    self->key_ = split_key(target.namespace_, target.kind.kind, name, split.id);
    self->topic_ = agent::session_topic(options.session_id, split.id);
    self->filter_.assign(split.message_filter.begin(), split.message_filter.end());
    auto deadline = std::chrono::steady_clock::now() + options.startup_timeout;
    const auto& original = self->plan_.original_topic;
    auto step = [&]() -> Status {
        MIRRORD_TRY_ASSIGN(auto admin, kafka::Admin::create(properties_of(self->plan_.properties)));
        auto partitions = until<int>(
            deadline, options, "waiting for the kafka broker",
            // Short attempts: the wait is shown as soon as the first one fails.
            [&] { return admin.partition_count(original, 1s); });
        if (!partitions && partitions.error().code() == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            return fail("kafka topic {} (from {} of {}) does not exist in the broker",
                        original, self->plan_.topic_env_var, target.object_path());
        if (!partitions)
            return Error(partitions.error()).wrap(fmt::format(
                "kafka broker of client config {}/{} not usable within agent.startup_timeout "
                "({} s)", self->plan_.client_config_namespace, self->plan_.client_config,
                options.startup_timeout.count()));
        SplitterOptions splitter{original, self->plan_.properties, self->key_};
        splitter.startup_timeout = options.startup_timeout;
        LeaderOptions leader{options.namespace_, options.session_id, std::move(splitter),
                             1000ms, 2000ms, 10,
                             // The election outlives this call (and the caller's progress task).
                             [](const std::string& text) { log::info("{}", text); }};
        // Elected (and its Splitter connecting) while the session topic is made: both take
        // a round trip or two to the broker, and Ready! waits for both.
        self->leader_ = SplitLeader::start(client, std::move(leader));
        MIRRORD_TRY(self->create_topic(*partitions));
        Registration registration{split.id, original, self->topic_, self->filter_, "mirror"};
        MIRRORD_TRY(register_session(client, options.namespace_, options.session_id, self->key_,
                                     registration, recorded_kafka(self->plan_)));
        self->registered_ = true;
        MIRRORD_TRY(self->await_start());
        if (options.progress)
            options.progress(self->leader_->leading()
                                 ? "this session runs the splitter (embedded agent)"
                                 : "another session runs the splitter; this one stands by");
        return Status{};
    };
    if (auto done = step(); !done) {
        (void)self->finish();
        return std::move(done).error().wrap("splitting kafka topic id " + split.id);
    }
    return self;
}

Status SessionSplit::create_topic(int partitions) {
    MIRRORD_TRY_ASSIGN(auto admin, kafka::Admin::create(properties_of(plan_.properties)));
    topic_created_ = true; // before the call: a timeout may still have created it
    if (auto created = admin.ensure_topic(topic_, partitions, 10s); !created)
        return Error(created.error()).wrap("creating session topic " + topic_);
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (true) {
        auto seen = admin.partition_count(topic_, 2s);
        if (seen && *seen == partitions)
            return {};
        if (past(deadline))
            return fail("session topic {}: not in the broker's metadata with {} partitions "
                        "after 10 s", topic_, partitions);
        std::this_thread::sleep_for(50ms);
    }
}

Status SessionSplit::await_start() {
    auto deadline = std::chrono::steady_clock::now() + options_.startup_timeout;
    bool told = false;
    auto begun = std::chrono::steady_clock::now();
    while (true) {
        MIRRORD_TRY_ASSIGN(auto state,
                           read_split_state(client_, options_.namespace_, options_.session_id));
        if (state.start)
            return {};
        if (!told && std::chrono::steady_clock::now() - begun > 1s && options_.progress) {
            options_.progress(fmt::format("waiting for the splitter of {} to route to this "
                                          "session ({})",
                                          plan_.original_topic,
                                          leader_->leading() ? "running here" : "standing by"));
            told = true;
        }
        if (options_.interrupted && options_.interrupted())
            return fail("interrupted while waiting for the splitter");
        if (past(deadline)) {
            auto why = leader_->last_error();
            return fail("no splitter acknowledged session {} within agent.startup_timeout "
                        "({} s){}",
                        options_.session_id, options_.startup_timeout.count(),
                        why ? ": " + *why : std::string());
        }
        std::this_thread::sleep_for(100ms);
    }
}

std::string SessionSplit::summary() const {
    return fmt::format("kafka: {} -> {} ({})", plan_.original_topic, topic_,
                       describe_filter(filter_));
}

void SessionSplit::rewrite_env(std::vector<std::string>& env) const {
    auto set = [&env](const std::string& name, const std::string& value) {
        auto prefix = name + "=";
        for (auto& entry : env)
            if (entry.rfind(prefix, 0) == 0) {
                entry = prefix + value;
                return;
            }
        env.push_back(prefix + value);
    };
    set(plan_.topic_env_var, topic_);
    if (plan_.group_env_var)
        set(*plan_.group_env_var, topic_); // the session group has the session topic's name
}

uint64_t SessionSplit::delivered() const {
    if (final_delivered_)
        return *final_delivered_;
    uint64_t count = 0;
    if (leader_)
        if (auto here = leader_->delivered(); here.count(options_.session_id))
            count = here.at(options_.session_id);
    if (auto state = read_split_state(client_, options_.namespace_, options_.session_id))
        count = std::max(count, state->delivered);
    return count;
}

Status SessionSplit::finish() {
    if (finished_)
        return {};
    finished_ = true;
    std::vector<std::string> errors;
    if (registered_)
        if (auto removed = unregister_session(client_, options_.namespace_, options_.session_id);
            !removed)
            errors.push_back(removed.error().message());
    bool was_leader = leader_ && leader_->leading();
    if (leader_)
        leader_->stop();
    std::vector<std::string> actions;
    if (topic_created_) {
        // Ours has stopped already; one in another exec may still write to the topic.
        if (!was_leader)
            await_release(client_, options_.namespace_, options_.session_id);
    }
    // Now final: ours committed its last copies, another one wrote its count with the release.
    if (registered_)
        final_delivered_ = delivered();
    if (topic_created_) {
        if (auto deleted = delete_temporaries(plan_.properties, options_.session_id, actions);
            !deleted)
            errors.push_back(deleted.error().message());
    }
    if (leader_)
        if (auto ended = end_split_if_last(client_, options_.namespace_, key_, plan_.properties,
                                           options_.session_id, actions);
            !ended)
            errors.push_back(ended.error().message());
    for (const auto& action : actions)
        log::debug("{}", action);
    if (!errors.empty())
        return fail("ending the split of {}: {}", plan_.original_topic, fmt::join(errors, "; "));
    return {};
}

SessionSplit::~SessionSplit() { (void)finish(); }

Status delete_temporaries(const std::map<std::string, std::string>& properties,
                          const std::string& session_id, std::vector<std::string>& actions) {
    MIRRORD_TRY_ASSIGN(auto admin, kafka::Admin::create(properties_of(properties)));
    auto prefix = session_prefix(session_id);
    MIRRORD_TRY_ASSIGN(auto topics, admin.list_topics(10s));
    for (const auto& topic : topics)
        if (topic.rfind(prefix, 0) == 0) {
            MIRRORD_TRY(admin.delete_topic(topic, 10s));
            actions.push_back("deleted kafka topic " + topic);
        }
    // The app's consumer may still be leaving its group: a non-empty group cannot be deleted.
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (true) {
        MIRRORD_TRY_ASSIGN(auto groups, admin.list_consumer_groups(10s));
        std::vector<std::string> ours;
        for (const auto& group : groups)
            if (group.rfind(prefix, 0) == 0)
                ours.push_back(group);
        if (ours.empty())
            return {};
        auto deleted = admin.delete_consumer_groups(ours, 10s);
        if (deleted) {
            for (const auto& group : ours)
                actions.push_back("deleted kafka consumer group " + group);
            return {};
        }
        if (past(deadline))
            return Error(deleted.error()).wrap("deleting the consumer groups of session " +
                                               session_id);
        std::this_thread::sleep_for(250ms);
    }
}

} // namespace mirrord::agent

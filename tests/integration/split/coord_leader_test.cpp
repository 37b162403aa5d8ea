// Splitter election (agent/leader.hpp) against the real apiserver and broker: one leader per
// split, a standby that takes over within a few seconds when the leader's session ends or dies,
// and a released Lease when the leader stops.

#include <random>

#include <catch2/catch.hpp>

#include "agent/leader.hpp"
#include "common/kafka/admin.hpp"
#include "tests/integration/session/cluster.hpp"

namespace mirrord::testing {
namespace {

std::string bootstrap() {
    const char* servers = std::getenv("KAFKA_BOOTSTRAP_SERVERS");
    return servers != nullptr && *servers != '\0' ? servers : "127.0.0.1:19092";
}

// A topic of its own, deleted at the end.
struct TestTopic {
    TestTopic() {
        std::random_device random;
        name = fmt::format("coord-it-{:08x}", random());
        auto admin = kafka::Admin::create({{"bootstrap.servers", bootstrap()}});
        REQUIRE(admin);
        REQUIRE(admin->ensure_topic(name, 2, 10s));
    }
    ~TestTopic() {
        if (auto admin = kafka::Admin::create({{"bootstrap.servers", bootstrap()}}))
            (void)admin->delete_topic(name, 10s);
    }
    std::string name;
};

std::unique_ptr<agent::SplitLeader> leader_for(kube::Client& client, const std::string& ns,
                                               const std::string& session,
                                               const std::string& topic, const std::string& key) {
    agent::LeaderOptions options{ns, session,
                                 agent::SplitterOptions{topic, {{"bootstrap.servers", bootstrap()}},
                                                        key},
                                 200ms, 1000ms, 10, {}};
    return agent::SplitLeader::start(client, std::move(options));
}

std::string holder(kube::Client& client, const std::string& ns, const std::string& key) {
    auto lease =
        client.get_optional(kube::kinds::lease.object(ns, agent::splitter_lease_name(key)));
    if (!lease || !*lease)
        return {};
    return (**lease)["spec"].value("holderIdentity", "");
}

} // namespace

TEST_CASE("coord: splitter election") {
    auto client = connect(admin_kubeconfig());
    TestNamespace ns(*client, "coord-it-leader");
    TestTopic topic;
    auto key = agent::split_key(ns.name(), "Deployment", "kafka-consumer", topic.name);
    // The splitters' group outlives them (committed offsets): removed at the end, whatever the
    // section did. Declared before the leaders, so it runs after they stopped.
    struct GroupCleanup {
        std::string group;
        ~GroupCleanup() {
            auto admin = kafka::Admin::create({{"bootstrap.servers", bootstrap()}});
            for (int attempt = 0; admin && attempt < 40; ++attempt) {
                if (admin->delete_consumer_groups({group}, 5s))
                    return;
                std::this_thread::sleep_for(250ms); // members still leaving
            }
        }
    } cleanup{agent::splitter_group(key)};
    auto first = create_session(*client, ns.name(), "kafka-consumer");
    auto second = create_session(*client, ns.name(), "kafka-consumer");

    SECTION("the first leads at once, the second stands by") {
        auto leader = leader_for(*client, ns.name(), first.record().id, topic.name, key);
        REQUIRE(wait_until(10s, [&] { return leader->leading(); }));
        auto standby = leader_for(*client, ns.name(), second.record().id, topic.name, key);
        CHECK_FALSE(wait_until(1500ms, [&] { return standby->leading(); }));
        CHECK(holder(*client, ns.name(), key) == first.record().id);
    }
    SECTION("when the leader's session Lease is deleted (its guardian reaped it), a standby "
            "takes over within 3 s") {
        auto leader = leader_for(*client, ns.name(), first.record().id, topic.name, key);
        REQUIRE(wait_until(10s, [&] { return leader->leading(); }));
        auto standby = leader_for(*client, ns.name(), second.record().id, topic.name, key);
        REQUIRE(session::delete_lease(*client, ns.name(), first.record().id));
        auto begun = std::chrono::steady_clock::now();
        REQUIRE(wait_until(10s, [&] { return standby->leading(); }));
        CHECK(std::chrono::steady_clock::now() - begun < 3s);
        CHECK(holder(*client, ns.name(), key) == second.record().id);
        // The old leader learns at its next renewal that the Lease is not its own any more.
        CHECK(wait_until(5s, [&] { return !leader->leading(); }));
    }
    SECTION("a leader that stops releases the Lease and the standby takes over") {
        auto leader = leader_for(*client, ns.name(), first.record().id, topic.name, key);
        REQUIRE(wait_until(10s, [&] { return leader->leading(); }));
        auto standby = leader_for(*client, ns.name(), second.record().id, topic.name, key);
        leader->stop();
        CHECK_FALSE(leader->leading());
        REQUIRE(wait_until(5s, [&] { return standby->leading(); }));
        standby->stop();
        CHECK(holder(*client, ns.name(), key).empty());
    }
    SECTION("of several standbys racing for a stale Lease exactly one wins") {
        auto third = create_session(*client, ns.name(), "kafka-consumer");
        auto leader = leader_for(*client, ns.name(), first.record().id, topic.name, key);
        REQUIRE(wait_until(10s, [&] { return leader->leading(); }));
        auto a = leader_for(*client, ns.name(), second.record().id, topic.name, key);
        auto b = leader_for(*client, ns.name(), third.record().id, topic.name, key);
        REQUIRE(session::delete_lease(*client, ns.name(), first.record().id));
        REQUIRE(wait_until(10s, [&] { return a->leading() || b->leading(); }));
        CHECK_FALSE(wait_until(1500ms, [&] { return a->leading() && b->leading(); }));
    }
}

} // namespace mirrord::testing

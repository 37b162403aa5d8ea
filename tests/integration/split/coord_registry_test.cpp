// The Lease-backed session registry of a split (agent/lease_registry.hpp) against the real
// apiserver: what a session registers is what the splitter sees; the acknowledgement is what
// exec waits for; stale, ending and edited sessions are left out, never thrown on.

#include <catch2/catch.hpp>

#include "agent/lease_registry.hpp"
#include "tests/integration/session/cluster.hpp"

namespace mirrord::testing {
namespace {

agent::Registration registration_for(const std::string& id) {
    return {"test_topic", "test-topic", agent::session_topic(id, "test_topic"),
            {{"source", "^test-"}}, "mirror"};
}

} // namespace

TEST_CASE("coord: lease registry") {
    auto client = connect(admin_kubeconfig());
    TestNamespace ns(*client, "coord-it-registry");
    auto key = agent::split_key(ns.name(), "Deployment", "kafka-consumer", "test_topic");
    auto lease = create_session(*client, ns.name(), "kafka-consumer");
    const auto& id = lease.record().id;
    agent::LeaseRegistry registry(*client, ns.name(), key, "splitter-test");

    SECTION("a registered session is listed with its topic and filter, unacknowledged") {
        REQUIRE(agent::register_session(*client, ns.name(), id, key, registration_for(id),
                                        {{"properties", {{"bootstrap.servers", "x:1"}}}}));
        auto sessions = registry.sessions();
        REQUIRE(sessions);
        REQUIRE(sessions->size() == 1);
        CHECK(sessions->front().id == id);
        CHECK(sessions->front().session_topic == "mirrord-tmp-" + id + "-test_topic");
        CHECK(sessions->front().filter ==
              std::vector<std::pair<std::string, std::string>>{{"source", "^test-"}});
        CHECK_FALSE(sessions->front().start_offsets);
        auto state = agent::read_split_state(*client, ns.name(), id);
        REQUIRE(state);
        CHECK_FALSE(state->start);
    }
    SECTION("the acknowledgement is what exec reads back, offsets per partition") {
        REQUIRE(agent::register_session(*client, ns.name(), id, key, registration_for(id), {}));
        REQUIRE(registry.acknowledge(id, {{0, 123}, {1, 77}}));
        auto state = agent::read_split_state(*client, ns.name(), id);
        REQUIRE(state);
        REQUIRE(state->start);
        CHECK(state->start->offsets == std::map<int32_t, int64_t>{{0, 123}, {1, 77}});
        CHECK(state->start->splitter == "splitter-test");
        auto sessions = registry.sessions();
        REQUIRE(sessions);
        REQUIRE(sessions->size() == 1);
        CHECK(sessions->front().start_offsets ==
              std::optional<std::map<int32_t, int64_t>>({{0, 123}, {1, 77}}));
        registry.delivered(id, 42);
        state = agent::read_split_state(*client, ns.name(), id);
        REQUIRE(state);
        CHECK(state->delivered == 42);
    }
    SECTION("a released session reads as released, with the splitter's final count") {
        REQUIRE(agent::register_session(*client, ns.name(), id, key, registration_for(id), {}));
        REQUIRE(registry.acknowledge(id, {{0, 5}}));
        registry.delivered(id, 10);
        REQUIRE(agent::unregister_session(*client, ns.name(), id));
        auto state = agent::read_split_state(*client, ns.name(), id);
        REQUIRE(state);
        CHECK_FALSE(state->released);
        // Within 2 s of the last count: the final one is written anyway.
        registry.released(id, 12);
        state = agent::read_split_state(*client, ns.name(), id);
        REQUIRE(state);
        CHECK(state->released);
        CHECK(state->delivered == 12);
    }
    SECTION("an unregistered (ending) session is no longer routed to") {
        REQUIRE(agent::register_session(*client, ns.name(), id, key, registration_for(id), {}));
        REQUIRE(agent::unregister_session(*client, ns.name(), id));
        auto sessions = registry.sessions();
        REQUIRE(sessions);
        CHECK(sessions->empty());
    }
    SECTION("sessions of another split and stale sessions are left out") {
        REQUIRE(agent::register_session(*client, ns.name(), id, "0123456789ab",
                                        registration_for(id), {}));
        auto stale = create_session(*client, ns.name(), "kafka-consumer", 1);
        const auto& stale_id = stale.record().id;
        REQUIRE(agent::register_session(*client, ns.name(), stale_id, key,
                                        registration_for(stale_id), {}));
        REQUIRE(wait_until(5s, [&] {
            auto listed = registry.sessions();
            return listed && listed->empty();
        }));
    }
    SECTION("an edited registration is skipped, not thrown on") {
        REQUIRE(agent::register_session(*client, ns.name(), id, key, registration_for(id), {}));
        json patch = {{"metadata", {{"annotations", {{agent::split_annotation,
                                                      R"({"topic_id": 5, "filter": [1]})"}}}}}};
        REQUIRE(client->merge_patch(kube::kinds::lease.object(ns.name(), lease.record().lease_name),
                                    patch));
        auto sessions = registry.sessions();
        REQUIRE(sessions);
        CHECK(sessions->empty());
    }
}

} // namespace mirrord::testing

// Admin on librdkafka's mock cluster: what the mock answers (metadata). Topic creation and
// deletion and consumer groups need a real broker (the mock has no CreateTopics, DeleteTopics,
// ListGroups or DeleteGroups): tests/testenv/kafka_test.cpp.

#include "tests/unit/common/kafka/mock_cluster.hpp"

#include "common/kafka/admin.hpp"

using namespace mirrord;
using namespace mirrord::kafka;
using namespace mirrord::kafka::testing;
using namespace std::chrono_literals;

TEST_CASE("kafka::Admin::partition_count", "[kafka]") {
    MockCluster cluster;
    cluster.create_topic("six", 6);
    Admin admin = must(Admin::create(cluster.properties()));

    SECTION("a topic's partition count comes from the cluster's metadata") {
        CHECK(must(admin.partition_count("six", 10s)) == 6);
    }
    SECTION("an unknown topic is a retriable UNKNOWN_TOPIC_OR_PART error naming it") {
        auto count = admin.partition_count("absent", 10s);
        REQUIRE_FALSE(count);
        CHECK(count.error().code() == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
        CHECK(count.error().retriable());
        CHECK_THAT(count.error().message(), Catch::Contains("absent"));
    }
}

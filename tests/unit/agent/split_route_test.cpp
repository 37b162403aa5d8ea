#include <catch2/catch.hpp>

#include "agent/split_route.hpp"

using namespace mirrord;
using namespace mirrord::agent;

namespace {

Route route_from(std::map<int32_t, int64_t> start) {
    return Route{.id = "s", .topic = "t", .filter = std::move(Filter::compile({}).value()),
                 .start = std::move(start)};
}

HeldCopy copy_of(int32_t partition, int64_t offset) {
    return {partition, offset,
            kafka::OutgoingMessage{.topic = "t", .key = {}, .value = std::to_string(offset),
                                   .headers = {}, .partition = partition, .timestamp_ms = {}}};
}

} // namespace

TEST_CASE("split route", "[agent][split]") {
    SECTION("a session wants records from its start offsets on, and all of a new partition") {
        Route route = route_from({{0, 10}, {1, 5}});
        CHECK_FALSE(route.wants(0, 9));
        CHECK(route.wants(0, 10));
        CHECK(route.wants(1, 5));
        CHECK(route.wants(2, 0));
    }
    SECTION("holding stops at the record bound and at the byte bound") {
        Route route = route_from({});
        CHECK(route.hold(copy_of(0, 1), 2, 1 << 20));
        CHECK(route.hold(copy_of(0, 2), 2, 1 << 20));
        CHECK_FALSE(route.hold(copy_of(0, 3), 2, 1 << 20));
        Route small = route_from({});
        CHECK_FALSE(small.hold(copy_of(0, 1), 10, 8));
    }
    SECTION("an abort puts in-flight copies back first and drops those that will come again") {
        Route route = route_from({});
        route.inflight = {copy_of(0, 1), copy_of(0, 2)};
        REQUIRE(route.hold(copy_of(0, 3), 10, 1 << 20));
        REQUIRE(route.hold(copy_of(0, 7), 10, 1 << 20));
        REQUIRE(route.hold(copy_of(1, 4), 10, 1 << 20));
        route.in_transaction = 3;
        // Committed up to offset 5 of partition 0 and 4 of partition 1.
        route.rewind({{0, 5}, {1, 4}});
        std::vector<int64_t> offsets;
        for (const auto& held : route.held)
            offsets.push_back(held.offset);
        CHECK(offsets == std::vector<int64_t>{1, 2, 3});
        CHECK(route.inflight.empty());
        CHECK(route.in_transaction == 0);
        CHECK(route.held_bytes == size_of(copy_of(0, 1).copy) * 3);
    }
}

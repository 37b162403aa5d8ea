// Hand-written frames, field by field from the message schemas (apache/kafka
// clients/src/main/resources/common/message/*Response.json), so the reader and the writer cannot
// share a bug. The same responses encoded by Kafka's own classes are in kafka_golden_test.cpp.
#include <catch2/catch.hpp>

#include "common/tunnel/kafka_addresses.hpp"
#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_frame.hpp"
#include "common/tunnel/kafka_rewrite.hpp"
#include "kafka_test_data.hpp"

using namespace mirrord::tunnel::kafka;
using kafka_test::hex;
using kafka_test::unhex;

namespace {

// "127.0.0.1" as STRING and COMPACT_STRING, port 40000 + node id 2.
const std::string local_string = "0009 3132372e302e302e31";
const std::string local_compact = "0a 3132372e302e302e31";
const std::string local_port_2 = "00009c42";

ResponseRewrite to_local() {
    ResponseRewrite how;
    how.map_address = kafka_test::local_endpoint;
    return how;
}

std::string rewritten(std::string_view frame, std::int16_t api_key, std::int16_t version) {
    auto out = rewrite_response(frame, api_key, version, to_local());
    INFO((out ? "" : out.error().message()));
    REQUIRE(out);
    return hex(*out);
}

} // namespace

TEST_CASE("kafka wire: Metadata response addresses") {
    SECTION("v0: brokers of node id, host and port") {
        const auto frame = unhex("00000019 | 00000007 | 00000001 | 00000002 | 0003 622d32 | "
                                 "00002384 | 00000000");
        auto brokers = find_broker_addresses(api::metadata, 0, std::string_view(frame).substr(8));
        REQUIRE(brokers);
        REQUIRE(brokers->size() == 1);
        CHECK((*brokers)[0].node_id == 2);
        CHECK((*brokers)[0].host == "b-2");
        CHECK((*brokers)[0].port == 9092);
        CHECK(rewritten(frame, api::metadata, 0) ==
              hex(unhex("0000001f | 00000007 | 00000001 | 00000002 |" + local_string + "|" +
                        local_port_2 + " | 00000000")));
    }
    SECTION("v1: a nullable rack follows each broker and stays as it was") {
        const auto frame = unhex("0000002e | 00000007 | 00000002 | 00000002 | 0003 622d32 | "
                                 "00002384 | 0002 7231 | 00000005 | 0001 78 | 00000000 | ffff | "
                                 "00000002 | 00000000");
        // Node 5 maps to port 40005 (9c45).
        CHECK(rewritten(frame, api::metadata, 1) ==
              hex(unhex("0000003c | 00000007 | 00000002 | 00000002 |" + local_string + "|" +
                        local_port_2 + " | 0002 7231 | 00000005 |" + local_string +
                        "| 00009c45 | ffff | 00000002 | 00000000")));
    }
    SECTION("v9 (flexible): compact strings, tagged fields in the header and each broker") {
        const auto frame = unhex("0000002a | 00000007 | 00 | 00000000 | 02 | 00000002 | 04 622d32 "
                                 "| 00002384 | 00 | 01 07 01 aa | 05 61626364 | 00000002 | 01 | "
                                 "80000000 | 00");
        auto brokers = find_broker_addresses(api::metadata, 9, std::string_view(frame).substr(9));
        REQUIRE(brokers);
        REQUIRE(brokers->size() == 1);
        CHECK((*brokers)[0].host == "b-2");
        CHECK_FALSE((*brokers)[0].rack.has_value());
        CHECK(rewritten(frame, api::metadata, 9) ==
              hex(unhex("00000030 | 00000007 | 00 | 00000000 | 02 | 00000002 |" + local_compact +
                        "|" + local_port_2 +
                        "| 00 | 01 07 01 aa | 05 61626364 | 00000002 | 01 | 80000000 | 00")));
    }
    SECTION("an unknown version is an error, not a guess") {
        const auto frame = unhex("00000005 | 00000007 | 00");
        auto out = rewrite_response(frame, api::metadata, 14, to_local());
        REQUIRE_FALSE(out);
        CHECK(out.error().message() ==
              "response to correlation id 7: Metadata response v14: unsupported version (this "
              "proxy knows v0-v13)");
    }
}

TEST_CASE("kafka wire: FindCoordinator response addresses") {
    SECTION("v0: error code, then the coordinator") {
        const auto frame = unhex("00000013 | 00000003 | 0000 | 00000002 | 0003 622d32 | 00002384");
        CHECK(rewritten(frame, api::find_coordinator, 0) ==
              hex(unhex("00000019 | 00000003 | 0000 | 00000002 |" + local_string + "|" +
                        local_port_2)));
    }
    SECTION("v3 (flexible): throttle time, error message, tagged fields") {
        const auto frame = unhex("0000001c | 00000003 | 00 | 00000000 | 0000 | 00 | 00000002 | "
                                 "04 622d32 | 00002384 | 01 00 01 ee");
        CHECK(rewritten(frame, api::find_coordinator, 3) ==
              hex(unhex("00000022 | 00000003 | 00 | 00000000 | 0000 | 00 | 00000002 |" +
                        local_compact + "|" + local_port_2 + "| 01 00 01 ee")));
    }
    SECTION("v4+ (batched): each coordinator is rewritten, errors with node -1 are kept") {
        const auto frame = unhex("0000002e | 00000003 | 00 | 00000000 | 03 | "
                                 "02 67 | 00000002 | 04 622d32 | 00002384 | 0000 | 00 | 00 | "
                                 "02 74 | ffffffff | 01 | ffffffff | 000f | 03 6e6f | 00 | 00");
        for (std::int16_t version : {4, 5, 6}) {
            INFO("v" << version);
            CHECK(rewritten(frame, api::find_coordinator, version) ==
                  hex(unhex("00000034 | 00000003 | 00 | 00000000 | 03 | 02 67 | 00000002 |" +
                            local_compact + "|" + local_port_2 +
                            "| 0000 | 00 | 00 | 02 74 | ffffffff | 01 | ffffffff | 000f | "
                            "03 6e6f | 00 | 00")));
        }
    }
}

TEST_CASE("kafka wire: DescribeCluster response addresses") {
    // ThrottleTimeMs, ErrorCode, ErrorMessage (null), [EndpointType v1+], ClusterId "c",
    // ControllerId, then one broker: id 2, "b-2", 9092, rack null, [IsFenced v2+], tagged fields.
    auto frame = [](std::int16_t version) {
        std::string body = "00000000 | 0000 | 00 |";
        if (version >= 1)
            body += "01 |";
        body += "02 63 | 00000002 | 02 | 00000002 | 04 622d32 | 00002384 | 00 |";
        if (version >= 2)
            body += "01 |";
        body += "00 | 80000000 | 00";
        auto payload = unhex("00000009 | 00 |" + body);
        return encode_frame(payload);
    };
    for (std::int16_t version : {0, 1, 2}) {
        INFO("v" << version);
        const auto original = frame(version);
        const auto body = std::string_view(original).substr(9);
        auto brokers = find_broker_addresses(api::describe_cluster, version, body);
        REQUIRE(brokers);
        REQUIRE(brokers->size() == 1);
        CHECK((*brokers)[0].host == "b-2");
        const auto out = unhex(rewritten(original, api::describe_cluster, version));
        // Only the host (+6 bytes) and port changed, and the size prefix with them.
        REQUIRE(out.size() == original.size() + 6);
        const auto host_at = original.find("\x04" "b-2");
        REQUIRE(host_at != std::string::npos);
        CHECK(hex(out.substr(4, host_at - 4)) == hex(original.substr(4, host_at - 4)));
        CHECK(hex(out.substr(host_at, 14)) == hex(unhex(local_compact + local_port_2)));
        CHECK(hex(out.substr(host_at + 14)) == hex(original.substr(host_at + 8)));
    }
}

TEST_CASE("kafka wire: response rewriting") {
    SECTION("the identity mapping gives back the same bytes") {
        const auto frame = unhex("0000002a | 00000007 | 00 | 00000000 | 02 | 00000002 | 04 622d32 "
                                 "| 00002384 | 00 | 01 07 01 aa | 05 61626364 | 00000002 | 01 | "
                                 "80000000 | 00");
        ResponseRewrite same;
        same.map_address = kafka_test::same_endpoint;
        CHECK(hex(*rewrite_response(frame, api::metadata, 9, same)) == hex(frame));
    }
    SECTION("responses of other APIs come back untouched") {
        const auto frame = unhex("00000008 | 00000007 | 00 | 01 | 00 | 00");
        CHECK(*rewrite_response(frame, api::fetch, 16, to_local()) == frame);
        CHECK(*rewrite_response(frame, api::produce, 11, to_local()) == frame);
        CHECK_FALSE(response_needs_rewrite(api::fetch));
        CHECK(response_needs_rewrite(api::metadata));
        CHECK(carries_unrewritten_addresses(api::fetch, 16));
        CHECK_FALSE(carries_unrewritten_addresses(api::fetch, 15));
        CHECK(carries_unrewritten_addresses(api::produce, 10));
        CHECK_FALSE(carries_unrewritten_addresses(api::produce, 9));
    }
    SECTION("the mapper sees each broker's node id and advertised address") {
        const auto frame = unhex("0000002e | 00000007 | 00000002 | 00000002 | 0003 622d32 | "
                                 "00002384 | 0002 7231 | 00000005 | 0001 78 | 00000000 | ffff | "
                                 "00000002 | 00000000");
        std::vector<std::string> seen;
        ResponseRewrite how;
        how.map_address = [&](std::int32_t node, std::string_view host, std::int32_t port) {
            seen.push_back(fmt::format("{} {}:{}", node, host, port));
            return Endpoint{"h", 1};
        };
        REQUIRE(rewrite_response(frame, api::metadata, 1, how));
        CHECK(seen == std::vector<std::string>{"2 b-2:9092", "5 x:0"});
    }
    SECTION("every truncation of the addresses is an error, never a read past the end") {
        const auto frame = unhex("0000002e | 00000003 | 00 | 00000000 | 03 | "
                                 "02 67 | 00000002 | 04 622d32 | 00002384 | 0000 | 00 | 00 | "
                                 "02 74 | ffffffff | 01 | ffffffff | 000f | 03 6e6f | 00 | 00");
        const auto body = std::string_view(frame).substr(9);
        for (std::size_t size = 0; size < body.size() - 1; ++size) {
            // An owned copy, so ASan sees a read past its end.
            const std::string cut(body.substr(0, size));
            CHECK_FALSE(find_broker_addresses(api::find_coordinator, 4, cut));
        }
        CHECK(find_broker_addresses(api::find_coordinator, 4, body));
    }
    SECTION("a host too long for a Kafka string is an error") {
        const auto frame = unhex("00000013 | 00000003 | 0000 | 00000002 | 0003 622d32 | 00002384");
        ResponseRewrite how;
        how.map_address = [](std::int32_t, std::string_view, std::int32_t) {
            return Endpoint{std::string(40000, 'h'), 1};
        };
        auto out = rewrite_response(frame, api::find_coordinator, 0, how);
        REQUIRE_FALSE(out);
        CHECK(out.error().message() ==
              "response to correlation id 3: host of 40000 bytes for node 2 is too long for Kafka");
    }
}

TEST_CASE("kafka wire: response rewriting of unusual encodings") {
    // Found by kafka_wire_fuzz: a compact string length written as a two-byte varint (0x84 0x00
    // is 4, like 0x04). Kafka's readers accept it; rewriting to the same address must keep it.
    const auto frame = unhex("0000002b | 00000007 | 00 | 00000000 | 02 | 00000002 | 8400 622d32 "
                             "| 00002384 | 00 | 01 07 01 aa | 05 61626364 | 00000002 | 01 | "
                             "80000000 | 00");
    SECTION("the identity mapping keeps a non-minimal varint") {
        ResponseRewrite same;
        same.map_address = kafka_test::same_endpoint;
        CHECK(hex(*rewrite_response(frame, api::metadata, 9, same)) == hex(frame));
    }
    SECTION("a new address is written in the shortest form") {
        CHECK(rewritten(frame, api::metadata, 9) ==
              hex(unhex("00000030 | 00000007 | 00 | 00000000 | 02 | 00000002 |" + local_compact +
                        "|" + local_port_2 +
                        "| 00 | 01 07 01 aa | 05 61626364 | 00000002 | 01 | 80000000 | 00")));
    }
}

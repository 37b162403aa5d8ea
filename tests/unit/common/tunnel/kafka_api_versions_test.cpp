#include <catch2/catch.hpp>

#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_api_versions.hpp"
#include "common/tunnel/kafka_correlation.hpp"
#include "common/tunnel/kafka_frame.hpp"
#include "kafka_test_data.hpp"

using namespace mirrord::tunnel::kafka;
using kafka_test::hex;
using kafka_test::unhex;

TEST_CASE("kafka wire: ApiVersions capping") {
    // v3 body: ErrorCode, ApiKeys [Produce 3-13, Fetch 4-18 with a tagged field, ShareFetch 1-1],
    // ThrottleTimeMs, tagged fields (one feature entry, kept as raw bytes).
    const auto v3 = unhex("0000 | 04 | 0000 0003 000d 00 | 0001 0004 0012 01 00 01 aa | "
                          "004e 0001 0001 00 | 00000000 | 01 00 03 010203");
    SECTION("reads every entry") {
        auto parsed = parse_api_versions(3, v3);
        REQUIRE(parsed);
        REQUIRE(parsed->api_keys.size() == 3);
        CHECK(parsed->api_keys[1].api_key == 1);
        CHECK(parsed->api_keys[1].min_version == 4);
        CHECK(parsed->api_keys[1].max_version == 18);
    }
    SECTION("lowers the max versions, removes APIs capped below their minimum, keeps the rest") {
        auto capped = cap_api_versions(3, v3, proxy_version_caps());
        REQUIRE(capped);
        CHECK(hex(*capped) == hex(unhex("0000 | 03 | 0000 0003 0009 00 | 0001 0004 000f 01 00 01 "
                                        "aa | 00000000 | 01 00 03 010203")));
    }
    SECTION("a list within the caps stays byte for byte") {
        const auto low = unhex("0000 | 02 | 0001 0004 000f 00 | 00000000 | 00");
        CHECK(*cap_api_versions(3, low, proxy_version_caps()) == low);
    }
    SECTION("v0 and v1 use plain arrays and no tagged fields") {
        const auto v1 = unhex("0000 | 00000002 | 0000 0003 000d | 0003 0000 000d | 00000000");
        CHECK(hex(*cap_api_versions(1, v1, proxy_version_caps())) ==
              hex(unhex("0000 | 00000002 | 0000 0003 0009 | 0003 0000 000d | 00000000")));
        const auto v0 = unhex("0000 | 00000001 | 0001 0004 0012");
        CHECK(hex(*cap_api_versions(0, v0, proxy_version_caps())) ==
              hex(unhex("0000 | 00000001 | 0001 0004 000f")));
    }
    SECTION("UNSUPPORTED_VERSION answers come as v0 whatever the request's version") {
        const auto error = unhex("0023 | 00000001 | 0012 0000 0004");
        auto parsed = parse_api_versions(5, error);
        REQUIRE(parsed);
        CHECK(parsed->error_code == 35);
        CHECK(parsed->body_version == 0);
        REQUIRE(parsed->api_keys.size() == 1);
        CHECK(parsed->api_keys[0].max_version == 4);
    }
    SECTION("a truncated list is an error naming the response") {
        auto parsed = parse_api_versions(3, unhex("0000 | 04 | 0000 0003"));
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().message().starts_with("ApiVersions response v3: truncated"));
    }
}

TEST_CASE("kafka wire: Correlator") {
    // Metadata v12 request, correlation id 7, client id "c".
    const auto metadata = unhex("0000000d | 0003 | 000c | 00000007 | 0001 63 | 00 | 00");
    SECTION("matches a response to the api key and version of its request") {
        Correlator correlator;
        REQUIRE(correlator.on_request(metadata));
        CHECK(correlator.pending() == 1);
        auto request = correlator.on_response(unhex("00000005 | 00000007 | 00"));
        REQUIRE(request);
        CHECK(request->api_key == api::metadata);
        CHECK(request->api_version == 12);
        CHECK(correlator.pending() == 0);
    }
    SECTION("a response nobody asked for is an error") {
        Correlator correlator;
        auto request = correlator.on_response(unhex("00000005 | 00000009 | 00"));
        REQUIRE_FALSE(request);
        CHECK(request.error().message() ==
              "Kafka response with correlation id 9 answers no pending request");
    }
    SECTION("a correlation id that still waits cannot be reused") {
        Correlator correlator;
        REQUIRE(correlator.on_request(metadata));
        CHECK_FALSE(correlator.on_request(metadata));
    }
    SECTION("Produce with acks=0 waits for no response") {
        // Produce v9 (flexible): null transactional id, acks.
        const auto acks0 = unhex("00000010 | 0000 | 0009 | 00000008 | 0001 63 | 00 | 00 | 0000 |"
                                 "00");
        const auto acks1 = unhex("00000010 | 0000 | 0009 | 00000009 | 0001 63 | 00 | 00 | 0001 |"
                                 "00");
        // Produce v3 (not flexible): transactional id "t", acks -1.
        const auto v3 = unhex("00000010 | 0000 | 0003 | 0000000a | 0001 63 | 0001 74 | ffff");
        CHECK(*produce_without_response(acks0));
        CHECK_FALSE(*produce_without_response(acks1));
        CHECK_FALSE(*produce_without_response(v3));
        Correlator correlator;
        REQUIRE(correlator.on_request(acks0));
        REQUIRE(correlator.on_request(acks1));
        REQUIRE(correlator.on_request(v3));
        CHECK(correlator.pending() == 2);
    }
}

TEST_CASE("kafka wire: an ApiVersions error answer passes unchanged", "[tunnel]") {
    // librdkafka 2.0.2's mock cluster answers a v3 request it does not support like this
    // (UNSUPPORTED_VERSION, a one-byte count, v0 entries): not the v0 layout Kafka brokers use.
    const std::string body("\x00\x23\x01\x00\x12\x00\x00\x00\x02\x00\x00\x00\x00", 13);
    auto capped = cap_api_versions(3, body, proxy_version_caps());
    REQUIRE(capped);
    CHECK(*capped == body);
}

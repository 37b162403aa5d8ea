#include <catch2/catch.hpp>

#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_frame.hpp"
#include "kafka_test_data.hpp"

using namespace mirrord;
using namespace mirrord::tunnel::kafka;
using kafka_test::hex;
using kafka_test::unhex;

namespace {

// Feeds `stream` cut at `cuts` and returns the frames the splitter hands out.
std::vector<std::string> split(std::string_view stream, const std::vector<std::size_t>& cuts,
                               std::size_t max_frame = default_max_frame) {
    FrameSplitter splitter(max_frame);
    std::vector<std::string> frames;
    std::size_t start = 0;
    auto collect = [&](std::string_view frame) -> Status {
        frames.emplace_back(frame);
        return {};
    };
    for (std::size_t cut : cuts) {
        REQUIRE(splitter.feed(stream.substr(start, cut - start), collect));
        start = cut;
    }
    REQUIRE(splitter.feed(stream.substr(start), collect));
    CHECK(splitter.pending() == 0);
    return frames;
}

} // namespace

TEST_CASE("kafka wire: FrameSplitter") {
    const std::vector<std::string> frames = {unhex("00000003 aabbcc"), unhex("00000000"),
                                             unhex("00000001 dd"), unhex("00000005 0102030405")};
    std::string stream;
    for (const auto& frame : frames)
        stream += frame;

    SECTION("hands out whole frames whatever the chunks, one cut at every offset") {
        for (std::size_t cut = 0; cut <= stream.size(); ++cut)
            CHECK(split(stream, {cut}) == frames);
    }
    SECTION("hands out whole frames when fed one byte at a time") {
        std::vector<std::size_t> cuts;
        for (std::size_t i = 1; i < stream.size(); ++i)
            cuts.push_back(i);
        CHECK(split(stream, cuts) == frames);
    }
    SECTION("keeps an unfinished frame until the rest arrives") {
        FrameSplitter splitter;
        int seen = 0;
        auto count = [&](std::string_view) -> Status {
            ++seen;
            return {};
        };
        REQUIRE(splitter.feed(unhex("00000003 aa"), count));
        CHECK(seen == 0);
        CHECK(splitter.pending() == 5);
        REQUIRE(splitter.feed(unhex("bbcc 0000"), count));
        CHECK(seen == 1);
        CHECK(splitter.pending() == 2);
    }
    SECTION("a frame above the limit is an error before it is buffered") {
        FrameSplitter splitter(16);
        auto ok = [](std::string_view) -> Status { return {}; };
        auto status = splitter.feed(unhex("00000011"), ok);
        REQUIRE_FALSE(status);
        CHECK(status.error().message() == "Kafka frame of 17 bytes exceeds the limit of 16 bytes");
        CHECK(splitter.pending() == 0);
        CHECK_FALSE(splitter.feed(unhex("00000000"), ok));
        CHECK(split(unhex("00000010") + std::string(16, 'x'), {2}, 16).size() == 1);
    }
    SECTION("the default limit is 100 MiB") {
        FrameSplitter splitter;
        auto ok = [](std::string_view) -> Status { return {}; };
        CHECK(splitter.feed(unhex("06400000"), ok));
        FrameSplitter over;
        CHECK_FALSE(over.feed(unhex("06400001"), ok));
    }
    SECTION("a negative size is an error, also when its prefix arrives in pieces") {
        FrameSplitter splitter;
        auto ok = [](std::string_view) -> Status { return {}; };
        REQUIRE(splitter.feed(unhex("ff"), ok));
        auto status = splitter.feed(unhex("ffffff"), ok);
        REQUIRE_FALSE(status);
        CHECK(status.error().message() == "invalid Kafka frame size -1");
    }
    SECTION("a handler's error stops the stream") {
        FrameSplitter splitter;
        auto status = splitter.feed(stream, [](std::string_view) -> Status { return fail("no"); });
        REQUIRE_FALSE(status);
        CHECK(status.error().message() == "no");
    }
}

TEST_CASE("kafka wire: request and response headers") {
    SECTION("request header v1: api key, version, correlation id, client id") {
        // Metadata v8: not flexible.
        const auto frame = unhex("00000011 | 0003 | 0008 | 0000002a | 0007 72646b61666b61");
        auto header = parse_request_header(frame);
        REQUIRE(header);
        CHECK(header->api_key == 3);
        CHECK(header->api_version == 8);
        CHECK(header->correlation_id == 42);
        CHECK(header->client_id == "rdkafka");
        CHECK(header->header_version == 1);
        CHECK(header->size == 17);
        CHECK(encode_request_header(*header) == frame.substr(4));
    }
    SECTION("request header v2 keeps a non-compact client id and adds tagged fields") {
        // ApiVersions v3 with client id "kcat", one tagged field, and a 2-byte body.
        const auto frame = unhex("00000014 | 0012 | 0003 | 00000001 | 0004 6b636174 | 01 0001 ff "
                                 "| 0203");
        auto header = parse_request_header(frame);
        REQUIRE(header);
        CHECK(header->header_version == 2);
        CHECK(header->client_id == "kcat");
        REQUIRE(header->tagged_fields.size() == 1);
        CHECK(hex(header->tagged_fields[0].data) == "ff");
        CHECK(header->size == 18);
        CHECK(encode_request_header(*header) == frame.substr(4, 18));
    }
    SECTION("request header v2 with a null client id") {
        const auto frame = unhex("0000000b | 0003 | 000c | 00000005 | ffff | 00");
        auto header = parse_request_header(frame);
        REQUIRE(header);
        CHECK_FALSE(header->client_id.has_value());
    }
    SECTION("ControlledShutdown v0 has no client id") {
        const auto frame = unhex("0000000c | 0007 | 0000 | 00000009 | 00000001");
        auto header = parse_request_header(frame);
        REQUIRE(header);
        CHECK(header->header_version == 0);
        CHECK(header->size == 8);
    }
    SECTION("a truncated request header is an error") {
        auto header = parse_request_header(unhex("00000009 | 0003 | 000c | 00000005 | ff"));
        REQUIRE_FALSE(header);
        CHECK(header.error().message().starts_with("Kafka request header: truncated"));
        CHECK_FALSE(parse_request_header(unhex("00000009 | 0003")));
    }
    SECTION("response header v0 and v1") {
        const auto v0 = unhex("00000006 | 0000002a | abcd");
        auto header0 = parse_response_header(v0, 0);
        REQUIRE(header0);
        CHECK(header0->correlation_id == 42);
        CHECK(header0->size == 4);
        const auto v1 = unhex("00000008 | 0000002a | 01 0300 | ab");
        auto header1 = parse_response_header(v1, 1);
        REQUIRE(header1);
        CHECK(header1->size == 7);
        REQUIRE(header1->tagged_fields.size() == 1);
        CHECK(header1->tagged_fields[0].tag == 3);
        CHECK_FALSE(parse_response_header(unhex("00000004 | 0000002a"), 1));
    }
    SECTION("encode_frame prefixes the size") {
        CHECK(hex(encode_frame(unhex("0102"))) == "000000020102");
    }
}

TEST_CASE("kafka wire: header versions") {
    SECTION("match Kafka 4.1's own ApiKeys for every API and version it knows") {
        int checked = 0;
        for (const auto& line : kafka_test::data_lines("header_versions.txt")) {
            std::istringstream fields(line);
            int key = 0, version = 0, request = 0, response = 0;
            fields >> key >> version >> request >> response;
            INFO("api key " << key << " v" << version);
            CHECK(request_header_version(static_cast<std::int16_t>(key),
                                         static_cast<std::int16_t>(version)) == request);
            CHECK(response_header_version(static_cast<std::int16_t>(key),
                                          static_cast<std::int16_t>(version)) == response);
            ++checked;
        }
        CHECK(checked > 250);
    }
    SECTION("ApiVersions always answers with response header v0") {
        CHECK(request_header_version(api::api_versions, 3) == 2);
        CHECK(response_header_version(api::api_versions, 3) == 0);
        CHECK(response_header_version(api::api_versions, 4) == 0);
    }
    SECTION("APIs newer than the table are flexible from v0 (KIP-482)") {
        CHECK(request_header_version(120, 0) == 2);
        CHECK(response_header_version(120, 0) == 1);
        CHECK(first_flexible_version(api::sasl_handshake) == -1);
        CHECK(request_header_version(api::sasl_handshake, 1) == 1);
    }
}

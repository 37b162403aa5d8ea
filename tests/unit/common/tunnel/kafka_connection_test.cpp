#include <catch2/catch.hpp>

#include <map>

#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_connection.hpp"
#include "kafka_test_data.hpp"

using namespace mirrord;
using namespace mirrord::tunnel::kafka;
using kafka_test::hex;
using kafka_test::unhex;

namespace {

ResponseRewrite to_local() {
    ResponseRewrite how;
    how.map_address = kafka_test::local_endpoint;
    return how;
}

// Feeds `stream` in chunks of `chunk` bytes to `feed` and returns everything it sent on.
template <typename Feed> std::string pump(std::string_view stream, std::size_t chunk, Feed feed) {
    std::string out;
    for (std::size_t at = 0; at < stream.size(); at += chunk)
        REQUIRE(feed(stream.substr(at, chunk), out));
    return out;
}

// A request header frame with an empty body: enough for the connection to correlate.
std::string request(std::int16_t api_key, std::int16_t version, std::int32_t correlation_id) {
    Writer writer;
    writer.int16(api_key).int16(version).int32(correlation_id).nullable_string("c");
    if (is_flexible(api_key, version))
        writer.no_tagged_fields();
    return encode_frame(writer.bytes());
}

} // namespace

TEST_CASE("kafka wire: KafkaConnection") {
    SECTION("a real broker's session comes out rewritten, whatever the chunks") {
        const std::map<std::string, std::int16_t> keys = {
            {"Metadata", api::metadata},
            {"FindCoordinator", api::find_coordinator},
            {"DescribeCluster", api::describe_cluster},
            {"ApiVersions", api::api_versions}};
        std::string requests, responses, expected;
        for (const auto& line : kafka_test::data_lines("captured_sweep.txt")) {
            std::istringstream fields(line);
            std::string first, name, kind, frame;
            int version = 0;
            fields >> first;
            if (first == "request") {
                fields >> name >> version >> frame;
                requests += unhex(frame);
                continue;
            }
            fields >> version >> kind >> frame;
            responses += unhex(frame);
            // What rewrite_response() (checked frame by frame in kafka_capture_test.cpp) gives.
            auto rewritten = rewrite_response(unhex(frame), keys.at(first),
                                              static_cast<std::int16_t>(version), to_local());
            REQUIRE(rewritten);
            expected += *rewritten;
        }
        CHECK(expected != responses);
        for (std::size_t chunk : {1, 3, 8, 100, 4096}) {
            INFO("chunks of " << chunk);
            KafkaConnection connection(to_local());
            CHECK(pump(requests, chunk, [&](std::string_view c, std::string& out) {
                      return connection.from_client(c, out);
                  }) == requests);
            CHECK(connection.pending_requests() == 29);
            CHECK(hex(pump(responses, chunk, [&](std::string_view c, std::string& out) {
                      return connection.from_broker(c, out);
                  })) == hex(expected));
            CHECK(connection.pending_requests() == 0);
        }
    }
    SECTION("responses that need no rewrite are forwarded before the frame is complete") {
        KafkaConnection connection(to_local());
        std::string to_broker, to_client;
        REQUIRE(connection.from_client(request(api::fetch, 15, 5), to_broker));
        const auto fetch = encode_frame(unhex("00000005 | 00 | ") + std::string(1000, 'r'));
        REQUIRE(connection.from_broker(std::string_view(fetch).substr(0, 500), to_client));
        CHECK(to_client == fetch.substr(0, 500));
        REQUIRE(connection.from_broker(std::string_view(fetch).substr(500), to_client));
        CHECK(to_client == fetch);
    }
    SECTION("Produce with acks=0 gets no response and does not confuse the next one") {
        KafkaConnection connection(to_local());
        std::string to_broker, to_client;
        const auto acks0 = unhex("00000010 | 0000 | 0009 | 00000008 | 0001 63 | 00 | 00 | 0000 |"
                                 "00");
        REQUIRE(connection.from_client(acks0 + request(api::find_coordinator, 0, 9), to_broker));
        CHECK(connection.pending_requests() == 1);
        const auto response =
            unhex("00000013 | 00000009 | 0000 | 00000002 | 0003 622d32 | 00002384");
        REQUIRE(connection.from_broker(response, to_client));
        CHECK(hex(to_client) ==
              hex(unhex("00000019 | 00000009 | 0000 | 00000002 | 0009 3132372e302e302e31 | "
                        "00009c42")));
    }
    SECTION("a response to no request closes the connection") {
        KafkaConnection connection(to_local());
        std::string to_client;
        auto status = connection.from_broker(unhex("00000005 | 00000007 | 00"), to_client);
        REQUIRE_FALSE(status);
        CHECK(status.error().message() ==
              "Kafka response with correlation id 7 answers no pending request");
        CHECK(to_client.empty());
        CHECK_FALSE(connection.from_broker(unhex("00"), to_client));
    }
    SECTION("SASL handshake v0 is refused, v1 passes") {
        KafkaConnection connection(to_local());
        std::string to_broker;
        REQUIRE(connection.from_client(request(api::sasl_handshake, 1, 1), to_broker));
        auto status = connection.from_client(request(api::sasl_handshake, 0, 2), to_broker);
        REQUIRE_FALSE(status);
        CHECK(status.error().message() ==
              "SASL handshake v0 (raw SASL tokens) is not supported through the tunnel");
    }
    SECTION("a Fetch above the advertised cap is warned about once") {
        std::vector<std::string> warnings;
        auto warn = [&](const std::string& warning) { warnings.push_back(warning); };
        KafkaConnection connection(to_local(), warn);
        std::string to_broker;
        REQUIRE(connection.from_client(request(api::fetch, 16, 1) + request(api::fetch, 16, 2) +
                                           request(api::fetch, 15, 3),
                                       to_broker));
        REQUIRE(warnings.size() == 1);
        CHECK(warnings[0] == "Kafka client sent api key 1 v16, above the versions the tunnel "
                             "advertises: broker addresses in its responses are not rewritten");
    }
}

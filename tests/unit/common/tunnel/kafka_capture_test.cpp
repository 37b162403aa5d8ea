// Frames recorded from the real Kafka 4.1 broker of scripts/testenv by tests/tools/
// kafka_capture.py: a version sweep of ApiVersions, Metadata, FindCoordinator and DescribeCluster
// (captured_sweep.txt) and what librdkafka's kcat -L exchanges (captured_kcat.txt). The broker
// advertises itself as node 1 at 127.0.0.1:19092.
#include <catch2/catch.hpp>

#include <map>

#include "common/tunnel/kafka_addresses.hpp"
#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_api_versions.hpp"
#include "common/tunnel/kafka_codec.hpp"
#include "common/tunnel/kafka_correlation.hpp"
#include "common/tunnel/kafka_frame.hpp"
#include "common/tunnel/kafka_rewrite.hpp"
#include "kafka_test_data.hpp"

using namespace mirrord::tunnel::kafka;
using kafka_test::hex;
using kafka_test::unhex;

namespace {

struct Captured {
    std::vector<std::string> requests;
    std::vector<std::pair<std::string, std::string>> responses; // api name, frame
};

Captured load(const std::string& file) {
    Captured captured;
    for (const auto& line : kafka_test::data_lines(file)) {
        std::istringstream fields(line);
        std::string first, second, third, frame;
        fields >> first >> second >> third >> frame;
        if (first == "request")
            captured.requests.push_back(unhex(frame));
        else
            captured.responses.emplace_back(first, unhex(frame));
    }
    return captured;
}

// The address encoding a broker writes for a host and port: STRING or COMPACT_STRING, int32.
std::string encoded(std::string_view host, std::int32_t port, bool flexible) {
    Writer writer;
    writer.string(host, flexible).int32(port);
    return writer.take();
}

// `frame` with every `from` replaced by `to` and the size prefix recomputed: what the proxy must
// produce, computed without parsing.
std::string replaced(std::string frame, const std::string& from, const std::string& to) {
    for (auto at = frame.find(from); at != std::string::npos; at = frame.find(from, at + to.size()))
        frame.replace(at, from.size(), to);
    return encode_frame(std::string_view(frame).substr(4));
}

} // namespace

TEST_CASE("kafka wire: frames captured from a real broker") {
    const std::string broker_host = "127.0.0.1";
    const std::int32_t broker_port = 19092;
    ResponseRewrite to_local;
    to_local.map_address = [](std::int32_t node, std::string_view, std::int32_t) {
        return Endpoint{"local-broker.mirrord", 40000 + node};
    };

    for (const std::string file : {"captured_sweep.txt", "captured_kcat.txt"}) {
        DYNAMIC_SECTION(file) {
            const auto captured = load(file);
            REQUIRE(captured.responses.size() == captured.requests.size());
            Correlator correlator;
            for (const auto& request : captured.requests)
                REQUIRE(correlator.on_request(request));
            std::map<std::int16_t, int> seen;
            for (const auto& [api_name, frame] : captured.responses) {
                auto request = correlator.on_response(frame);
                REQUIRE(request);
                INFO(api_name << " v" << request->api_version);
                ++seen[request->api_key];
                const bool flexible = is_flexible(request->api_key, request->api_version);
                const auto key = request->api_key;
                const auto version = request->api_version;
                auto out = rewrite_response(frame, key, version, to_local);
                INFO((out ? "" : out.error().message()));
                REQUIRE(out);
                if (request->api_key == api::api_versions) {
                    auto header = parse_response_header(*out, 0);
                    REQUIRE(header);
                    const auto body = std::string_view(*out).substr(4 + header->size);
                    auto versions = parse_api_versions(version, body);
                    REQUIRE(versions);
                    CHECK(versions->error_code == 0);
                    std::map<std::int16_t, std::int16_t> max;
                    for (const auto& range : versions->api_keys)
                        max[range.api_key] = range.max_version;
                    CHECK(max.at(api::fetch) == 15);
                    CHECK(max.at(api::produce) == 9);
                    CHECK(max.at(api::metadata) == 13);
                    CHECK(max.count(api::share_fetch) == 0);
                    CHECK(max.count(api::describe_cluster) == 1);
                    continue;
                }
                REQUIRE(carries_broker_addresses(request->api_key));
                const auto header = parse_response_header(
                    frame, response_header_version(request->api_key, request->api_version));
                REQUIRE(header);
                const auto body = std::string_view(frame).substr(4 + header->size);
                auto brokers = find_broker_addresses(key, version, body);
                REQUIRE(brokers);
                REQUIRE(brokers->size() == 1);
                CHECK((*brokers)[0].node_id == 1);
                CHECK((*brokers)[0].host == broker_host);
                CHECK((*brokers)[0].port == broker_port);
                // Byte for byte the broker's frame, but for the address and the size prefix.
                CHECK(hex(*out) == hex(replaced(frame, encoded(broker_host, broker_port, flexible),
                                                encoded("local-broker.mirrord", 40001, flexible))));
            }
            CHECK(correlator.pending() == 0);
            if (file == "captured_sweep.txt") {
                // Every version the broker offers: ApiVersions 0-4, Metadata 0-13,
                // FindCoordinator 0-6, DescribeCluster 0-2.
                CHECK(seen == std::map<std::int16_t, int>{{api::api_versions, 5},
                                                          {api::metadata, 14},
                                                          {api::find_coordinator, 7},
                                                          {api::describe_cluster, 3}});
            }
        }
    }
}

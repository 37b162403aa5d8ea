// Responses encoded by Apache Kafka 4.1's own message classes (tests/tools/kafka-golden) at every
// version of Metadata, FindCoordinator, DescribeCluster and ApiVersions, flexible ones included,
// each next to the frame the proxy must turn it into.
#include <catch2/catch.hpp>

#include <map>

#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_api_versions.hpp"
#include "common/tunnel/kafka_frame.hpp"
#include "common/tunnel/kafka_rewrite.hpp"
#include "kafka_test_data.hpp"

using namespace mirrord::tunnel::kafka;
using kafka_test::hex;
using kafka_test::unhex;

namespace {

struct Golden {
    std::int16_t api_key = 0;
    std::int16_t version = 0;
    std::string original;
    std::string rewritten;
};

std::vector<Golden> golden_frames() {
    const std::map<std::string, std::int16_t> keys = {{"Metadata", api::metadata},
                                                      {"FindCoordinator", api::find_coordinator},
                                                      {"DescribeCluster", api::describe_cluster},
                                                      {"ApiVersions", api::api_versions}};
    std::map<std::pair<int, int>, Golden> by_version;
    for (const auto& line : kafka_test::data_lines("golden.txt")) {
        std::istringstream fields(line);
        std::string name, kind, frame;
        int version = 0;
        fields >> name >> version >> kind >> frame;
        REQUIRE(keys.count(name) == 1);
        auto& golden = by_version[{keys.at(name), version}];
        golden.api_key = keys.at(name);
        golden.version = static_cast<std::int16_t>(version);
        (kind == "original" ? golden.original : golden.rewritten) = unhex(frame);
    }
    std::vector<Golden> out;
    for (auto& [key, golden] : by_version)
        out.push_back(golden);
    return out;
}

} // namespace

TEST_CASE("kafka wire: responses encoded by Kafka itself") {
    const auto frames = golden_frames();
    // Metadata v0-v13, FindCoordinator v0-v6, DescribeCluster v0-v2, ApiVersions v0-v4.
    REQUIRE(frames.size() == 14 + 7 + 3 + 5);
    ResponseRewrite to_local;
    to_local.map_address = kafka_test::local_endpoint;
    ResponseRewrite same;
    same.map_address = kafka_test::same_endpoint;
    same.caps = {};

    SECTION("rewriting gives exactly the frame Kafka encodes with the local addresses") {
        for (const auto& golden : frames) {
            INFO("api key " << golden.api_key << " v" << golden.version);
            auto out = rewrite_response(golden.original, golden.api_key, golden.version, to_local);
            INFO((out ? "" : out.error().message()));
            REQUIRE(out);
            CHECK(hex(*out) == hex(golden.rewritten));
        }
    }
    SECTION("rewriting to the same addresses gives back the same bytes") {
        for (const auto& golden : frames) {
            INFO("api key " << golden.api_key << " v" << golden.version);
            auto out = rewrite_response(golden.original, golden.api_key, golden.version, same);
            REQUIRE(out);
            CHECK(hex(*out) == hex(golden.original));
        }
    }
    SECTION("ApiVersions: every API is read, and the caps lower only the capped ones") {
        for (const auto& golden : frames) {
            if (golden.api_key != api::api_versions)
                continue;
            INFO("v" << golden.version);
            auto header = parse_response_header(golden.original, 0);
            REQUIRE(header);
            const auto original = std::string_view(golden.original).substr(4 + header->size);
            const auto capped = std::string_view(golden.rewritten).substr(4 + header->size);
            auto before = parse_api_versions(golden.version, original);
            auto after = parse_api_versions(golden.version, capped);
            REQUIRE(before);
            REQUIRE(after);
            CHECK(before->api_keys.size() > 80);
            // ShareFetch and ShareAcknowledge are gone, Fetch stops at v15, Produce at v9.
            CHECK(after->api_keys.size() == before->api_keys.size() - 2);
            for (const auto& range : after->api_keys) {
                CHECK(range.api_key != api::share_fetch);
                CHECK(range.api_key != api::share_acknowledge);
                if (range.api_key == api::fetch)
                    CHECK(range.max_version == 15);
                if (range.api_key == api::produce)
                    CHECK(range.max_version == 9);
            }
        }
    }
    SECTION("the frame splitter gives back every golden frame from one stream") {
        std::string stream;
        for (const auto& golden : frames)
            stream += golden.original + golden.rewritten;
        for (std::size_t chunk : {1, 7, 100, 4096}) {
            FrameSplitter splitter;
            std::size_t index = 0;
            bool all_match = true;
            for (std::size_t at = 0; at < stream.size(); at += chunk) {
                REQUIRE(splitter.feed(std::string_view(stream).substr(at, chunk),
                                      [&](std::string_view frame) -> mirrord::Status {
                                          const auto& golden = frames[index / 2];
                                          all_match &= frame == (index % 2 ? golden.rewritten
                                                                           : golden.original);
                                          ++index;
                                          return {};
                                      }));
            }
            CHECK(index == frames.size() * 2);
            CHECK(all_match);
        }
    }
}

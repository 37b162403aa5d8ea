// libFuzzer target for the Kafka wire codec of the tunnel proxy (common/tunnel): the frame
// splitter, request/response headers, the correlator and the response decoders and rewriters.
// Whatever the bytes, nothing may crash, read out of bounds or throw, and two properties must
// hold for every response that decodes:
// - rewriting every address to itself gives back the same bytes;
// - after rewriting to other addresses, decoding finds the same brokers with the new addresses.
//
// Input: byte 0 picks the API (Metadata, FindCoordinator, DescribeCluster, ApiVersions), a
// request stream, or a whole connection; byte 1 the version, byte 2 the chunk size for the
// splitter; the rest is response frames (size prefix included) or a stream of request frames.
// For a connection, byte 1 says where the client's bytes end and the broker's begin (as a share
// of the rest), and the two streams go through KafkaConnection in alternating chunks.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/tunnel/kafka_addresses.hpp"
#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_api_versions.hpp"
#include "common/tunnel/kafka_connection.hpp"
#include "common/tunnel/kafka_correlation.hpp"
#include "common/tunnel/kafka_frame.hpp"
#include "common/tunnel/kafka_rewrite.hpp"

using namespace mirrord;
using namespace mirrord::tunnel::kafka;

namespace {

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "kafka_wire_fuzz: %s\n", what);
    std::abort();
}

void requests(std::string_view stream, std::size_t chunk) {
    FrameSplitter splitter(1 << 16);
    Correlator correlator;
    auto on_frame = [&](std::string_view frame) -> Status {
        if (auto header = parse_request_header(frame))
            (void)encode_request_header(*header);
        (void)correlator.on_request(frame);
        (void)correlator.on_response(frame);
        return {};
    };
    for (std::size_t at = 0; at < stream.size(); at += chunk)
        if (!splitter.feed(stream.substr(at, chunk), on_frame))
            return;
}

void connection(std::string_view rest, std::uint8_t split, std::size_t chunk) {
    ResponseRewrite how;
    how.map_address = [](std::int32_t node, std::string_view, std::int32_t) {
        return Endpoint{"local", 40000 + (node & 0xff)};
    };
    KafkaConnection kafka(how, [](const std::string&) {}, 1 << 16);
    const std::size_t cut = rest.size() * split / 255;
    auto client = rest.substr(0, cut);
    auto broker = rest.substr(cut);
    std::string to_broker, to_client;
    while (!client.empty() || !broker.empty()) {
        auto from_client = client.substr(0, chunk);
        client.remove_prefix(from_client.size());
        if (!kafka.from_client(from_client, to_broker))
            return;
        auto from_broker = broker.substr(0, chunk);
        broker.remove_prefix(from_broker.size());
        if (!kafka.from_broker(from_broker, to_client))
            return;
    }
    // Requests pass through untouched.
    if (to_broker != rest.substr(0, cut).substr(0, to_broker.size()))
        broken("a request was changed on its way to the broker");
}

void response(std::int16_t api_key, std::int16_t version, std::string_view frame) {
    ResponseRewrite same;
    same.map_address = [](std::int32_t, std::string_view host, std::int32_t port) {
        return Endpoint{std::string(host), port};
    };
    same.caps = {};
    auto kept = rewrite_response(frame, api_key, version, same);
    if (kept && *kept != frame)
        broken("rewriting to the same addresses changed the frame");

    ResponseRewrite local;
    local.map_address = [](std::int32_t node, std::string_view, std::int32_t) {
        return Endpoint{"127.0.0.1", 40000 + (node & 0xff)};
    };
    auto rewritten = rewrite_response(frame, api_key, version, local);
    // Short local hosts fit wherever the broker's did (a too long host fails only `same`).
    if (kept && !rewritten && api_key != api::api_versions)
        broken("rewriting to local addresses failed where keeping them worked");
    if (!rewritten || !carries_broker_addresses(api_key))
        return;
    const int header_version = response_header_version(api_key, version);
    auto before = parse_response_header(frame, header_version);
    auto after = parse_response_header(*rewritten, header_version);
    if (!before || !after)
        broken("a rewritten frame lost its header");
    auto old_brokers = find_broker_addresses(api_key, version, frame.substr(4 + before->size));
    const auto new_body = std::string_view(*rewritten).substr(4 + after->size);
    auto new_brokers = find_broker_addresses(api_key, version, new_body);
    if (!old_brokers || !new_brokers || old_brokers->size() != new_brokers->size())
        broken("a rewritten frame does not decode to the same brokers");
    for (std::size_t i = 0; i < old_brokers->size(); ++i) {
        const auto& was = (*old_brokers)[i];
        const auto& now = (*new_brokers)[i];
        if (was.node_id != now.node_id)
            broken("a rewritten frame changed a node id");
        const bool moved = now.host == "127.0.0.1" && now.port == 40000 + (was.node_id & 0xff);
        if (was.node_id >= 0 && !moved)
            broken("a rewritten frame does not carry the new address");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3)
        return 0;
    static const std::int16_t apis[] = {api::metadata, api::find_coordinator, api::describe_cluster,
                                        api::api_versions};
    const auto version = static_cast<std::int16_t>(data[1] % 16);
    // (For a connection, data[1] is the split point instead.)
    const std::size_t chunk = 1 + data[2];
    std::string_view rest(reinterpret_cast<const char*>(data + 3), size - 3);
    try {
        if (data[0] % 6 == 4) {
            requests(rest, chunk);
            return 0;
        }
        if (data[0] % 6 == 5) {
            connection(rest, data[1], chunk);
            return 0;
        }
        const auto api_key = apis[data[0] % 6];
        // The splitter first, as the proxy sees responses: only whole frames reach the decoders.
        FrameSplitter splitter(1 << 16);
        auto on_frame = [&](std::string_view frame) -> Status {
            response(api_key, version, frame);
            if (api_key == api::api_versions) {
                auto header = parse_response_header(frame, 0);
                if (header)
                    (void)parse_api_versions(version, frame.substr(4 + header->size));
            }
            return {};
        };
        for (std::size_t at = 0; at < rest.size(); at += chunk)
            if (!splitter.feed(rest.substr(at, chunk), on_frame))
                break;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kafka_wire_fuzz: exception escaped: %s\n", e.what());
        std::abort();
    } catch (...) {
        std::abort();
    }
    return 0;
}

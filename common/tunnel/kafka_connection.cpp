#include "common/tunnel/kafka_connection.hpp"

#include <algorithm>

#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_codec.hpp"

namespace mirrord::tunnel::kafka {

KafkaConnection::KafkaConnection(ResponseRewrite how, WarningHandler warn, std::size_t max_frame)
    : how_(std::move(how)), warn_(std::move(warn)), max_frame_(max_frame), requests_(max_frame) {}

Status KafkaConnection::on_request(std::string_view frame) {
    MIRRORD_TRY_ASSIGN(auto header, parse_request_header(frame));
    // SaslHandshake v0 is followed by raw SASL tokens without Kafka headers, which this proxy
    // could not tell from requests; clients since Kafka 1.0 and librdkafka 1.x use v1.
    if (header.api_key == api::sasl_handshake && header.api_version == 0)
        return fail("SASL handshake v0 (raw SASL tokens) is not supported through the tunnel");
    if (carries_unrewritten_addresses(header.api_key, header.api_version) && warn_) {
        const auto key = (static_cast<std::uint32_t>(static_cast<std::uint16_t>(header.api_key))
                          << 16) |
                         static_cast<std::uint16_t>(header.api_version);
        if (std::find(warned_.begin(), warned_.end(), key) == warned_.end()) {
            warned_.push_back(key);
            warn_(fmt::format("Kafka client sent api key {} v{}, above the versions the tunnel "
                              "advertises: broker addresses in its responses are not rewritten",
                              header.api_key, header.api_version));
        }
    }
    return correlator_.on_request(frame);
}

Status KafkaConnection::from_client(std::string_view chunk, std::string& to_broker) {
    return requests_.feed(chunk, [&](std::string_view frame) -> Status {
        MIRRORD_TRY(on_request(frame));
        to_broker.append(frame);
        return {};
    });
}

// Called with the first 8 bytes of a response in head_: decides between pass-through and rewrite.
Status KafkaConnection::start_response(std::string& to_client) {
    Reader reader(head_);
    const auto size = *reader.int32();
    const auto correlation_id = *reader.int32();
    if (size < 4 || static_cast<std::size_t>(size) > max_frame_)
        return fail("invalid Kafka response size {}", size);
    MIRRORD_TRY_ASSIGN(auto request, correlator_.take(correlation_id));
    if (response_needs_rewrite(request.api_key)) {
        buffered_ = std::move(head_);
        buffered_size_ = 4 + static_cast<std::size_t>(size);
        buffered_for_ = request;
    } else {
        to_client.append(head_);
        passing_ = static_cast<std::size_t>(size) - 4;
    }
    head_.clear();
    return {};
}

Status KafkaConnection::from_broker(std::string_view chunk, std::string& to_client) {
    if (failed_)
        return fail("Kafka response stream is broken by an earlier error");
    auto step = [&]() -> Status {
        if (passing_ > 0) {
            const auto take = std::min(passing_, chunk.size());
            to_client.append(chunk.substr(0, take));
            chunk.remove_prefix(take);
            passing_ -= take;
        } else if (buffered_size_ > 0) {
            const auto take = std::min(buffered_size_ - buffered_.size(), chunk.size());
            buffered_.append(chunk.substr(0, take));
            chunk.remove_prefix(take);
            if (buffered_.size() < buffered_size_)
                return {};
            MIRRORD_TRY_ASSIGN(auto rewritten, rewrite_response(buffered_, buffered_for_.api_key,
                                                                buffered_for_.api_version, how_));
            to_client.append(rewritten);
            buffered_.clear();
            buffered_size_ = 0;
        } else {
            const auto take = std::min(8 - head_.size(), chunk.size());
            head_.append(chunk.substr(0, take));
            chunk.remove_prefix(take);
            if (head_.size() == 8)
                MIRRORD_TRY(start_response(to_client));
        }
        return {};
    };
    while (!chunk.empty()) {
        if (auto stepped = step(); !stepped) {
            failed_ = true;
            return stepped;
        }
    }
    return {};
}

} // namespace mirrord::tunnel::kafka

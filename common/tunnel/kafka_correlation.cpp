#include "common/tunnel/kafka_correlation.hpp"

#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_codec.hpp"
#include "common/tunnel/kafka_frame.hpp"

namespace mirrord::tunnel::kafka {

Result<bool> produce_without_response(std::string_view frame) {
    MIRRORD_TRY_ASSIGN(auto header, parse_request_header(frame));
    if (header.api_key != api::produce)
        return false;
    // ProduceRequest.json: TransactionalId (v3+, nullable), then Acks (int16).
    Reader reader(frame.substr(4 + header.size));
    if (header.api_version >= 3) {
        auto transactional_id =
            reader.nullable_string(is_flexible(api::produce, header.api_version));
        if (!transactional_id)
            return std::move(transactional_id).error().wrap("Produce request");
    }
    auto acks = reader.int16();
    if (!acks)
        return std::move(acks).error().wrap("Produce request");
    return *acks == 0;
}

Status Correlator::on_request(std::string_view frame) {
    MIRRORD_TRY_ASSIGN(auto header, parse_request_header(frame));
    MIRRORD_TRY_ASSIGN(bool no_response, produce_without_response(frame));
    if (no_response)
        return {};
    auto [it, inserted] = pending_.try_emplace(
        header.correlation_id,
        PendingRequest{header.api_key, header.api_version, header.correlation_id});
    if (!inserted)
        return fail("Kafka request reuses correlation id {} that still waits for a response",
                    header.correlation_id);
    return {};
}

Result<PendingRequest> Correlator::on_response(std::string_view frame) {
    // The correlation id comes first in every response header version.
    MIRRORD_TRY_ASSIGN(auto header, parse_response_header(frame, 0));
    return take(header.correlation_id);
}

Result<PendingRequest> Correlator::take(std::int32_t correlation_id) {
    auto it = pending_.find(correlation_id);
    if (it == pending_.end())
        return fail("Kafka response with correlation id {} answers no pending request",
                    correlation_id);
    auto request = it->second;
    pending_.erase(it);
    return request;
}

} // namespace mirrord::tunnel::kafka

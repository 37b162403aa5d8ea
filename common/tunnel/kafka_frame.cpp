#include "common/tunnel/kafka_frame.hpp"

#include "common/tunnel/kafka_api.hpp"

namespace mirrord::tunnel::kafka {

namespace {

Result<std::int32_t> read_size(std::string_view prefix) {
    Reader reader(prefix.substr(0, 4));
    return reader.int32();
}

} // namespace

Status FrameSplitter::check_size(std::string_view prefix) {
    MIRRORD_TRY_ASSIGN(auto size, read_size(prefix));
    if (size < 0)
        return fail("invalid Kafka frame size {}", size);
    if (static_cast<std::size_t>(size) > max_frame_)
        return fail("Kafka frame of {} bytes exceeds the limit of {} bytes", size, max_frame_);
    return {};
}

Status FrameSplitter::feed(std::string_view chunk, const FrameHandler& on_frame) {
    if (failed_)
        return fail("Kafka frame stream is broken by an earlier error");
    auto failed = [this](Error error) {
        failed_ = true;
        partial_.clear();
        return error;
    };
    // Finish the frame carried over from earlier chunks, a few bytes at a time if need be.
    if (!partial_.empty()) {
        if (partial_.size() < 4) {
            const std::size_t take = std::min(chunk.size(), 4 - partial_.size());
            partial_.append(chunk.substr(0, take));
            chunk.remove_prefix(take);
            if (partial_.size() < 4)
                return {};
            if (auto checked = check_size(partial_); !checked)
                return failed(std::move(checked).error());
        }
        const std::size_t total = 4 + *frame_payload_size(partial_);
        const std::size_t take = std::min(chunk.size(), total - partial_.size());
        partial_.append(chunk.substr(0, take));
        chunk.remove_prefix(take);
        if (partial_.size() < total)
            return {};
        const std::string frame = std::move(partial_);
        partial_.clear();
        if (auto handled = on_frame(frame); !handled)
            return failed(std::move(handled).error());
    }
    // Whole frames inside the chunk go to the handler without a copy.
    while (chunk.size() >= 4) {
        if (auto checked = check_size(chunk); !checked)
            return failed(std::move(checked).error());
        const std::size_t total = 4 + *frame_payload_size(chunk);
        if (chunk.size() < total)
            break;
        if (auto handled = on_frame(chunk.substr(0, total)); !handled)
            return failed(std::move(handled).error());
        chunk.remove_prefix(total);
    }
    partial_.append(chunk);
    return {};
}

std::string encode_frame(std::string_view payload) {
    Writer writer;
    writer.int32(static_cast<std::int32_t>(payload.size())).raw(payload);
    return writer.take();
}

Result<std::size_t> frame_payload_size(std::string_view frame) {
    if (frame.size() < 4)
        return fail("Kafka frame of {} bytes has no size prefix", frame.size());
    MIRRORD_TRY_ASSIGN(auto size, read_size(frame));
    if (size < 0)
        return fail("invalid Kafka frame size {}", size);
    return static_cast<std::size_t>(size);
}

Result<RequestHeader> parse_request_header(std::string_view frame) {
    MIRRORD_TRY_ASSIGN(auto size, frame_payload_size(frame));
    if (frame.size() != 4 + size)
        return fail("Kafka frame says {} bytes but holds {}", size, frame.size() - 4);
    Reader reader(frame.substr(4));
    RequestHeader header;
    auto parse = [&]() -> Status {
        MIRRORD_TRY_ASSIGN(header.api_key, reader.int16());
        MIRRORD_TRY_ASSIGN(header.api_version, reader.int16());
        MIRRORD_TRY_ASSIGN(header.correlation_id, reader.int32());
        header.header_version = request_header_version(header.api_key, header.api_version);
        if (header.header_version >= 1) {
            MIRRORD_TRY_ASSIGN(header.client_id, reader.nullable_string());
        }
        if (header.header_version >= 2) {
            MIRRORD_TRY_ASSIGN(header.tagged_fields, reader.tagged_fields());
        }
        return {};
    };
    if (auto parsed = parse(); !parsed)
        return std::move(parsed).error().wrap("Kafka request header");
    header.size = reader.offset();
    return header;
}

std::string encode_request_header(const RequestHeader& header) {
    Writer writer;
    writer.int16(header.api_key).int16(header.api_version).int32(header.correlation_id);
    if (header.header_version >= 1)
        writer.nullable_string(header.client_id);
    if (header.header_version >= 2)
        writer.tagged_fields(header.tagged_fields);
    return writer.take();
}

Result<ResponseHeader> parse_response_header(std::string_view frame, int header_version) {
    MIRRORD_TRY_ASSIGN(auto size, frame_payload_size(frame));
    if (frame.size() != 4 + size)
        return fail("Kafka frame says {} bytes but holds {}", size, frame.size() - 4);
    Reader reader(frame.substr(4));
    ResponseHeader header;
    auto parse = [&]() -> Status {
        MIRRORD_TRY_ASSIGN(header.correlation_id, reader.int32());
        if (header_version >= 1) {
            MIRRORD_TRY_ASSIGN(header.tagged_fields, reader.tagged_fields());
        }
        return {};
    };
    if (auto parsed = parse(); !parsed)
        return std::move(parsed).error().wrap("Kafka response header");
    header.size = reader.offset();
    return header;
}

} // namespace mirrord::tunnel::kafka

#pragma once
// Kafka framing: every request and response is an int32 size followed by that many bytes, which
// start with a request or response header (https://kafka.apache.org/protocol#protocol_messages).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.hpp"
#include "common/tunnel/kafka_codec.hpp"

namespace mirrord::tunnel::kafka {

// Java clients and brokers refuse larger frames by default (socket.request.max.bytes is 100 MiB).
inline constexpr std::size_t default_max_frame = 100 * 1024 * 1024;

// Splits a byte stream read in arbitrary chunks into whole frames (size prefix included).
class FrameSplitter {
public:
    // Receives one whole frame, its 4-byte size prefix included; an error stops feed().
    using FrameHandler = std::function<Status(std::string_view frame)>;

    explicit FrameSplitter(std::size_t max_frame = default_max_frame) : max_frame_(max_frame) {}

    // Appends `chunk` and calls `on_frame` for each frame it completes. Fails on a negative size,
    // a size above max_frame (before buffering it), or the handler's error; the splitter is then
    // unusable, as the stream can no longer be resynchronised.
    Status feed(std::string_view chunk, const FrameHandler& on_frame);

    // Bytes of the unfinished frame.
    std::size_t pending() const { return partial_.size(); }

private:
    Status check_size(std::string_view prefix);

    std::string partial_;
    std::size_t max_frame_;
    bool failed_ = false;
};

// Prefixes `payload` (header + body) with its int32 size.
std::string encode_frame(std::string_view payload);

// The size of a frame as its prefix says, or an error for fewer than 4 bytes or a negative size.
Result<std::size_t> frame_payload_size(std::string_view frame);

// A request header v0/v1/v2. The client id is a (non-compact) NULLABLE_STRING even in v2.
struct RequestHeader {
    std::int16_t api_key = 0;
    std::int16_t api_version = 0;
    std::int32_t correlation_id = 0;
    std::optional<std::string_view> client_id; // absent in v0
    std::vector<TaggedField> tagged_fields;    // v2 only
    int header_version = 1;
    std::size_t size = 0; // encoded bytes of the header
};

// Decodes the header of a request frame (size prefix included); its version follows from the
// api key and version it starts with.
Result<RequestHeader> parse_request_header(std::string_view frame);

// Encodes `header` at header.header_version (without size prefix).
std::string encode_request_header(const RequestHeader& header);

// A response header v0 (correlation id) or v1 (plus tagged fields).
struct ResponseHeader {
    std::int32_t correlation_id = 0;
    std::vector<TaggedField> tagged_fields; // v1 only
    std::size_t size = 0;                   // encoded bytes of the header
};

// Decodes the header of a response frame (size prefix included) at `header_version` (0 or 1,
// from response_header_version() of the request it answers).
Result<ResponseHeader> parse_response_header(std::string_view frame, int header_version);

} // namespace mirrord::tunnel::kafka

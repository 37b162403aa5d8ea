#pragma once
// The Kafka protocol's primitive types (https://kafka.apache.org/protocol#protocol_types): a
// bounds-checked reader over one frame and a writer that appends to a string. Frames come from a
// broker or a client we do not control, so every read returns an error instead of throwing or
// reading past the end (the kafka_wire fuzzer checks this).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.hpp"

namespace mirrord::tunnel::kafka {

using Uuid = std::array<std::uint8_t, 16>;

// One entry of a tagged-field section (KIP-482): the tag and its undecoded bytes.
struct TaggedField {
    std::uint32_t tag = 0;
    std::string_view data;
};

// Reads big-endian Kafka primitives from a byte view it does not own.
class Reader {
public:
    explicit Reader(std::string_view bytes) : bytes_(bytes) {}

    Result<std::int8_t> int8();
    Result<std::int16_t> int16();
    Result<std::int32_t> int32();
    Result<std::int64_t> int64();
    Result<bool> boolean();
    Result<Uuid> uuid();
    // Unsigned LEB128 of at most 5 bytes (a uint32); a longer or overflowing one is an error.
    Result<std::uint32_t> uvarint();
    // Zig-zag encoded signed varint.
    Result<std::int32_t> varint();

    // int16 length + bytes; a negative length is an error.
    Result<std::string_view> string();
    // int16 length + bytes; length -1 is null.
    Result<std::optional<std::string_view>> nullable_string();
    // uvarint (length + 1) + bytes; 0 (null) is an error.
    Result<std::string_view> compact_string();
    // uvarint (length + 1) + bytes; 0 is null.
    Result<std::optional<std::string_view>> compact_nullable_string();
    // int32 length + bytes, -1 is null (BYTES / NULLABLE_BYTES).
    Result<std::optional<std::string_view>> nullable_bytes();
    // uvarint (length + 1) + bytes, 0 is null (COMPACT_BYTES, COMPACT_RECORDS).
    Result<std::optional<std::string_view>> compact_nullable_bytes();

    // Element count of an ARRAY (int32) or COMPACT_ARRAY (uvarint count + 1); -1 for null. Counts
    // larger than the bytes left are errors, so a caller may reserve() the count safely.
    Result<std::int32_t> array_length();
    Result<std::int32_t> compact_array_length();
    // Either of the two, by `flexible` (compact in flexible versions).
    Result<std::int32_t> array_length(bool flexible) {
        return flexible ? compact_array_length() : array_length();
    }
    // STRING or COMPACT_STRING by `flexible`.
    Result<std::string_view> string(bool flexible) {
        return flexible ? compact_string() : string();
    }
    Result<std::optional<std::string_view>> nullable_string(bool flexible) {
        return flexible ? compact_nullable_string() : nullable_string();
    }

    // A tagged-field section: uvarint count, then (uvarint tag, uvarint size, bytes) each, with
    // strictly increasing tags as the protocol requires.
    Result<std::vector<TaggedField>> tagged_fields();
    // Skips a tagged-field section.
    Status skip_tagged_fields();

    // The next `size` raw bytes.
    Result<std::string_view> bytes(std::size_t size);

    std::size_t offset() const { return offset_; }
    std::size_t remaining() const { return bytes_.size() - offset_; }
    bool at_end() const { return offset_ == bytes_.size(); }
    // The bytes not read yet.
    std::string_view rest() const { return bytes_.substr(offset_); }

private:
    Result<std::uint64_t> big_endian(std::size_t size);
    Result<std::string_view> sized(std::int64_t size, const char* what);

    std::string_view bytes_;
    std::size_t offset_ = 0;
};

// Appends Kafka primitives to a string; the inverse of Reader.
class Writer {
public:
    Writer& int8(std::int8_t value);
    Writer& int16(std::int16_t value);
    Writer& int32(std::int32_t value);
    Writer& int64(std::int64_t value);
    Writer& boolean(bool value) { return int8(value ? 1 : 0); }
    Writer& uuid(const Uuid& value);
    Writer& uvarint(std::uint32_t value);
    Writer& varint(std::int32_t value);
    // STRING has an int16 length: callers check that values fit (at most 32767 bytes).
    Writer& string(std::string_view value);
    Writer& nullable_string(std::optional<std::string_view> value);
    Writer& compact_string(std::string_view value);
    Writer& compact_nullable_string(std::optional<std::string_view> value);
    Writer& string(std::string_view value, bool flexible) {
        return flexible ? compact_string(value) : string(value);
    }
    Writer& nullable_string(std::optional<std::string_view> value, bool flexible) {
        return flexible ? compact_nullable_string(value) : nullable_string(value);
    }
    // ARRAY (int32) or COMPACT_ARRAY (uvarint count + 1) element count; -1 writes null.
    Writer& array_length(std::int32_t count, bool flexible);
    Writer& tagged_fields(const std::vector<TaggedField>& fields);
    // An empty tagged-field section (one zero byte).
    Writer& no_tagged_fields() { return uvarint(0); }
    Writer& raw(std::string_view bytes);

    const std::string& bytes() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

} // namespace mirrord::tunnel::kafka

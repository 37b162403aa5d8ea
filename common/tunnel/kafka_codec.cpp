#include "common/tunnel/kafka_codec.hpp"

namespace mirrord::tunnel::kafka {

Result<std::uint64_t> Reader::big_endian(std::size_t size) {
    if (remaining() < size)
        return fail("truncated: {} bytes needed at offset {}, {} left", size, offset_, remaining());
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < size; ++i)
        value = (value << 8) | static_cast<std::uint8_t>(bytes_[offset_ + i]);
    offset_ += size;
    return value;
}

Result<std::int8_t> Reader::int8() {
    MIRRORD_TRY_ASSIGN(auto value, big_endian(1));
    return static_cast<std::int8_t>(value);
}

Result<std::int16_t> Reader::int16() {
    MIRRORD_TRY_ASSIGN(auto value, big_endian(2));
    return static_cast<std::int16_t>(value);
}

Result<std::int32_t> Reader::int32() {
    MIRRORD_TRY_ASSIGN(auto value, big_endian(4));
    return static_cast<std::int32_t>(value);
}

Result<std::int64_t> Reader::int64() {
    MIRRORD_TRY_ASSIGN(auto value, big_endian(8));
    return static_cast<std::int64_t>(value);
}

Result<bool> Reader::boolean() {
    MIRRORD_TRY_ASSIGN(auto value, int8());
    return value != 0;
}

Result<Uuid> Reader::uuid() {
    MIRRORD_TRY_ASSIGN(auto raw, bytes(16));
    Uuid value{};
    for (std::size_t i = 0; i < value.size(); ++i)
        value[i] = static_cast<std::uint8_t>(raw[i]);
    return value;
}

Result<std::uint32_t> Reader::uvarint() {
    const std::size_t start = offset_;
    std::uint32_t value = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
        if (at_end())
            return fail("truncated varint at offset {}", start);
        const auto byte = static_cast<std::uint8_t>(bytes_[offset_++]);
        // The fifth byte may carry only the top 4 bits of a uint32.
        if (shift == 28 && (byte & 0xf0) != 0)
            return fail("varint at offset {} does not fit 32 bits", start);
        value |= static_cast<std::uint32_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0)
            return value;
    }
    return fail("varint at offset {} does not fit 32 bits", start);
}

Result<std::int32_t> Reader::varint() {
    MIRRORD_TRY_ASSIGN(auto raw, uvarint());
    return static_cast<std::int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

Result<std::string_view> Reader::bytes(std::size_t size) {
    if (remaining() < size)
        return fail("truncated: {} bytes needed at offset {}, {} left", size, offset_, remaining());
    auto view = bytes_.substr(offset_, size);
    offset_ += size;
    return view;
}

Result<std::string_view> Reader::sized(std::int64_t size, const char* what) {
    if (size < 0)
        return fail("invalid {} length {} at offset {}", what, size, offset_);
    return bytes(static_cast<std::size_t>(size));
}

Result<std::string_view> Reader::string() {
    MIRRORD_TRY_ASSIGN(auto length, int16());
    return sized(length, "string");
}

Result<std::optional<std::string_view>> Reader::nullable_string() {
    MIRRORD_TRY_ASSIGN(auto length, int16());
    if (length == -1)
        return std::optional<std::string_view>();
    MIRRORD_TRY_ASSIGN(auto text, sized(length, "string"));
    return std::optional<std::string_view>(text);
}

Result<std::string_view> Reader::compact_string() {
    MIRRORD_TRY_ASSIGN(auto length, uvarint());
    if (length == 0)
        return fail("null compact string at offset {} where the field is not nullable", offset_);
    return sized(static_cast<std::int64_t>(length) - 1, "compact string");
}

Result<std::optional<std::string_view>> Reader::compact_nullable_string() {
    MIRRORD_TRY_ASSIGN(auto length, uvarint());
    if (length == 0)
        return std::optional<std::string_view>();
    MIRRORD_TRY_ASSIGN(auto text, sized(static_cast<std::int64_t>(length) - 1, "compact string"));
    return std::optional<std::string_view>(text);
}

Result<std::optional<std::string_view>> Reader::nullable_bytes() {
    MIRRORD_TRY_ASSIGN(auto length, int32());
    if (length == -1)
        return std::optional<std::string_view>();
    MIRRORD_TRY_ASSIGN(auto data, sized(length, "bytes"));
    return std::optional<std::string_view>(data);
}

Result<std::optional<std::string_view>> Reader::compact_nullable_bytes() {
    MIRRORD_TRY_ASSIGN(auto length, uvarint());
    if (length == 0)
        return std::optional<std::string_view>();
    MIRRORD_TRY_ASSIGN(auto data, sized(static_cast<std::int64_t>(length) - 1, "compact bytes"));
    return std::optional<std::string_view>(data);
}

Result<std::int32_t> Reader::array_length() {
    const std::size_t start = offset_;
    MIRRORD_TRY_ASSIGN(auto count, int32());
    if (count < -1)
        return fail("invalid array length {} at offset {}", count, start);
    // Every element takes at least one byte: a larger count is a corrupt frame, and refusing it
    // here keeps callers from reserving gigabytes for it.
    if (count > 0 && static_cast<std::size_t>(count) > remaining())
        return fail("array length {} at offset {} exceeds the {} bytes left", count, start,
                    remaining());
    return count;
}

Result<std::int32_t> Reader::compact_array_length() {
    const std::size_t start = offset_;
    MIRRORD_TRY_ASSIGN(auto raw, uvarint());
    if (raw == 0)
        return -1;
    const std::uint32_t count = raw - 1;
    if (count > remaining())
        return fail("array length {} at offset {} exceeds the {} bytes left", count, start,
                    remaining());
    return static_cast<std::int32_t>(count);
}

Result<std::vector<TaggedField>> Reader::tagged_fields() {
    const std::size_t start = offset_;
    MIRRORD_TRY_ASSIGN(auto count, uvarint());
    if (count > remaining())
        return fail("tagged field count {} at offset {} exceeds the {} bytes left", count, start,
                    remaining());
    std::vector<TaggedField> fields;
    fields.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        MIRRORD_TRY_ASSIGN(auto tag, uvarint());
        if (!fields.empty() && tag <= fields.back().tag)
            return fail("tagged fields at offset {} are not in increasing tag order", start);
        MIRRORD_TRY_ASSIGN(auto size, uvarint());
        MIRRORD_TRY_ASSIGN(auto data, bytes(size));
        fields.push_back({tag, data});
    }
    return fields;
}

Status Reader::skip_tagged_fields() {
    MIRRORD_TRY_ASSIGN(auto fields, tagged_fields());
    (void)fields;
    return {};
}

Writer& Writer::int8(std::int8_t value) {
    out_.push_back(static_cast<char>(value));
    return *this;
}

Writer& Writer::int16(std::int16_t value) {
    const auto raw = static_cast<std::uint16_t>(value);
    out_.push_back(static_cast<char>(raw >> 8));
    out_.push_back(static_cast<char>(raw & 0xff));
    return *this;
}

Writer& Writer::int32(std::int32_t value) {
    const auto raw = static_cast<std::uint32_t>(value);
    for (int shift = 24; shift >= 0; shift -= 8)
        out_.push_back(static_cast<char>((raw >> shift) & 0xff));
    return *this;
}

Writer& Writer::int64(std::int64_t value) {
    const auto raw = static_cast<std::uint64_t>(value);
    for (int shift = 56; shift >= 0; shift -= 8)
        out_.push_back(static_cast<char>((raw >> shift) & 0xff));
    return *this;
}

Writer& Writer::uuid(const Uuid& value) {
    for (auto byte : value)
        out_.push_back(static_cast<char>(byte));
    return *this;
}

Writer& Writer::uvarint(std::uint32_t value) {
    while (value >= 0x80) {
        out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
    return *this;
}

Writer& Writer::varint(std::int32_t value) {
    const auto raw = static_cast<std::uint32_t>(value);
    return uvarint((raw << 1) ^ (value < 0 ? 0xffffffffu : 0u));
}

Writer& Writer::string(std::string_view value) {
    int16(static_cast<std::int16_t>(value.size()));
    return raw(value);
}

Writer& Writer::nullable_string(std::optional<std::string_view> value) {
    if (!value)
        return int16(-1);
    return string(*value);
}

Writer& Writer::compact_string(std::string_view value) {
    uvarint(static_cast<std::uint32_t>(value.size() + 1));
    return raw(value);
}

Writer& Writer::compact_nullable_string(std::optional<std::string_view> value) {
    if (!value)
        return uvarint(0);
    return compact_string(*value);
}

Writer& Writer::array_length(std::int32_t count, bool flexible) {
    if (!flexible)
        return int32(count);
    return uvarint(count < 0 ? 0u : static_cast<std::uint32_t>(count) + 1);
}

Writer& Writer::tagged_fields(const std::vector<TaggedField>& fields) {
    uvarint(static_cast<std::uint32_t>(fields.size()));
    for (const auto& field : fields) {
        uvarint(field.tag);
        uvarint(static_cast<std::uint32_t>(field.data.size()));
        raw(field.data);
    }
    return *this;
}

Writer& Writer::raw(std::string_view bytes) {
    out_.append(bytes);
    return *this;
}

} // namespace mirrord::tunnel::kafka

#include <catch2/catch.hpp>

#include <limits>

#include "common/tunnel/kafka_codec.hpp"
#include "kafka_test_data.hpp"

using namespace mirrord::tunnel::kafka;
using kafka_test::hex;
using kafka_test::unhex;

TEST_CASE("kafka wire: Reader") {
    SECTION("reads big-endian integers as the protocol defines them") {
        const auto bytes = unhex("ff | 8001 | 7ffffffe | 0000000100000002 | 01 00");
        Reader reader(bytes);
        CHECK(*reader.int8() == -1);
        CHECK(*reader.int16() == -32767);
        CHECK(*reader.int32() == 0x7ffffffe);
        CHECK(*reader.int64() == 0x100000002LL);
        CHECK(*reader.boolean());
        CHECK_FALSE(*reader.boolean());
        CHECK(reader.at_end());
    }
    SECTION("reads unsigned and zig-zag varints") {
        const auto bytes = unhex("00 | 7f | 8001 | ffffffff0f | 01 | 02 | 03 | feffffff0f");
        Reader reader(bytes);
        CHECK(*reader.uvarint() == 0);
        CHECK(*reader.uvarint() == 127);
        CHECK(*reader.uvarint() == 128);
        CHECK(*reader.uvarint() == 0xffffffffu);
        CHECK(*reader.varint() == -1);
        CHECK(*reader.varint() == 1);
        CHECK(*reader.varint() == -2);
        CHECK(*reader.varint() == std::numeric_limits<std::int32_t>::max());
        CHECK(reader.at_end());
    }
    SECTION("refuses varints longer than 32 bits") {
        CHECK_FALSE(Reader(unhex("ffffffff1f")).uvarint());
        CHECK_FALSE(Reader(unhex("8080808080")).uvarint());
        CHECK_FALSE(Reader(unhex("ffff")).uvarint());
    }
    SECTION("reads plain, nullable and compact strings") {
        const auto bytes = unhex("0003 616263 | ffff | 0000 | 04 78797a | 00 | 01");
        Reader reader(bytes);
        CHECK(*reader.string() == "abc");
        CHECK_FALSE(reader.nullable_string()->has_value());
        CHECK(reader.nullable_string()->value().empty());
        CHECK(*reader.compact_string() == "xyz");
        CHECK_FALSE(reader.compact_nullable_string()->has_value());
        CHECK(reader.compact_string()->empty());
        CHECK(reader.at_end());
    }
    SECTION("a null where the field is not nullable is an error") {
        CHECK_FALSE(Reader(unhex("ffff")).string());
        CHECK_FALSE(Reader(unhex("00")).compact_string());
    }
    SECTION("reads arrays, uuids and bytes") {
        const auto bytes =
            unhex("00000002 0000 | ffffffff | 03 0000 | 00 | 000102030405060708090a0b0c0d0e0f "
                  "| 00000002 abcd | 03 ef01");
        Reader reader(bytes);
        CHECK(*reader.array_length() == 2);
        CHECK(reader.bytes(2));
        CHECK(*reader.array_length() == -1);
        CHECK(*reader.compact_array_length() == 2);
        CHECK(reader.bytes(2));
        CHECK(*reader.compact_array_length() == -1);
        const auto uuid = *reader.uuid();
        CHECK(uuid[0] == 0);
        CHECK(uuid[15] == 15);
        CHECK(hex(reader.nullable_bytes()->value()) == "abcd");
        CHECK(hex(reader.compact_nullable_bytes()->value()) == "ef01");
        CHECK(reader.at_end());
    }
    SECTION("reads tagged fields in increasing tag order") {
        const auto bytes = unhex("02 | 00 02 abcd | 05 00");
        Reader reader(bytes);
        auto fields = reader.tagged_fields();
        REQUIRE(fields);
        REQUIRE(fields->size() == 2);
        CHECK((*fields)[0].tag == 0);
        CHECK(hex((*fields)[0].data) == "abcd");
        CHECK((*fields)[1].tag == 5);
        CHECK((*fields)[1].data.empty());
        CHECK_FALSE(Reader(unhex("02 | 05 00 | 05 00")).tagged_fields());
        CHECK_FALSE(Reader(unhex("02 | 05 00 | 01 00")).tagged_fields());
    }
    SECTION("never reads past the end: every truncation is an error naming the offset") {
        CHECK_FALSE(Reader(unhex("00")).int16());
        CHECK_FALSE(Reader(unhex("000000")).int32());
        CHECK_FALSE(Reader(unhex("00000000000000")).int64());
        CHECK_FALSE(Reader(unhex("0005 6162")).string());
        CHECK_FALSE(Reader(unhex("05 6162")).compact_string());
        CHECK_FALSE(Reader(unhex("0102")).uuid());
        CHECK_FALSE(Reader(unhex("01 00 05 ab")).tagged_fields());
        auto error = Reader(unhex("0003 61")).string();
        REQUIRE_FALSE(error);
        CHECK(error.error().message() == "truncated: 3 bytes needed at offset 2, 1 left");
    }
    SECTION("array and tagged-field counts larger than the bytes left are errors") {
        CHECK_FALSE(Reader(unhex("7fffffff 00")).array_length());
        CHECK_FALSE(Reader(unhex("fffffffe")).array_length());
        CHECK_FALSE(Reader(unhex("ffffffff0f")).compact_array_length());
        CHECK_FALSE(Reader(unhex("ffffffff0f")).tagged_fields());
        CHECK_FALSE(Reader(unhex("fffffffe")).nullable_bytes());
        CHECK_FALSE(Reader(unhex("00000005 ab")).nullable_bytes());
    }
}

TEST_CASE("kafka wire: Writer") {
    SECTION("writes the bytes the protocol defines") {
        Writer writer;
        writer.int8(-1).int16(-32767).int32(0x7ffffffe).int64(0x100000002LL).boolean(true);
        writer.uvarint(0).uvarint(128).uvarint(0xffffffffu).varint(-1).varint(-2);
        writer.string("abc").nullable_string(std::nullopt).compact_string("xyz");
        writer.compact_nullable_string(std::nullopt).array_length(2, false);
        writer.array_length(-1, false).array_length(2, true).array_length(-1, true);
        writer.tagged_fields({{0, unhex("abcd")}, {5, ""}}).no_tagged_fields();
        CHECK(hex(writer.bytes()) == "ff" "8001" "7ffffffe" "0000000100000002" "01"
                                     "00" "8001" "ffffffff0f" "01" "03"
                                     "0003616263" "ffff" "0478797a"
                                     "00" "00000002"
                                     "ffffffff" "03" "00"
                                     "020002abcd0500" "00");
    }
    SECTION("what the writer writes, the reader reads back") {
        Writer writer;
        for (std::int32_t value : {0, 1, -1, 63, -64, 64, 1 << 20, std::numeric_limits<int>::min(),
                                   std::numeric_limits<int>::max()})
            writer.varint(value);
        Reader reader(writer.bytes());
        for (std::int32_t value : {0, 1, -1, 63, -64, 64, 1 << 20, std::numeric_limits<int>::min(),
                                   std::numeric_limits<int>::max()})
            CHECK(*reader.varint() == value);
        CHECK(reader.at_end());
    }
}

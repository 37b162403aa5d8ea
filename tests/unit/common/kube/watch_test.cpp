#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/kube/line_splitter.hpp"
#include "common/kube/watch.hpp"

using namespace mirrord::kube;

namespace {

std::vector<std::string> split_all(const std::vector<std::string>& chunks,
                                   LineSplitter& splitter) {
    std::vector<std::string> lines;
    for (const auto& chunk : chunks)
        splitter.feed(chunk, [&](std::string_view line) {
            lines.emplace_back(line);
            return true;
        });
    return lines;
}

} // namespace

TEST_CASE("LineSplitter") {
    LineSplitter splitter;
    SECTION("lines split across chunks are joined") {
        auto lines = split_all({"{\"type\":\"ADD", "ED\"}\n{\"a\"", ":1}\n"}, splitter);
        CHECK(lines == std::vector<std::string>{"{\"type\":\"ADDED\"}", "{\"a\":1}"});
        CHECK(splitter.pending() == 0);
    }
    SECTION("several lines in one chunk, CRLF, blank keep-alive lines") {
        auto lines = split_all({"a\r\n\nb\nc"}, splitter);
        CHECK(lines == std::vector<std::string>{"a", "b"});
        CHECK(splitter.pending() == 1);
    }
    SECTION("a handler returning false stops at that line") {
        int seen = 0;
        CHECK_FALSE(splitter.feed("x\ny\nz\n", [&](std::string_view) { return ++seen < 2; }));
        CHECK(seen == 2);
    }
    SECTION("a line longer than the bound fails instead of growing forever") {
        LineSplitter small(8);
        CHECK_FALSE(small.feed("0123456789", [](std::string_view) { return true; }));
    }
}

TEST_CASE("parse_watch_line") {
    SECTION("an event has a type and an object") {
        auto event = parse_watch_line(
            R"({"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"p","resourceVersion":"42"}}})");
        REQUIRE(event);
        CHECK(event->type == "MODIFIED");
        CHECK(event->object["metadata"]["resourceVersion"] == "42");
    }
    SECTION("a BOOKMARK carries only a resourceVersion") {
        auto event = parse_watch_line(
            R"({"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"99"}}})");
        REQUIRE(event);
        CHECK(event->type == "BOOKMARK");
    }
    SECTION("410 Gone arrives as an ERROR event with a Status") {
        auto event = parse_watch_line(
            R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}})");
        REQUIRE(event);
        CHECK(event->type == "ERROR");
        CHECK(event->object["code"] == 410);
    }
    SECTION("garbage is an error, not an exception") {
        CHECK_FALSE(parse_watch_line("{not json"));
        CHECK_FALSE(parse_watch_line(R"({"object":{}})"));
    }
}

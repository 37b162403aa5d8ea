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

TEST_CASE("watch events from malformed JSON") {
    SECTION("an event whose type or object has the wrong type is an error, not an exception") {
        auto no_type = parse_watch_line(R"({"type":5,"object":{}})");
        REQUIRE_FALSE(no_type);
        CHECK(no_type.error().message() == "watch stream: event without a type");
        auto no_object = parse_watch_line(R"({"type":"ADDED","object":"pod"})");
        REQUIRE_FALSE(no_object);
        CHECK(no_object.error().message() == "watch stream: ADDED event without an object");
        CHECK_FALSE(parse_watch_line(R"(["ADDED"])"));
    }
    SECTION("an ERROR event's Status gives the code as HTTP status, and the reason") {
        auto error = watch_event_error(json::parse(
            R"j({"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 1 (42)"})j"));
        CHECK(error.http_status() == 410);
        CHECK(error.reason() == "Expired");
        CHECK(error.message() == "watch error 410: too old resource version: 1 (42)");
    }
    SECTION("an ERROR event with fields of the wrong type does not throw") {
        auto error = watch_event_error(json::parse(R"({"code":"410","message":{"x":1}})"));
        CHECK(error.http_status() == 0);
        CHECK(error.message() == "watch error 0: ");
    }
}

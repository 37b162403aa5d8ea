#include <catch2/catch.hpp>

#include "common/config/formats.hpp"

using namespace mirrord::config;
using nlohmann::json;

TEST_CASE("config formats by extension") {
    SECTION("json, no extension and stdin are JSON; yaml, yml and toml have their own") {
        CHECK(*format_for_path(".mirrord/mirrord.json") == Format::json);
        CHECK(*format_for_path("config") == Format::json);
        CHECK(*format_for_path("-") == Format::json);
        CHECK(*format_for_path("a.yaml") == Format::yaml);
        CHECK(*format_for_path("a.yml") == Format::yaml);
        CHECK(*format_for_path("dir.d/a.toml") == Format::toml);
    }
    SECTION("any other extension is mirrord's error") {
        auto format = format_for_path("mirrord.ini");
        REQUIRE_FALSE(format);
        CHECK(format.error().message() ==
              "the file has an invalid extension `ini`, must have one of: json, toml, yml, yaml");
    }
}

TEST_CASE("the three formats give the same tree") {
    const json expected = json::parse(R"({
        "operator": true, "target": {"deployment": "kafka-consumer", "container": "consumer"},
        "agent": {"ttl": 5}, "feature": {"env": {"include": ["A", "B"]}}})");
    auto from_json = parse_document(expected.dump(), Format::json);
    auto from_yaml = parse_document(R"(
operator: true
target:
  deployment: kafka-consumer
  container: consumer
agent: {ttl: 5}
feature:
  env:
    include: [A, B]
)", Format::yaml);
    auto from_toml = parse_document(R"(
operator = true
target = { deployment = "kafka-consumer", container = "consumer" }
[agent]
ttl = 5
[feature.env]
include = ["A", "B"]
)", Format::toml);
    REQUIRE(from_json);
    REQUIRE(from_yaml);
    REQUIRE(from_toml);
    CHECK(*from_json == expected);
    CHECK(*from_yaml == expected);
    CHECK(*from_toml == expected);
}

TEST_CASE("YAML scalars are typed like YAML 1.2") {
    auto tree = parse_document(R"(
plain_bool: true
quoted_bool: "true"
int: 42
negative: -7
hex: 0x1f
real: 2.5
null_value: ~
word: yes
version: 1.2.3
)", Format::yaml);
    REQUIRE(tree);
    CHECK((*tree)["plain_bool"] == json(true));
    CHECK((*tree)["quoted_bool"] == json("true"));
    CHECK((*tree)["int"] == json(42));
    CHECK((*tree)["negative"] == json(-7));
    CHECK((*tree)["hex"] == json(31));
    CHECK((*tree)["real"] == json(2.5));
    CHECK((*tree)["null_value"].is_null());
    // YAML 1.1's yes/no booleans are plain strings in 1.2, as in mirrord's parser.
    CHECK((*tree)["word"] == json("yes"));
    CHECK((*tree)["version"] == json("1.2.3"));
}

TEST_CASE("syntax errors carry line and column") {
    SECTION("JSON") {
        auto tree = parse_document("{\n  \"a\": 1,\n  \"b\": tru\n}", Format::json);
        REQUIRE_FALSE(tree);
        CHECK_THAT(tree.error().message(), Catch::StartsWith("failed to parse Json: line 3, column"));
        CHECK_THAT(tree.error().message(), Catch::Contains("invalid literal"));
    }
    SECTION("YAML") {
        auto tree = parse_document("a: 1\nb: [1, 2\nc: 3\n", Format::yaml);
        REQUIRE_FALSE(tree);
        CHECK_THAT(tree.error().message(), Catch::StartsWith("failed to parse Yaml: line "));
    }
    SECTION("TOML") {
        auto tree = parse_document("a = 1\nb = \n", Format::toml);
        REQUIRE_FALSE(tree);
        CHECK_THAT(tree.error().message(), Catch::StartsWith("failed to parse Toml: line 2, column"));
    }
}

TEST_CASE("document shape limits") {
    SECTION("the root must be an object") {
        auto tree = parse_document("[1, 2]", Format::json);
        REQUIRE_FALSE(tree);
        CHECK_THAT(tree.error().message(), Catch::Contains("must be an object of keys, found a list"));
    }
    SECTION("empty YAML and TOML are empty configs, empty JSON is an error") {
        CHECK(*parse_document("", Format::yaml) == json::object());
        CHECK(*parse_document("# nothing\n", Format::toml) == json::object());
        CHECK_FALSE(parse_document("", Format::json));
    }
    SECTION("deep nesting is refused instead of overflowing the stack") {
        std::string deep = "{\"a\":" + std::string(200, '[') + std::string(200, ']') + "}";
        auto tree = parse_document(deep, Format::json);
        REQUIRE_FALSE(tree);
        CHECK_THAT(tree.error().message(), Catch::Contains("nesting deeper than 64 levels"));
        std::string deep_yaml = "a: " + std::string(100, '[') + std::string(100, ']') + "\n";
        auto yaml = parse_document(deep_yaml, Format::yaml);
        REQUIRE_FALSE(yaml);
        CHECK_THAT(yaml.error().message(), Catch::Contains("nesting deeper than 64 levels"));
    }
    SECTION("YAML alias bombs are cut off") {
        std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        char prev = 'a';
        for (char name = 'b'; name <= 'h'; ++name, ++prev)
            bomb += fmt::format("{}: &{} [*{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}]\n", name,
                                name, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev);
        auto tree = parse_document(bomb, Format::yaml);
        REQUIRE_FALSE(tree);
        CHECK_THAT(tree.error().message(), Catch::Contains("too many values"));
    }
}

TEST_CASE("YAML escapes that decode to invalid UTF-8 are errors, not bad strings") {
    // yaml-cpp turns "\N" (next line) and "\x85" into a lone 0x85 byte.
    auto tree = parse_document("a: \"x\\N\"\n", Format::yaml);
    REQUIRE_FALSE(tree);
    CHECK(tree.error().message() ==
          "failed to parse Yaml: line 1, column 4: the value is not valid UTF-8");
}

TEST_CASE("duplicate keys are an error naming the key path and where the second one is") {
    auto message = [](std::string_view text, Format format) {
        auto tree = parse_document(text, format);
        REQUIRE_FALSE(tree);
        return tree.error().message();
    };
    SECTION("JSON: a top-level key twice") {
        auto text = "{\n  \"target\": \"pod/a\",\n  \"operator\": true,\n  \"target\": \"pod/b\"\n}";
        CHECK(message(text, Format::json) ==
              "failed to parse Json: line 4, column 3: duplicate key \"target\"");
    }
    SECTION("JSON: nested keys and list items are named by their path") {
        CHECK(message(R"({"feature": {"env": {"include": "A", "include": "B"}}})", Format::json) ==
              "failed to parse Json: line 1, column 38: duplicate key \"feature.env.include\"");
        CHECK(message(R"({"q": [{"x": 1}, {"x": 2, "y": {"z": 1, "z": 2}}]})", Format::json) ==
              "failed to parse Json: line 1, column 41: duplicate key \"q[1].y.z\"");
    }
    SECTION("JSON: keys are compared decoded, as the parser reads them") {
        CHECK_THAT(message(R"({"target": "pod/a", "\u0074arget": "pod/b"})", Format::json),
                   Catch::Contains("duplicate key \"target\""));
    }
    SECTION("YAML: the same, at the second key") {
        CHECK(message("target: pod/a\nfeature:\n  env:\n    include: A\n    include: B\n",
                      Format::yaml) ==
              "failed to parse Yaml: line 5, column 5: duplicate key \"feature.env.include\"");
    }
    SECTION("TOML: toml++ already refuses a key defined twice") {
        CHECK_THAT(message("target = \"pod/a\"\ntarget = \"pod/b\"\n", Format::toml),
                   Catch::StartsWith("failed to parse Toml: line 2") &&
                       Catch::Contains("target"));
    }
}

TEST_CASE("equal keys in different objects are not duplicates") {
    SECTION("sibling objects, list items, and key-like text inside values all load") {
        auto tree = parse_document(R"({
            "agent": {"ttl": 5}, "feature": {"agent": {"ttl": 6}},
            "list": [{"ttl": 1}, {"ttl": 2}],
            "note": "\"ttl\": 3, \"note\": 4", "escaped\\": {"note": 5}})",
                                   Format::json);
        REQUIRE(tree);
        CHECK((*tree)["list"][1]["ttl"] == 2);
        CHECK((*tree)["note"] == "\"ttl\": 3, \"note\": 4");
        auto yaml = parse_document("a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 2}]\n", Format::yaml);
        REQUIRE(yaml);
        CHECK((*yaml)["b"]["x"] == 2);
    }
}

#include <catch2/catch.hpp>

#include "common/core/strings.hpp"

using namespace mirrord;

TEST_CASE("wildcard_match") {
    SECTION("star matches any run, including an empty one") {
        CHECK(wildcard_match("KAFKA_*", "KAFKA_TOPIC"));
        CHECK(wildcard_match("KAFKA_*", "KAFKA_"));
        CHECK_FALSE(wildcard_match("KAFKA_*", "MY_KAFKA_TOPIC"));
        CHECK(wildcard_match("*", ""));
    }
    SECTION("question mark matches exactly one character") {
        CHECK(wildcard_match("A?C", "ABC"));
        CHECK_FALSE(wildcard_match("A?C", "AC"));
    }
    SECTION("the whole name must match") {
        CHECK_FALSE(wildcard_match("PATH", "PATHS"));
        CHECK(wildcard_match("*_URL", "DATABASE_URL"));
        CHECK(wildcard_match("a*b*c", "aXXbYYc"));
        CHECK_FALSE(wildcard_match("a*b*c", "aXXbYY"));
    }
}

TEST_CASE("closest_match") {
    std::vector<std::string_view> keys{"feature", "target", "agent", "kube_context"};
    SECTION("a one-letter typo finds the key") { CHECK(closest_match("featur", keys) == "feature"); }
    SECTION("an unrelated word finds nothing") { CHECK_FALSE(closest_match("banana", keys)); }
}

TEST_CASE("split and join") {
    SECTION("split keeps empty pieces") {
        CHECK(split("a;;b", ';') == std::vector<std::string>{"a", "", "b"});
    }
    SECTION("join puts the separator between pieces") {
        std::vector<std::string> pieces{"x", "y"};
        CHECK(join(pieces, ", ") == "x, y");
    }
}

TEST_CASE("to_lower changes ASCII letters only") {
    CHECK(to_lower("Kafka-0.KAFKA.Default.svc") == "kafka-0.kafka.default.svc");
    CHECK(to_lower("Ünï 9:_") == "Ünï 9:_");
}

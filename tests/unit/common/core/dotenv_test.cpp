#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include "common/core/dotenv.hpp"

using namespace mirrord;

namespace {

// A stand-in process environment.
EnvLookup fake_env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
}

DotenvEntries parse_ok(std::string_view text, std::map<std::string, std::string> env = {}) {
    auto parsed = parse_dotenv(text, ".env", fake_env(std::move(env)));
    INFO((parsed ? "" : parsed.error().message()));
    REQUIRE(parsed);
    return *parsed;
}

std::string error_of(std::string_view text) {
    auto parsed = parse_dotenv(text, "app.env", fake_env({}));
    REQUIRE_FALSE(parsed);
    return parsed.error().message();
}

using Entries = DotenvEntries;

} // namespace

TEST_CASE("parse_dotenv") {
    SECTION("KEY=value lines, comments and blank lines") {
        CHECK(parse_ok("# settings\n\nA=1\n  B = two\n") == Entries{{"A", "1"}, {"B", "two"}});
    }
    SECTION("the export prefix is accepted") {
        CHECK(parse_ok("export KAFKA_URL=localhost:9092\n") ==
              Entries{{"KAFKA_URL", "localhost:9092"}});
    }
    SECTION("an unquoted value ends at a space; a trailing comment is dropped") {
        CHECK(parse_ok("A=value # the comment\nB=x#y\n") == Entries{{"A", "value"}, {"B", "x#y"}});
    }
    SECTION("an empty value is allowed") {
        CHECK(parse_ok("EMPTY=\n") == Entries{{"EMPTY", ""}});
    }
    SECTION("single quotes are literal") {
        CHECK(parse_ok(R"(A='$HOME \n "x"')") == Entries{{"A", R"($HOME \n "x")"}});
    }
    SECTION("double quotes keep spaces and understand escapes") {
        CHECK(parse_ok(R"(A="one two\n\"three\" \\ \$")") ==
              Entries{{"A", "one two\n\"three\" \\ $"}});
    }
    SECTION("$VAR and ${VAR} expand from earlier keys") {
        CHECK(parse_ok("HOST=db\nURL=\"postgres://${HOST}:5432/$NAME\"\nNAME=x\n") ==
              Entries{{"HOST", "db"}, {"URL", "postgres://db:5432/"}, {"NAME", "x"}});
    }
    SECTION("the process environment wins over earlier keys, as in dotenvy") {
        CHECK(parse_ok("USER=file\nWHO=$USER\n", {{"USER", "proc"}}) ==
              Entries{{"USER", "file"}, {"WHO", "proc"}});
    }
    SECTION("a $ not followed by a name stays literal") {
        CHECK(parse_ok("PRICE=\"5$ or $.\"\n") == Entries{{"PRICE", "5$ or $."}});
    }
    SECTION("a quoted value may span lines") {
        CHECK(parse_ok("KEY=\"line one\nline two\"\nNEXT=1\n") ==
              Entries{{"KEY", "line one\nline two"}, {"NEXT", "1"}});
    }
    SECTION("quoted and unquoted pieces glue together") {
        CHECK(parse_ok("A=pre\"mid dle\"'post'\n") == Entries{{"A", "premid dlepost"}});
    }
    SECTION("CRLF line endings are accepted") {
        CHECK(parse_ok("A=1\r\nB=2\r\n") == Entries{{"A", "1"}, {"B", "2"}});
    }
    SECTION("keys may contain dots") {
        CHECK(parse_ok("spring.profile=dev\n") == Entries{{"spring.profile", "dev"}});
    }
}

TEST_CASE("parse_dotenv errors name the file and line") {
    SECTION("a line without '='") {
        CHECK(error_of("A=1\nJUST_A_WORD\n") == "app.env:2: expected '=' after JUST_A_WORD");
    }
    SECTION("an unquoted value with a space inside") {
        CHECK(error_of("A=hello world\n") ==
              "app.env:1: unexpected 'w' after the value (quote values with spaces)");
    }
    SECTION("an unterminated quote names the line where the value starts") {
        CHECK(error_of("A=1\nB=\"never closed\nC=2\n") ==
              "app.env:2: unterminated quoted value for B");
    }
    SECTION("an unknown escape") {
        CHECK(error_of("A=\"\\q\"\n") == "app.env:1: invalid escape sequence \\q");
    }
    SECTION("a line that starts with something other than a name") {
        CHECK(error_of("=value\n") == "app.env:1: expected a variable name");
    }
}

TEST_CASE("load_dotenv") {
    SECTION("reads a file from disk") {
        auto path = std::filesystem::temp_directory_path() /
                    ("mirrord-dotenv-" + std::to_string(::getpid()));
        std::ofstream(path) << "A=1\n";
        auto loaded = load_dotenv(path.string(), fake_env({}));
        std::filesystem::remove(path);
        REQUIRE(loaded);
        CHECK(*loaded == Entries{{"A", "1"}});
    }
    SECTION("a missing file is an error naming it") {
        auto loaded = load_dotenv("/nonexistent/.env", fake_env({}));
        REQUIRE_FALSE(loaded);
        CHECK(loaded.error().message().find("/nonexistent/.env") != std::string::npos);
    }
}

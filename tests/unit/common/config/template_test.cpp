#include <catch2/catch.hpp>

#include <map>

#include "common/config/template.hpp"

using namespace mirrord::config;

namespace {

TemplateContext context_with(std::map<std::string, std::string> env,
                             std::optional<std::string> branch) {
    TemplateContext context;
    context.key = "k123";
    context.git_branch = [branch] { return branch; };
    context.env = [env](const std::string& name) -> std::optional<std::string> {
        auto found = env.find(name);
        if (found == env.end())
            return std::nullopt;
        return found->second;
    };
    return context;
}

std::string render_ok(std::string_view text, const TemplateContext& context) {
    auto out = render_template(text, context);
    INFO(text);
    REQUIRE(out);
    return *out;
}

std::string render_error(std::string_view text, const TemplateContext& context) {
    auto out = render_template(text, context);
    INFO(text);
    REQUIRE_FALSE(out);
    return out.error().message();
}

} // namespace

TEST_CASE("template rendering") {
    auto context = context_with({{"TARGET", "pod/from-env"}}, "feature/x");

    SECTION("text without tags is returned unchanged") {
        CHECK(render_ok(R"({"a": "{ not a tag }"})", context) == R"({"a": "{ not a tag }"})");
    }
    SECTION("get_env reads the variable, else the default") {
        CHECK(render_ok(R"({{ get_env(name="TARGET", default="pod/x") }})", context) ==
              "pod/from-env");
        CHECK(render_ok(R"({{ get_env(name='MISSING', default='pod/x') }})", context) == "pod/x");
        CHECK(render_ok(R"({{ get_env(name="MISSING") | default(value="y") }})", context) == "y");
    }
    SECTION("key and git_branch come from the context") {
        CHECK(render_ok("s-{{ key }}", context) == "s-k123");
        CHECK(render_ok("{{git_branch}}", context) == "feature/x");
        CHECK(render_ok("{{ git_branch | default(value='main') }}", context) == "feature/x");
    }
    SECTION("a missing git_branch needs a default") {
        auto detached = context_with({}, std::nullopt);
        CHECK(render_ok("{{ git_branch | default(value='main') }}", detached) == "main");
        CHECK(render_error("a\n{{ git_branch }}", detached) ==
              "line 2: Variable `git_branch` not found in context");
    }
    SECTION("comments vanish and dashes trim whitespace") {
        CHECK(render_ok("a {# note #} b", context) == "a  b");
        CHECK(render_ok("a   {{- key -}}   b", context) == "ak123b");
    }
    SECTION("a missing variable without default fails with Tera's text") {
        CHECK(render_error(R"({{ get_env(name="NOPE") }})", context) ==
              "line 1: Environment variable `NOPE` not found");
        CHECK(render_error("{{ branch }}", context) ==
              "line 1: Variable `branch` not found in context");
    }
    SECTION("anything else is an error naming the line") {
        CHECK_THAT(render_error("x\n\n{{ now() }}", context),
                   Catch::StartsWith("line 3: unsupported template expression `{{ now() }}`"));
        CHECK_THAT(render_error("{{ key | upper }}", context),
                   Catch::Contains("unsupported template expression"));
        CHECK_THAT(render_error("{{ key + 1 }}", context),
                   Catch::Contains("unsupported template expression"));
        CHECK_THAT(render_error("{% if x %}a{% endif %}", context),
                   Catch::StartsWith("line 1: template statements like `{% if x %}`"));
        CHECK_THAT(render_error("\n{{ key", context),
                   Catch::StartsWith("line 2: `{{` is never closed with `}}`"));
        CHECK_THAT(render_error(R"({{ get_env(nom="X") }})", context),
                   Catch::Contains("get_env() takes `name` and `default`, not `nom`"));
        CHECK_THAT(render_error("{{ key | default(other='x') }}", context),
                   Catch::Contains("the default filter takes one argument, value=..."));
        CHECK_THAT(render_error("{{ \"open }}", context), Catch::Contains("unterminated string"));
    }
}

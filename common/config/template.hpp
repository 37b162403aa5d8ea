#pragma once
// The Tera subset real mirrord configs use, rendered over the whole file before parsing:
//   {{ get_env(name="X", default="y") }}  {{ key }}  {{ git_branch }}
//   {{ git_branch | default(value='x') }}  {{ get_env(name="X") | default(value="y") }}
// plus {# comments #} and {{- -}} whitespace control. Anything else is an error naming the line.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/core/result.hpp"

namespace mirrord::config {

// What templates can see. Absent values are "not found in context", as in Tera.
struct TemplateContext {
    std::optional<std::string> key;
    // Asked only when a template names git_branch (reading .git is not free).
    std::function<std::optional<std::string>()> git_branch;
    // Environment lookup for get_env().
    std::function<std::optional<std::string>(const std::string&)> env;
};

// Renders `text`; errors read "line 3: Variable `git_branch` not found in context".
Result<std::string> render_template(std::string_view text, const TemplateContext& context);

// Evaluates the inside of one {{ }} (no line in errors); used by render_template.
Result<std::string> evaluate_expression(std::string_view expression,
                                        const TemplateContext& context);

} // namespace mirrord::config

#include "common/config/template.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace mirrord::config {
namespace {

constexpr std::string_view whitespace = " \t\r\n";

size_t line_at(std::string_view text, size_t offset) {
    return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

// Finds the next "{{", "{%" or "{#" at or after `from`.
size_t next_tag(std::string_view text, size_t from) {
    for (size_t at = text.find('{', from); at != std::string_view::npos;
         at = text.find('{', at + 1)) {
        if (at + 1 < text.size() && (text[at + 1] == '{' || text[at + 1] == '%' ||
                                     text[at + 1] == '#'))
            return at;
    }
    return std::string_view::npos;
}

void trim_trailing_whitespace(std::string& out) {
    auto last = out.find_last_not_of(whitespace);
    out.erase(last == std::string::npos ? 0 : last + 1);
}

struct Tag {
    char kind;               // '{', '%' or '#'
    std::string_view inside; // without delimiters and whitespace-control dashes
    size_t end;              // offset just past the closing delimiter
    bool trim_before, trim_after;
};

Result<Tag> read_tag(std::string_view text, size_t at) {
    Tag tag{text[at + 1], {}, 0, false, false};
    std::string closing = tag.kind == '{' ? "}}" : std::string(1, tag.kind) + "}";
    auto close = text.find(closing, at + 2);
    if (close == std::string_view::npos)
        return fail("line {}: `{{{}` is never closed with `{}`", line_at(text, at), tag.kind,
                    closing);
    auto inside = text.substr(at + 2, close - at - 2);
    if (!inside.empty() && inside.front() == '-') {
        tag.trim_before = true;
        inside.remove_prefix(1);
    }
    if (!inside.empty() && inside.back() == '-') {
        tag.trim_after = true;
        inside.remove_suffix(1);
    }
    tag.inside = inside;
    tag.end = close + closing.size();
    return tag;
}

Result<std::string> expand(const Tag& tag, std::string_view text, size_t at,
                           const TemplateContext& context) {
    if (tag.kind == '#')
        return std::string();
    if (tag.kind == '%')
        return fail("line {}: template statements like `{{%{}%}}` are not supported by this "
                    "mirrord; use {{{{ get_env(...) }}}}, {{{{ key }}}} or {{{{ git_branch }}}}",
                    line_at(text, at), tag.inside);
    auto value = evaluate_expression(tag.inside, context);
    if (!value)
        return std::move(value).error().wrap(fmt::format("line {}", line_at(text, at)));
    return value;
}

} // namespace

Result<std::string> render_template(std::string_view text, const TemplateContext& context) {
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    bool trim_next = false;
    for (size_t at = next_tag(text, 0); at != std::string_view::npos; at = next_tag(text, pos)) {
        auto literal = text.substr(pos, at - pos);
        if (trim_next)
            literal.remove_prefix(std::min(literal.size(), literal.find_first_not_of(whitespace)));
        out.append(literal);
        MIRRORD_TRY_ASSIGN(auto tag, read_tag(text, at));
        if (tag.trim_before)
            trim_trailing_whitespace(out);
        MIRRORD_TRY_ASSIGN(auto value, expand(tag, text, at, context));
        out += value;
        pos = tag.end;
        trim_next = tag.trim_after;
    }
    auto rest = text.substr(pos);
    if (trim_next)
        rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(whitespace)));
    out.append(rest);
    return out;
}

} // namespace mirrord::config

// One {{ }} expression of the Tera subset: a variable, a string, or get_env(...), followed by
// any number of default(value=...) filters.
#include <cctype>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "common/config/template.hpp"
#include "common/core/strings.hpp"

namespace mirrord::config {
namespace {

constexpr std::string_view supported =
    "this mirrord supports {{ get_env(name=\"X\", default=\"y\") }}, {{ key }}, "
    "{{ git_branch }} and the default(value=...) filter";

struct Token {
    enum Kind { name, text, number, punct, end } kind;
    std::string value;
};

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Splits an expression into names, string literals, numbers and ( ) , = | punctuation.
Result<std::vector<Token>> tokenize(std::string_view expr) {
    std::vector<Token> tokens;
    size_t i = 0;
    while (i < expr.size()) {
        char c = expr[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '"' || c == '\'' || c == '`') {
            auto close = expr.find(c, i + 1);
            if (close == std::string_view::npos)
                return fail("unterminated string in `{{{{ {} }}}}`", trim(expr));
            tokens.push_back({Token::text, std::string(expr.substr(i + 1, close - i - 1))});
            i = close + 1;
        } else if (is_name_char(c)) {
            size_t start = i;
            while (i < expr.size() && (is_name_char(expr[i]) || expr[i] == '.'))
                ++i;
            bool digit = std::isdigit(static_cast<unsigned char>(c)) || c == '.';
            tokens.push_back({digit ? Token::number : Token::name,
                              std::string(expr.substr(start, i - start))});
        } else if (std::string_view("(),=|").find(c) != std::string_view::npos) {
            tokens.push_back({Token::punct, std::string(1, c)});
            ++i;
        } else {
            return fail("unsupported template expression `{{{{ {} }}}}`: {}", trim(expr),
                        supported);
        }
    }
    tokens.push_back({Token::end, {}});
    return tokens;
}

// A value that may be undefined; `missing` says why, for the error when nothing defaults it.
struct Value {
    std::optional<std::string> text;
    std::string missing;
};

class Evaluator {
public:
    Evaluator(std::string_view expr, std::vector<Token> tokens, const TemplateContext& context)
        : expr_(expr), tokens_(std::move(tokens)), context_(context) {}

    Result<std::string> run() {
        MIRRORD_TRY_ASSIGN(auto value, term());
        while (accept("|")) {
            MIRRORD_TRY_ASSIGN(value, filter(std::move(value)));
        }
        if (peek().kind != Token::end)
            return unsupported();
        if (!value.text)
            return Error(value.missing);
        return *value.text;
    }

private:
    const Token& peek() const { return tokens_[pos_]; }
    // The current token, moving on unless it is the end marker.
    Token next() {
        Token token = tokens_[pos_];
        if (token.kind != Token::end)
            ++pos_;
        return token;
    }
    bool accept(std::string_view punct) {
        if (peek().kind != Token::punct || peek().value != punct)
            return false;
        ++pos_;
        return true;
    }
    Error unsupported() const {
        return fail("unsupported template expression `{{{{ {} }}}}`: {}", trim(expr_), supported);
    }

    Result<Value> term();
    Result<Value> variable(const std::string& name) const;
    Result<Value> argument();
    Result<std::map<std::string, Value>> arguments();
    Result<Value> get_env();
    Result<Value> filter(Value value);

    std::string_view expr_;
    std::vector<Token> tokens_;
    const TemplateContext& context_;
    size_t pos_ = 0;
};

Result<Value> Evaluator::variable(const std::string& name) const {
    std::optional<std::string> value;
    if (name == "key")
        value = context_.key;
    else if (name == "git_branch" && context_.git_branch)
        value = context_.git_branch();
    return Value{value, fmt::format("Variable `{}` not found in context", name)};
}

Result<Value> Evaluator::term() {
    Token token = next();
    if (token.kind == Token::text || token.kind == Token::number)
        return Value{token.value, {}};
    if (token.kind != Token::name)
        return unsupported();
    if (token.value == "get_env" && peek().kind == Token::punct && peek().value == "(")
        return get_env();
    if (peek().kind == Token::punct && peek().value == "(")
        return unsupported();
    return variable(token.value);
}

// A named argument's value: a string, a number, true/false, or a context variable.
Result<Value> Evaluator::argument() {
    Token token = next();
    if (token.kind == Token::text || token.kind == Token::number)
        return Value{token.value, {}};
    if (token.kind == Token::name && (token.value == "true" || token.value == "false"))
        return Value{token.value, {}};
    if (token.kind == Token::name)
        return variable(token.value);
    return unsupported();
}

// "(a=1, b='x')" -> {a: 1, b: x}; the opening parenthesis is next.
Result<std::map<std::string, Value>> Evaluator::arguments() {
    std::map<std::string, Value> args;
    if (!accept("("))
        return unsupported();
    while (!accept(")")) {
        if (!args.empty() && !accept(","))
            return unsupported();
        if (peek().kind != Token::name)
            return unsupported();
        std::string name = next().value;
        if (!accept("="))
            return unsupported();
        MIRRORD_TRY_ASSIGN(args[name], argument());
    }
    return args;
}

Result<Value> Evaluator::get_env() {
    MIRRORD_TRY_ASSIGN(auto args, arguments());
    for (const auto& [name, value] : args) {
        if (name != "name" && name != "default")
            return fail("get_env() takes `name` and `default`, not `{}`", name);
    }
    auto name = args.find("name");
    if (name == args.end() || !name->second.text)
        return fail("get_env() needs name=\"VARIABLE\"");
    auto value = context_.env ? context_.env(*name->second.text) : std::nullopt;
    if (value)
        return Value{value, {}};
    if (auto fallback = args.find("default"); fallback != args.end())
        return fallback->second;
    return Value{std::nullopt,
                 fmt::format("Environment variable `{}` not found", *name->second.text)};
}

Result<Value> Evaluator::filter(Value value) {
    if (peek().kind != Token::name || peek().value != "default")
        return unsupported();
    next();
    MIRRORD_TRY_ASSIGN(auto args, arguments());
    auto fallback = args.find("value");
    if (args.size() != 1 || fallback == args.end())
        return fail("the default filter takes one argument, value=...");
    return value.text ? value : fallback->second;
}

} // namespace

Result<std::string> evaluate_expression(std::string_view expression,
                                        const TemplateContext& context) {
    MIRRORD_TRY_ASSIGN(auto tokens, tokenize(expression));
    Evaluator evaluator(expression, std::move(tokens), context);
    return evaluator.run();
}

} // namespace mirrord::config

#include "common/core/dotenv.hpp"

#include <cctype>
#include <cstdlib>

#include "common/core/files.hpp"
#include "common/core/strings.hpp"

namespace mirrord {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}
bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// How parsing one value ended: done, or it needs the next line (an open quote), or an error.
enum class ValueState { done, needs_more, error };

// Parses one value (everything after `=`), expanding variables with `expand`.
class ValueParser {
public:
    ValueParser(std::string_view text, const std::function<std::string(const std::string&)>& expand)
        : text_(text), expand_(expand) {}

    ValueState run() {
        while (pos_ < text_.size()) {
            char c = text_[pos_++];
            if (expecting_end_) {
                if (is_blank(c))
                    continue;
                if (c == '#')
                    break;
                return error(fmt::format(
                    "unexpected '{}' after the value (quote values with spaces)", c));
            }
            if (escaped_) {
                if (!take_escape(c))
                    return ValueState::error;
            } else if (quote_ == '\'') {
                if (c == '\'')
                    quote_ = 0;
                else
                    out_ += c;
            } else if (c == '$') {
                if (!take_variable())
                    return ValueState::error;
            } else if (quote_ == '"') {
                if (c == '"')
                    quote_ = 0;
                else if (c == '\\')
                    escaped_ = true;
                else
                    out_ += c;
            } else if (c == '\'' || c == '"') {
                quote_ = c;
            } else if (c == '\\') {
                escaped_ = true;
            } else if (is_blank(c)) {
                expecting_end_ = true;
            } else {
                out_ += c;
            }
        }
        if (quote_ != 0 || escaped_)
            return ValueState::needs_more;
        return ValueState::done;
    }

    const std::string& value() const { return out_; }
    const std::string& message() const { return message_; }

private:
    ValueState error(std::string message) {
        message_ = std::move(message);
        return ValueState::error;
    }

    bool take_escape(char c) {
        escaped_ = false;
        switch (c) {
        case 'n':
            out_ += '\n';
            return true;
        case '\\':
        case '\'':
        case '"':
        case '$':
        case ' ':
            out_ += c;
            return true;
        default:
            message_ = fmt::format("invalid escape sequence \\{}", c);
            return false;
        }
    }

    // After `$`: `{NAME}` or NAME. A `$` not followed by a name stays literal.
    bool take_variable() {
        std::string name;
        if (pos_ < text_.size() && text_[pos_] == '{') {
            size_t close = text_.find('}', pos_);
            if (close == std::string_view::npos) {
                message_ = "unterminated ${";
                return false;
            }
            name = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
            pos_ = close + 1;
        } else {
            while (pos_ < text_.size() && is_name_char(text_[pos_]))
                name += text_[pos_++];
            if (name.empty()) {
                out_ += '$';
                return true;
            }
        }
        out_ += expand_(name);
        return true;
    }

    std::string_view text_;
    const std::function<std::string(const std::string&)>& expand_;
    size_t pos_ = 0;
    char quote_ = 0;
    bool escaped_ = false;
    bool expecting_end_ = false;
    std::string out_;
    std::string message_;
};

// Reads `[export ]KEY` and the `=` after it; returns the key and moves `pos` past the `=`.
Result<std::string> parse_key(std::string_view line, size_t& pos) {
    auto read_key = [&] {
        size_t start = pos;
        while (pos < line.size() && is_key_char(line[pos]))
            ++pos;
        return std::string(line.substr(start, pos - start));
    };
    auto skip_blanks = [&] {
        while (pos < line.size() && is_blank(line[pos]))
            ++pos;
    };
    std::string key = read_key();
    if (key == "export" && pos < line.size() && is_blank(line[pos])) {
        skip_blanks();
        key = read_key();
    }
    if (key.empty())
        return fail("expected a variable name");
    skip_blanks();
    if (pos >= line.size() || line[pos] != '=')
        return fail("expected '=' after {}", key);
    ++pos;
    skip_blanks();
    return key;
}

} // namespace

EnvLookup process_env_lookup() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr)
            return std::nullopt;
        return std::string(value);
    };
}

Result<DotenvEntries> parse_dotenv(std::string_view text, std::string_view file,
                                   const EnvLookup& lookup) {
    DotenvEntries entries;
    // dotenvy: the process environment wins over keys defined earlier in the file.
    std::function<std::string(const std::string&)> expand = [&](const std::string& name) {
        if (auto value = lookup ? lookup(name) : std::nullopt)
            return *value;
        for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
            if (it->first == name)
                return it->second;
        }
        return std::string();
    };
    auto lines = split(text, '\n');
    for (size_t i = 0; i < lines.size(); ++i) {
        size_t first_line = i + 1;
        auto at = [&](std::string_view what) {
            return Error(fmt::format("{}:{}: {}", file, first_line, what));
        };
        std::string_view line = lines[i];
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        std::string_view stripped = trim(line);
        if (stripped.empty() || stripped.front() == '#')
            continue;
        size_t pos = 0;
        auto key = parse_key(stripped, pos);
        if (!key)
            return at(key.error().message());
        // A value with an open quote continues on the next line (the newline is kept).
        std::string value_text(stripped.substr(pos));
        for (;;) {
            ValueParser parser(value_text, expand);
            ValueState state = parser.run();
            if (state == ValueState::error)
                return at(parser.message());
            if (state == ValueState::done) {
                entries.emplace_back(*key, parser.value());
                break;
            }
            if (i + 1 >= lines.size())
                return at(fmt::format("unterminated quoted value for {}", *key));
            value_text += "\n" + lines[++i];
        }
    }
    return entries;
}

Result<DotenvEntries> load_dotenv(const std::string& path, const EnvLookup& lookup) {
    MIRRORD_TRY_ASSIGN(auto text, read_file(path));
    return parse_dotenv(text, path, lookup);
}

} // namespace mirrord

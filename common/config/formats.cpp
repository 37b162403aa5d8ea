#include "common/config/formats.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace mirrord::config {
namespace {

using json = nlohmann::json;

struct TooDeep {};

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, column 2: msg";
// we print our own position, so keep only the message.
std::string strip_nlohmann_prefix(const std::string& what) {
    auto column = what.find("column ");
    auto colon = what.find(": ", column == std::string::npos ? 0 : column);
    if (colon == std::string::npos)
        return what;
    return what.substr(colon + 2);
}

Result<json> parse_json(std::string_view text) {
    try {
        // The callback sees the depth of every value; throwing stops the parse at once.
        // nlohmann's parser has no recursion of its own, but copies and dumps of the tree do.
        auto guard = [](int depth, json::parse_event_t, json&) {
            if (depth > max_config_depth)
                throw TooDeep{};
            return true;
        };
        auto tree = json::parse(text.begin(), text.end(), guard);
        MIRRORD_TRY(check_duplicate_keys(text));
        return tree;
    } catch (const json::parse_error& e) {
        size_t at = e.byte > 0 ? e.byte - 1 : 0;
        return fail("{}: {}", line_column(text, at), strip_nlohmann_prefix(e.what()));
    } catch (const TooDeep&) {
        return fail("nesting deeper than {} levels", max_config_depth);
    } catch (const std::exception& e) {
        return fail("{}", e.what());
    }
}

} // namespace

std::string line_column(std::string_view text, size_t offset) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return fmt::format("line {}, column {}", line, column);
}

Result<Format> format_for_path(const std::string& path) {
    if (path == "-")
        return Format::json;
    auto ext = std::filesystem::path(path).extension().string();
    if (ext.empty() || ext == ".json")
        return Format::json;
    if (ext == ".yaml" || ext == ".yml")
        return Format::yaml;
    if (ext == ".toml")
        return Format::toml;
    return fail("the file has an invalid extension `{}`, must have one of: json, toml, yml, yaml",
                ext.substr(1));
}

std::string_view format_name(Format format) {
    switch (format) {
    case Format::json:
        return "Json";
    case Format::yaml:
        return "Yaml";
    case Format::toml:
        return "Toml";
    }
    return "Json";
}

Result<json> parse_document(std::string_view text, Format format) {
    Result<json> tree = format == Format::json   ? parse_json(text)
                        : format == Format::yaml ? parse_yaml(text)
                                                 : parse_toml(text);
    auto prefix = fmt::format("failed to parse {}", format_name(format));
    if (!tree)
        return std::move(tree).error().wrap(prefix);
    // An empty YAML or TOML file is an empty config, as in mirrord.
    if (tree->is_null() && format != Format::json)
        return json::object();
    if (!tree->is_object())
        return fail("{}: the config must be an object of keys, found {}", prefix,
                    tree->is_array() ? "a list" : "a single value");
    return tree;
}

} // namespace mirrord::config

// YAML -> nlohmann::json with YAML 1.2 core-schema typing of plain scalars.
#include <cstdlib>

#include <yaml-cpp/yaml.h>

#include "common/config/formats.hpp"
#include "common/config/utf8.hpp"

namespace mirrord::config {
namespace {

using json = nlohmann::json;

// Aliases can expand exponentially ("billion laughs"); no real config comes near this.
constexpr size_t max_nodes = 100000;

struct Converter {
    size_t nodes = 0;

    Error at(const YAML::Node& node, std::string_view message) const {
        auto mark = node.Mark();
        return fail("line {}, column {}: {}", mark.line + 1, mark.column + 1, message);
    }

    // `path` is the node's key path, for errors ("" for the root).
    Result<json> convert(const YAML::Node& node, int depth, const std::string& path);
    Result<json> convert_map(const YAML::Node& node, int depth, const std::string& path);
    Result<json> convert_sequence(const YAML::Node& node, int depth, const std::string& path);
};

bool is_plain(const YAML::Node& node) { return node.Tag() == "?"; }

std::optional<json> number_from(const std::string& text) {
    if (text.empty())
        return std::nullopt;
    const char* begin = text.c_str();
    char* end = nullptr;
    bool hex = text.rfind("0x", 0) == 0, octal = text.rfind("0o", 0) == 0;
    errno = 0;
    if (hex || octal) {
        auto value = std::strtoull(begin + 2, &end, hex ? 16 : 8);
        if (*end == '\0' && end != begin + 2 && errno == 0)
            return json(value);
        return std::nullopt;
    }
    auto integer = std::strtoll(begin, &end, 10);
    if (*end == '\0' && errno == 0)
        return json(integer);
    if (text.find_first_of(".eE") == std::string::npos)
        return std::nullopt;
    errno = 0;
    auto real = std::strtod(begin, &end);
    if (*end == '\0' && errno == 0)
        return json(real);
    return std::nullopt;
}

// Plain scalars are typed by the YAML 1.2 core schema; quoted ones are always strings.
json scalar_to_json(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    if (!is_plain(node))
        return text;
    if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
        return nullptr;
    if (text == "true" || text == "True" || text == "TRUE")
        return true;
    if (text == "false" || text == "False" || text == "FALSE")
        return false;
    if (auto number = number_from(text))
        return *number;
    return text;
}

Result<json> Converter::convert(const YAML::Node& node, int depth, const std::string& path) {
    if (++nodes > max_nodes)
        return at(node, "the document expands to too many values (alias loop?)");
    if (depth > max_config_depth)
        return at(node, fmt::format("nesting deeper than {} levels", max_config_depth));
    switch (node.Type()) {
    case YAML::NodeType::Scalar:
        // yaml-cpp decodes escapes such as "\N" to bytes that are not UTF-8.
        if (invalid_utf8_offset(node.Scalar()))
            return at(node, "the value is not valid UTF-8");
        return scalar_to_json(node);
    case YAML::NodeType::Sequence:
        return convert_sequence(node, depth, path);
    case YAML::NodeType::Map:
        return convert_map(node, depth, path);
    default:
        return json(nullptr);
    }
}

Result<json> Converter::convert_sequence(const YAML::Node& node, int depth,
                                         const std::string& path) {
    json out = json::array();
    for (const auto& item : node) {
        MIRRORD_TRY_ASSIGN(auto value,
                           convert(item, depth + 1, fmt::format("{}[{}]", path, out.size())));
        out.push_back(std::move(value));
    }
    return out;
}

Result<json> Converter::convert_map(const YAML::Node& node, int depth, const std::string& path) {
    json out = json::object();
    for (const auto& entry : node) {
        if (!entry.first.IsScalar())
            return at(entry.first, "a key must be a plain value, not a list or a map");
        const std::string& key = entry.first.Scalar();
        if (invalid_utf8_offset(key))
            return at(entry.first, "the key is not valid UTF-8");
        auto key_path = path.empty() ? key : path + "." + key;
        // yaml-cpp 0.7 keeps both entries of a duplicated key; YAML forbids them, as mirrord's
        // serde_yaml does, and taking the last one would hide a config mistake.
        if (out.contains(key))
            return at(entry.first, fmt::format("duplicate key \"{}\"", key_path));
        MIRRORD_TRY_ASSIGN(auto value, convert(entry.second, depth + 1, key_path));
        out[key] = std::move(value);
    }
    return out;
}

} // namespace

Result<json> parse_yaml(std::string_view text) {
    try {
        YAML::Node root = YAML::Load(std::string(text));
        Converter converter;
        return converter.convert(root, 0, "");
    } catch (const YAML::Exception& e) {
        if (e.mark.is_null())
            return fail("{}", e.msg);
        return fail("line {}, column {}: {}", e.mark.line + 1, e.mark.column + 1, e.msg);
    } catch (const std::exception& e) {
        return fail("{}", e.what());
    }
}

} // namespace mirrord::config

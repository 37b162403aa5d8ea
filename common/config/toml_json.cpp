// TOML -> nlohmann::json. Dates and times become strings in TOML's own notation.
#include <sstream>

#include <toml++/toml.h>

#include "common/config/formats.hpp"

namespace mirrord::config {
namespace {

using json = nlohmann::json;

template <typename T> std::string to_text(const T& value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

Result<json> convert(const toml::node& node, int depth);

Result<json> convert_table(const toml::table& table, int depth) {
    json out = json::object();
    for (const auto& [key, value] : table) {
        MIRRORD_TRY_ASSIGN(auto item, convert(value, depth + 1));
        out[std::string(key.str())] = std::move(item);
    }
    return out;
}

Result<json> convert_array(const toml::array& array, int depth) {
    json out = json::array();
    for (const auto& value : array) {
        MIRRORD_TRY_ASSIGN(auto item, convert(value, depth + 1));
        out.push_back(std::move(item));
    }
    return out;
}

Result<json> convert(const toml::node& node, int depth) {
    if (depth > max_config_depth) {
        auto where = node.source().begin;
        return fail("line {}, column {}: nesting deeper than {} levels", where.line, where.column,
                    max_config_depth);
    }
    if (const auto* table = node.as_table())
        return convert_table(*table, depth);
    if (const auto* array = node.as_array())
        return convert_array(*array, depth);
    if (const auto* text = node.as_string())
        return json(text->get());
    if (const auto* integer = node.as_integer())
        return json(integer->get());
    if (const auto* real = node.as_floating_point())
        return json(real->get());
    if (const auto* boolean = node.as_boolean())
        return json(boolean->get());
    if (const auto* date = node.as_date())
        return json(to_text(date->get()));
    if (const auto* time = node.as_time())
        return json(to_text(time->get()));
    if (const auto* date_time = node.as_date_time())
        return json(to_text(date_time->get()));
    return json(nullptr);
}

} // namespace

Result<json> parse_toml(std::string_view text) {
    try {
        toml::table root = toml::parse(text);
        return convert_table(root, 0);
    } catch (const toml::parse_error& e) {
        auto where = e.source().begin;
        return fail("line {}, column {}: {}", where.line, where.column, e.description());
    } catch (const std::exception& e) {
        return fail("{}", e.what());
    }
}

} // namespace mirrord::config

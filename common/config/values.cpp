#include "common/config/values.hpp"

#include "common/core/strings.hpp"

namespace mirrord::config {

std::string child_path(std::string_view parent, std::string_view key) {
    if (parent.empty())
        return std::string(key);
    return fmt::format("{}.{}", parent, key);
}

std::string_view type_name(const json& value) {
    switch (value.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "a list";
    case json::value_t::string:
        return "a string";
    case json::value_t::boolean:
        return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return "an integer";
    case json::value_t::number_float:
        return "a number";
    default:
        return "binary data";
    }
}

const json* member(const json& object, std::string_view key) {
    if (!object.is_object())
        return nullptr;
    auto found = object.find(key);
    if (found == object.end() || found->is_null())
        return nullptr;
    return &*found;
}

Result<std::string> read_string(const json& value, std::string_view path) {
    if (!value.is_string())
        return key_error(path, "invalid type: expected a string, found {}", type_name(value));
    return value.get<std::string>();
}

Result<bool> read_bool(const json& value, std::string_view path) {
    if (!value.is_boolean())
        return key_error(path, "invalid type: expected true or false, found {}",
                         type_name(value));
    return value.get<bool>();
}

Result<int> read_u16(const json& value, std::string_view path) {
    // is_number_integer() covers both signed (YAML, TOML) and unsigned (JSON) integers.
    if (value.is_number_unsigned() && value.get<std::uint64_t>() <= 65535)
        return static_cast<int>(value.get<std::uint64_t>());
    if (value.is_number_integer() && !value.is_number_unsigned() &&
        value.get<std::int64_t>() >= 0 && value.get<std::int64_t>() <= 65535)
        return static_cast<int>(value.get<std::int64_t>());
    if (value.is_number_integer())
        return key_error(path, "invalid value {}: expected an integer from 0 to 65535",
                         value.dump());
    return key_error(path, "invalid type: expected an integer, found {}", type_name(value));
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    for (auto& piece : split(text, ';')) {
        if (!piece.empty())
            out.push_back(std::move(piece));
    }
    return out;
}

Result<std::vector<std::string>> read_string_list(const json& value, std::string_view path) {
    if (value.is_string())
        return split_list(value.get<std::string>());
    if (!value.is_array())
        return key_error(path, "invalid type: expected a string or a list of strings, found {}",
                         type_name(value));
    std::vector<std::string> out;
    for (size_t i = 0; i < value.size(); ++i) {
        MIRRORD_TRY_ASSIGN(auto item, read_string(value[i], fmt::format("{}[{}]", path, i)));
        for (auto& piece : split_list(item))
            out.push_back(std::move(piece));
    }
    return out;
}

Result<std::vector<std::string>> read_list(const json& value, std::string_view path) {
    if (!value.is_array())
        return key_error(path, "invalid type: expected a list of strings, found {}",
                         type_name(value));
    std::vector<std::string> out;
    for (size_t i = 0; i < value.size(); ++i) {
        MIRRORD_TRY_ASSIGN(auto item, read_string(value[i], fmt::format("{}[{}]", path, i)));
        out.push_back(std::move(item));
    }
    return out;
}

Result<std::map<std::string, std::string>> read_string_map(const json& value,
                                                           std::string_view path) {
    if (!value.is_object())
        return key_error(path, "invalid type: expected an object, found {}", type_name(value));
    std::map<std::string, std::string> out;
    for (const auto& [key, item] : value.items()) {
        MIRRORD_TRY_ASSIGN(auto text, read_string(item, child_path(path, key)));
        out.emplace(key, std::move(text));
    }
    return out;
}

} // namespace mirrord::config

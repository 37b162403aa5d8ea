#pragma once
// Typed reads of JSON config values, with errors that name the key path.
// A JSON null counts as "not set" everywhere, as in mirrord's Option<T> fields.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/core/result.hpp"

namespace mirrord::config {

using json = nlohmann::json;

// An error "<path>: <message>".
template <typename... Args>
Error key_error(std::string_view path, fmt::format_string<Args...> format, Args&&... args) {
    return Error(fmt::format("{}: {}", path, fmt::format(format, std::forward<Args>(args)...)));
}

// "parent.key", or "key" at the root.
std::string child_path(std::string_view parent, std::string_view key);

// "a string", "an object", ... for type errors.
std::string_view type_name(const json& value);

// The member `key` of `object`, or nullptr when it is absent or null.
const json* member(const json& object, std::string_view key);

// The value as a string; an error naming `path` for any other type.
Result<std::string> read_string(const json& value, std::string_view path);
// The value as a bool.
Result<bool> read_bool(const json& value, std::string_view path);
// The value as an integer in 0..65535 (mirrord's u16 fields).
Result<int> read_u16(const json& value, std::string_view path);
// A string or a list of strings; strings are split on `;` as mirrord's VecOrSingle does.
Result<std::vector<std::string>> read_string_list(const json& value, std::string_view path);
// A list of strings, nothing else.
Result<std::vector<std::string>> read_list(const json& value, std::string_view path);
// An object whose values are all strings.
Result<std::map<std::string, std::string>> read_string_map(const json& value,
                                                           std::string_view path);
// Splits on `;`, dropping empty pieces ("A;;B;" -> A, B).
std::vector<std::string> split_list(std::string_view text);

} // namespace mirrord::config

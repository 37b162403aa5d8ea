#pragma once
// Config file formats: JSON, YAML and TOML all become one nlohmann::json tree, so everything
// after parsing is format-blind. Syntax errors carry line and column.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"

namespace mirrord::config {

enum class Format { json, yaml, toml };

// The format for a path by extension, as mirrord picks it: .json or none -> JSON, .yaml/.yml,
// .toml; "-" (stdin) is JSON. Other extensions give mirrord's invalid-extension error.
Result<Format> format_for_path(const std::string& path);

// mirrord's name of a format in its error texts: "Json", "Yaml", "Toml".
std::string_view format_name(Format format);

// Nesting deeper than this is refused: mirrord configs are a few levels deep, and it keeps every
// recursive walk over the tree (ours and nlohmann's copy and dump) far from the stack limit.
inline constexpr int max_config_depth = 64;

// Parses `text` into a JSON tree whose root is an object. Errors read
// "failed to parse Yaml: line 3, column 7: <parser message>".
Result<nlohmann::json> parse_document(std::string_view text, Format format);

// The YAML and TOML adapters (yaml_json.cpp, toml_json.cpp); errors without the prefix.
Result<nlohmann::json> parse_yaml(std::string_view text);
Result<nlohmann::json> parse_toml(std::string_view text);

// Fails on the first object with two equal keys in JSON `text` that nlohmann has accepted:
// "line 4, column 3: duplicate key "feature.env.include"" (key path, then where the second one
// starts). mirrord refuses these too (serde's "duplicate field"); silently taking the last one
// would hide a config mistake.
Status check_duplicate_keys(std::string_view text);

// "line L, column C" for a 0-based byte offset into `text`.
std::string line_column(std::string_view text, size_t offset);

} // namespace mirrord::config

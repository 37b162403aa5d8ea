#pragma once
// Non-throwing reads of objects that come from the apiserver. Anyone with access to a namespace
// can edit any object in it, so nothing read from the cluster goes through nlohmann's throwing
// accessors (value(), get<T>(), at()) or const operator[] (undefined on a missing key): a
// `mirrord.dev/scale-down: {"replicas": 3, "session": 5}` must become an error that names the
// object and key, never std::terminate. Each function returns nullopt (or an empty object) for
// a missing key or a value of the wrong type; callers decide whether that is an error.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mirrord::session::fields {

using json = nlohmann::json;

// object[key] when `object` is an object holding `key`, else nullptr.
const json* find(const json& object, std::string_view key);
// object[key] when it is an object, else an empty object: for walking metadata.annotations.
const json& object_at(const json& object, std::string_view key);
// object[key] when it is a string.
std::optional<std::string> string_at(const json& object, std::string_view key);
// object[key] when it is a string, else `fallback` (also when missing or of another type).
std::string string_or(const json& object, std::string_view key, const std::string& fallback = {});
// object[key] when it is an integer (not a float, not a string) that fits in a long long.
std::optional<long long> integer_at(const json& object, std::string_view key);
// A short, printable rendering of a value for error messages (cut at 40 characters).
std::string shown(const json& value);

} // namespace mirrord::session::fields

#pragma once
// Non-throwing reads of apiserver JSON. nlohmann's accessors throw on a field of another type
// (value() on a non-object or with a mismatched default, get<T>()) and a const operator[] on a
// missing key is undefined behaviour; objects from schemaless CRDs, proxies or hand-written
// manifests can hold anything. Here a field that is absent or of another type reads as the
// fallback, so a malformed object is treated as one without that field.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mirrord::kube {

// object[key] when `object` is an object holding `key`, else null.
const nlohmann::json& member(const nlohmann::json& object, std::string_view key);
// member() when it is an object, else an empty object.
const nlohmann::json& object_member(const nlohmann::json& object, std::string_view key);
// member() when it is an array, else an empty array.
const nlohmann::json& array_member(const nlohmann::json& object, std::string_view key);
// member() when it is a string, else `fallback`.
std::string string_member(const nlohmann::json& object, std::string_view key,
                          std::string fallback = {});
// member() when it is an integer, else `fallback`.
long long integer_member(const nlohmann::json& object, std::string_view key,
                         long long fallback = 0);
// member() when it is a boolean, else `fallback`.
bool bool_member(const nlohmann::json& object, std::string_view key, bool fallback = false);

} // namespace mirrord::kube

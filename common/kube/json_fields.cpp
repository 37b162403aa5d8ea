#include "common/kube/json_fields.hpp"

namespace mirrord::kube {

using nlohmann::json;

const json& member(const json& object, std::string_view key) {
    static const json null_value;
    if (!object.is_object())
        return null_value;
    auto it = object.find(key);
    return it != object.end() ? *it : null_value;
}

const json& object_member(const json& object, std::string_view key) {
    static const json empty = json::object();
    const json& found = member(object, key);
    return found.is_object() ? found : empty;
}

const json& array_member(const json& object, std::string_view key) {
    static const json empty = json::array();
    const json& found = member(object, key);
    return found.is_array() ? found : empty;
}

std::string string_member(const json& object, std::string_view key, std::string fallback) {
    const json& found = member(object, key);
    return found.is_string() ? found.get<std::string>() : std::move(fallback);
}

long long integer_member(const json& object, std::string_view key, long long fallback) {
    const json& found = member(object, key);
    return found.is_number_integer() ? found.get<long long>() : fallback;
}

bool bool_member(const json& object, std::string_view key, bool fallback) {
    const json& found = member(object, key);
    return found.is_boolean() ? found.get<bool>() : fallback;
}

} // namespace mirrord::kube

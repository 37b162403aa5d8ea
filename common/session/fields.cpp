#include "common/session/fields.hpp"

#include <climits>

namespace mirrord::session::fields {

const json* find(const json& object, std::string_view key) {
    if (!object.is_object())
        return nullptr;
    auto found = object.find(key);
    return found == object.end() ? nullptr : &*found;
}

const json& object_at(const json& object, std::string_view key) {
    static const json empty = json::object();
    const json* member = find(object, key);
    return member != nullptr && member->is_object() ? *member : empty;
}

std::optional<std::string> string_at(const json& object, std::string_view key) {
    const json* member = find(object, key);
    if (member == nullptr || !member->is_string())
        return std::nullopt;
    return member->get_ref<const std::string&>();
}

std::string string_or(const json& object, std::string_view key, const std::string& fallback) {
    return string_at(object, key).value_or(fallback);
}

std::optional<long long> integer_at(const json& object, std::string_view key) {
    const json* member = find(object, key);
    if (member == nullptr)
        return std::nullopt;
    if (member->is_number_integer() && !member->is_number_unsigned())
        return member->get<long long>();
    // nlohmann keeps big positive numbers as unsigned; only those that fit are integers here.
    if (member->is_number_unsigned() &&
        member->get<unsigned long long>() <= static_cast<unsigned long long>(LLONG_MAX))
        return static_cast<long long>(member->get<unsigned long long>());
    return std::nullopt;
}

std::string shown(const json& value) {
    // dump() with replace: annotation text may hold invalid UTF-8, which dump() would throw on.
    auto text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

} // namespace mirrord::session::fields

#include "agent/split_names.hpp"

#include <algorithm>
#include <charconv>

#include <openssl/evp.h>

#include "common/core/strings.hpp"
#include "common/session/fields.hpp"

namespace mirrord::agent {

namespace fields = session::fields;
using json = nlohmann::json;

std::string split_key(const std::string& namespace_, const std::string& kind,
                      const std::string& name, const std::string& topic_id) {
    auto text = fmt::format("{}/{}/{}/{}", namespace_, kind, name, topic_id);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < 6 && i < length; ++i)
        hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

std::string splitter_lease_name(const std::string& key) { return "mirrord-splitter-" + key; }
std::string session_prefix(const std::string& session_id) {
    return "mirrord-tmp-" + session_id + "-";
}
std::string session_topic(const std::string& session_id, const std::string& topic_id) {
    return session_prefix(session_id) + topic_id;
}

std::optional<std::string> session_of_temporary(const std::string& name) {
    static const std::string prefix = "mirrord-tmp-";
    if (name.rfind(prefix, 0) != 0)
        return std::nullopt;
    // Exactly a session id as new_session_id() makes them (8 lowercase hex digits): `reset`
    // deletes what this names when no Lease has the id, so "mirrord-tmp-bench-..." or a user's
    // own "mirrord-tmp-orders-v2" must never read as ours.
    auto end = name.find('-', prefix.size());
    if (end != prefix.size() + 8)
        return std::nullopt;
    auto id = name.substr(prefix.size(), 8);
    if (!std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
        return std::nullopt;
    return id;
}

json to_json(const Registration& registration) {
    json filter = json::object();
    for (const auto& [header, regex] : registration.filter)
        filter[header] = regex;
    return {{"topic_id", registration.topic_id},
            {"original_topic", registration.original_topic},
            {"session_topic", registration.session_topic},
            {"filter", filter},
            {"mode", registration.mode}};
}

Result<Registration> parse_registration(const std::string& text) {
    auto value = json::parse(text, nullptr, false);
    if (value.is_discarded() || !value.is_object())
        return fail("{}: not a JSON object", split_annotation);
    Registration registration;
    for (auto [key, out] : {std::pair{"topic_id", &registration.topic_id},
                            std::pair{"original_topic", &registration.original_topic},
                            std::pair{"session_topic", &registration.session_topic}}) {
        auto found = fields::string_at(value, key);
        if (!found || found->empty())
            return fail("{}: {} is missing or not a string", split_annotation, key);
        *out = *found;
    }
    registration.mode = fields::string_or(value, "mode", "mirror");
    const auto& filter = fields::object_at(value, "filter");
    for (auto it = filter.begin(); it != filter.end(); ++it) {
        if (!it->is_string())
            return fail("{}: filter.{} is not a string", split_annotation, it.key());
        registration.filter.emplace_back(it.key(), it->get<std::string>());
    }
    return registration;
}

std::string describe_filter(const std::vector<std::pair<std::string, std::string>>& filter) {
    std::vector<std::string> parts;
    for (const auto& [header, regex] : filter)
        parts.push_back(header + "=" + regex);
    return join(parts, ", ");
}

std::string split_start_text(const SplitStart& start) {
    json offsets = json::object();
    for (const auto& [partition, offset] : start.offsets)
        offsets[std::to_string(partition)] = offset;
    return json{{"offsets", offsets}, {"splitter", start.splitter}}.dump();
}

Result<SplitStart> parse_split_start(const std::string& text) {
    auto value = json::parse(text, nullptr, false);
    if (value.is_discarded() || !value.is_object())
        return fail("{}: not a JSON object", split_start_annotation);
    SplitStart start;
    start.splitter = fields::string_or(value, "splitter");
    const auto& offsets = fields::object_at(value, "offsets");
    for (auto it = offsets.begin(); it != offsets.end(); ++it) {
        int32_t partition = 0;
        const auto& key = it.key();
        auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), partition);
        auto offset = fields::integer_at(offsets, key);
        if (error != std::errc() || end != key.data() + key.size() || !offset)
            return fail("{}: offsets.{} is not partition -> offset", split_start_annotation,
                        fields::shown(key));
        start.offsets[partition] = *offset;
    }
    return start;
}

} // namespace mirrord::agent

#include "common/config/keys.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "common/config/known_keys.hpp"
#include "common/config/values.hpp"
#include "common/core/strings.hpp"

namespace mirrord::config {
namespace {

// The key paths this mirrord implements; everything below them is parsed by parse.cpp.
constexpr std::array<std::string_view, 16> implemented_roots = {
    "target",          "operator",         "kubeconfig",          "kube_context",
    "key",             "accept_invalid_certificates",             "agent.namespace",
    "agent.image",     "agent.ttl",        "agent.startup_timeout", "agent.log_level",
    "feature.env",     "feature.copy_target", "feature.split_queues",
    "feature.network.outgoing", "feature.network.dns"};

bool starts_with_segment(std::string_view path, std::string_view prefix) {
    return path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix &&
           path[prefix.size()] == '.';
}

const KnownKey* find_key(std::string_view pattern) {
    auto keys = known_keys();
    auto found = std::lower_bound(keys.begin(), keys.end(), pattern,
                                  [](const KnownKey& key, std::string_view p) {
                                      return key.path < p;
                                  });
    if (found == keys.end() || found->path != pattern)
        return nullptr;
    return &*found;
}

// The named children of an object key, for "did you mean" suggestions.
std::vector<std::string_view> child_names(std::string_view pattern) {
    std::vector<std::string_view> names;
    std::string prefix = pattern.empty() ? "" : std::string(pattern) + ".";
    for (const auto& key : known_keys()) {
        if (key.path.size() <= prefix.size() || key.path.substr(0, prefix.size()) != prefix)
            continue;
        auto rest = key.path.substr(prefix.size());
        if (rest.find('.') == std::string_view::npos && rest != "*" && rest != "[]")
            names.push_back(rest);
    }
    return names;
}

Error unknown_key(std::string_view pattern, std::string_view shown, std::string_view key) {
    auto names = child_names(pattern);
    auto suggestion = closest_match(key, names);
    if (suggestion)
        return key_error(shown, "unknown key `{}`, did you mean `{}`?", key, *suggestion);
    return key_error(shown, "unknown key `{}`; mirrord does not know it", key);
}

struct Walker {
    std::vector<std::string>& warnings;

    Status walk(const nlohmann::json& node, const std::string& pattern, const std::string& shown,
                bool ignored);
    Status walk_object(const nlohmann::json& node, const std::string& pattern,
                       const std::string& shown, bool ignored);
};

Status Walker::walk_object(const nlohmann::json& node, const std::string& pattern,
                           const std::string& shown, bool ignored) {
    const KnownKey* entry = find_key(pattern);
    unsigned shape = entry ? entry->shape : 0;
    if (shape & key_open)
        return {};
    if (shape == 0 && ignored)
        return key_error(shown, "invalid type: found an object, expected a value");
    for (const auto& [key, value] : node.items()) {
        auto child = child_path(pattern, key);
        auto child_shown = child_path(shown, key);
        if (!find_key(child)) {
            if (!(shape & key_map))
                return shape == 0 ? Status{} : unknown_key(pattern, child_shown, key);
            child = child_path(pattern, "*");
        }
        bool child_ignored = ignored;
        if (!ignored && key_support(child) == KeySupport::ignored && !value.is_null()) {
            warnings.push_back(
                fmt::format("`{}` is not supported by this mirrord and is ignored", child_shown));
            child_ignored = true;
        }
        MIRRORD_TRY(walk(value, child, child_shown, child_ignored));
    }
    return {};
}

Status Walker::walk(const nlohmann::json& node, const std::string& pattern,
                    const std::string& shown, bool ignored) {
    if (node.is_object())
        return walk_object(node, pattern, shown, ignored);
    if (!node.is_array())
        return {};
    auto items = child_path(pattern, "[]");
    if (!find_key(items))
        return {};
    for (size_t i = 0; i < node.size(); ++i)
        MIRRORD_TRY(walk(node[i], items, fmt::format("{}[{}]", shown, i), ignored));
    return {};
}

} // namespace

KeySupport key_support(std::string_view pattern) {
    if (pattern.empty())
        return KeySupport::ancestor;
    for (auto root : implemented_roots) {
        if (pattern == root || starts_with_segment(pattern, root))
            return KeySupport::implemented;
    }
    for (auto root : implemented_roots) {
        if (starts_with_segment(root, pattern))
            return KeySupport::ancestor;
    }
    return KeySupport::ignored;
}

Status check_keys(const nlohmann::json& root, std::vector<std::string>& warnings) {
    Walker walker{warnings};
    return walker.walk(root, "", "", false);
}

} // namespace mirrord::config

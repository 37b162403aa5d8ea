// The `target` section: which of mirrord's untagged forms a JSON value is, and its fields.
#include <array>
#include <vector>

#include "common/config/target.hpp"
#include "common/config/values.hpp"
#include "common/core/strings.hpp"

namespace mirrord::config {
namespace {

constexpr std::array<TargetKind, 9> object_kinds = {
    TargetKind::pod,         TargetKind::deployment, TargetKind::rollout,
    TargetKind::job,         TargetKind::cronjob,    TargetKind::statefulset,
    TargetKind::service,     TargetKind::replicaset, TargetKind::label};

// Which kind keys ("deployment", "labels", ...) the object has.
std::vector<TargetKind> kinds_present(const json& object) {
    std::vector<TargetKind> present;
    for (auto kind : object_kinds) {
        if (object.contains(target_object_key(kind)))
            present.push_back(kind);
    }
    return present;
}

Error wrong_kind_count(const std::vector<TargetKind>& present, std::string_view path) {
    if (present.empty())
        return key_error(path, "a target object needs one of `pod`, `deployment`, `rollout`, "
                               "`job`, `cron_job`, `stateful_set`, `service`, `replica_set` "
                               "or `labels`");
    return key_error(path, "a target object takes only one of `{}` and `{}`",
                     target_object_key(present[0]), target_object_key(present[1]));
}

Result<Target> parse_target_object(const json& object, std::string_view path) {
    auto present = kinds_present(object);
    if (present.size() != 1)
        return wrong_kind_count(present, path);
    for (const auto& [key, value] : object.items()) {
        if (key != "container" && key != target_object_key(present[0]))
            return key_error(path, "`{}` cannot be used in a `{}` target object", key,
                             target_object_key(present[0]));
    }
    Target target;
    target.kind = present[0];
    auto key_path = child_path(path, target_object_key(target.kind));
    const json& named = object.at(target_object_key(target.kind));
    if (target.kind == TargetKind::label) {
        MIRRORD_TRY_ASSIGN(target.labels, read_string_map(named, key_path));
    } else {
        MIRRORD_TRY_ASSIGN(target.name, read_string(named, key_path));
        if (target.name.empty())
            return key_error(key_path, "the target name is empty");
    }
    if (const json* container = member(object, "container")) {
        MIRRORD_TRY_ASSIGN(auto name, read_string(*container, child_path(path, "container")));
        target.container = std::move(name);
    }
    return target;
}

// A path value: null, a string in the target grammar, or a target object.
Result<std::optional<Target>> parse_path_value(const json& value, std::string_view path) {
    if (value.is_null())
        return std::optional<Target>{};
    if (value.is_string()) {
        auto target = parse_target_string(value.get<std::string>());
        if (!target)
            return std::move(target).error().wrap(path);
        return std::optional<Target>(std::move(*target));
    }
    if (!value.is_object())
        return key_error(path, "invalid type: expected a target string or object, found {}",
                         type_name(value));
    MIRRORD_TRY_ASSIGN(auto target, parse_target_object(value, path));
    return std::optional<Target>(std::move(target));
}

Result<TargetConfig> parse_advanced(const json& object, std::string_view path) {
    for (const auto& [key, value] : object.items()) {
        if (key != "path" && key != "namespace")
            return key_error(path, "`{}` cannot be combined with `path` or `namespace`; put the "
                                   "target object under `path`",
                             key);
    }
    TargetConfig config;
    if (object.contains("path")) {
        MIRRORD_TRY_ASSIGN(config.path, parse_path_value(object.at("path"),
                                                         child_path(path, "path")));
    }
    if (const json* ns = member(object, "namespace")) {
        MIRRORD_TRY_ASSIGN(auto name, read_string(*ns, child_path(path, "namespace")));
        config.namespace_ = std::move(name);
    }
    return config;
}

} // namespace

Result<TargetConfig> parse_target_section(const json& value, std::string_view path) {
    if (value.is_object() && (value.contains("path") || value.contains("namespace")))
        return parse_advanced(value, path);
    TargetConfig config;
    MIRRORD_TRY_ASSIGN(config.path, parse_path_value(value, path));
    return config;
}

} // namespace mirrord::config

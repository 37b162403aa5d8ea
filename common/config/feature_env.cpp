// `feature.env` and `feature.copy_target`: the toggleable feature sections.
#include "common/config/parse.hpp"
#include "common/config/values.hpp"

namespace mirrord::config {
namespace {

Status read_list_field(const json& object, std::string_view path, std::string_view key,
                       std::vector<std::string>& out) {
    if (const json* value = member(object, key)) {
        MIRRORD_TRY_ASSIGN(out, read_string_list(*value, child_path(path, key)));
    }
    return {};
}

Status read_map_field(const json& object, std::string_view path, std::string_view key,
                      std::map<std::string, std::string>& out) {
    if (const json* value = member(object, key)) {
        MIRRORD_TRY_ASSIGN(out, read_string_map(*value, child_path(path, key)));
    }
    return {};
}

} // namespace

Result<EnvConfig> parse_env(const json& value, std::string_view path) {
    EnvConfig env;
    if (value.is_boolean()) {
        // mirrord: `false` fetches nothing, i.e. excludes every remote variable.
        env.enabled = value.get<bool>();
        if (!env.enabled)
            env.exclude = {"*"};
        return env;
    }
    if (!value.is_object())
        return key_error(path, "invalid type: expected true, false or an object, found {}",
                         type_name(value));
    MIRRORD_TRY(read_list_field(value, path, "include", env.include));
    MIRRORD_TRY(read_list_field(value, path, "exclude", env.exclude));
    MIRRORD_TRY(read_list_field(value, path, "unset", env.unset));
    MIRRORD_TRY(read_map_field(value, path, "override", env.override_));
    MIRRORD_TRY(read_map_field(value, path, "mapping", env.mapping));
    if (const json* file = member(value, "env_file")) {
        MIRRORD_TRY_ASSIGN(auto name, read_string(*file, child_path(path, "env_file")));
        env.env_file = std::move(name);
    }
    if (const json* load = member(value, "load_from_process")) {
        MIRRORD_TRY_ASSIGN(env.load_from_process,
                           read_bool(*load, child_path(path, "load_from_process")));
    }
    return env;
}

Result<CopyTargetConfig> parse_copy_target(const json& value, std::string_view path) {
    CopyTargetConfig copy;
    if (value.is_boolean()) {
        copy.enabled = value.get<bool>();
        return copy;
    }
    if (!value.is_object())
        return key_error(path, "invalid type: expected true, false or an object, found {}",
                         type_name(value));
    // In the object form `enabled` defaults to true: {"scale_down": true} turns copying on.
    copy.enabled = true;
    if (const json* enabled = member(value, "enabled")) {
        MIRRORD_TRY_ASSIGN(copy.enabled, read_bool(*enabled, child_path(path, "enabled")));
    }
    if (const json* scale_down = member(value, "scale_down")) {
        MIRRORD_TRY_ASSIGN(copy.scale_down, read_bool(*scale_down, child_path(path, "scale_down")));
    }
    if (const json* list = member(value, "exclude_containers")) {
        MIRRORD_TRY_ASSIGN(copy.exclude_containers,
                           read_list(*list, child_path(path, "exclude_containers")));
    }
    if (const json* list = member(value, "exclude_init_containers")) {
        MIRRORD_TRY_ASSIGN(copy.exclude_init_containers,
                           read_list(*list, child_path(path, "exclude_init_containers")));
    }
    return copy;
}

} // namespace mirrord::config

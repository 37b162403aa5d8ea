#include "common/config/parse.hpp"

#include "common/config/target.hpp"
#include "common/config/values.hpp"

namespace mirrord::config {
namespace {

// Reads `key` of `object` into `out` with `read` when it is present and not null.
template <typename T, typename Reader>
Status read_optional(const json& object, std::string_view parent, std::string_view key,
                     Reader read, std::optional<T>& out) {
    if (const json* value = member(object, key)) {
        MIRRORD_TRY_ASSIGN(auto parsed, read(*value, child_path(parent, key)));
        out = std::move(parsed);
    }
    return {};
}

template <typename T, typename Reader>
Status read_into(const json& object, std::string_view parent, std::string_view key, Reader read,
                 T& out) {
    if (const json* value = member(object, key)) {
        MIRRORD_TRY_ASSIGN(auto parsed, read(*value, child_path(parent, key)));
        out = std::move(parsed);
    }
    return {};
}

// A section that must be an object when present ("agent", "feature").
Result<const json*> section(const json& root, std::string_view key) {
    const json* value = member(root, key);
    if (value && !value->is_object())
        return key_error(key, "invalid type: expected an object, found {}", type_name(*value));
    return value;
}

Status parse_agent(const json& agent, AgentConfig& out) {
    MIRRORD_TRY(read_optional(agent, "agent", "namespace", read_string, out.namespace_));
    MIRRORD_TRY(read_into(agent, "agent", "image", parse_agent_image, out.image));
    MIRRORD_TRY(read_into(agent, "agent", "ttl", read_u16, out.ttl));
    MIRRORD_TRY(read_into(agent, "agent", "startup_timeout", read_u16, out.startup_timeout));
    MIRRORD_TRY(read_into(agent, "agent", "log_level", read_string, out.log_level));
    return {};
}

Status parse_feature(const json& feature, Config& out) {
    MIRRORD_TRY(read_into(feature, "feature", "env", parse_env, out.env));
    MIRRORD_TRY(read_into(feature, "feature", "copy_target", parse_copy_target, out.copy_target));
    MIRRORD_TRY(
        read_into(feature, "feature", "split_queues", parse_split_queues, out.split_queues));
    MIRRORD_TRY(read_into(feature, "feature", "network", parse_network, out.network));
    return {};
}

Status parse_top_level(const json& root, Config& out) {
    MIRRORD_TRY(read_optional(root, "", "operator", read_bool, out.operator_));
    MIRRORD_TRY(read_optional(root, "", "kubeconfig", read_string, out.kubeconfig));
    MIRRORD_TRY(read_optional(root, "", "kube_context", read_string, out.kube_context));
    MIRRORD_TRY(read_optional(root, "", "key", read_string, out.key));
    MIRRORD_TRY(read_optional(root, "", "accept_invalid_certificates", read_bool,
                              out.accept_invalid_certificates));
    return {};
}

} // namespace

Result<std::string> parse_agent_image(const json& value, std::string_view path) {
    if (value.is_string())
        return value.get<std::string>();
    if (!value.is_object())
        return key_error(path, "invalid type: expected a string or {{registry, tag}}, found {}",
                         type_name(value));
    std::string image = default_agent_image;
    auto colon = image.rfind(':');
    std::string registry = image.substr(0, colon), tag = image.substr(colon + 1);
    MIRRORD_TRY(read_into(value, path, "registry", read_string, registry));
    MIRRORD_TRY(read_into(value, path, "tag", read_string, tag));
    return registry + ":" + tag;
}

Result<Config> parse_config(const json& root) {
    Config config;
    if (root.contains("target")) {
        MIRRORD_TRY_ASSIGN(config.target, parse_target_section(root.at("target"), "target"));
    }
    MIRRORD_TRY(parse_top_level(root, config));
    MIRRORD_TRY_ASSIGN(const json* agent, section(root, "agent"));
    if (agent)
        MIRRORD_TRY(parse_agent(*agent, config.agent));
    MIRRORD_TRY_ASSIGN(const json* feature, section(root, "feature"));
    if (feature)
        MIRRORD_TRY(parse_feature(*feature, config));
    return config;
}

} // namespace mirrord::config

#include "common/config/env_overrides.hpp"

#include <cstdlib>

#include "common/config/target.hpp"
#include "common/config/utf8.hpp"
#include "common/config/values.hpp"

namespace mirrord::config {
namespace {

// Every variable apply_env_overrides() reads.
constexpr const char* read_variables[] = {
    "MIRRORD_IMPERSONATED_TARGET", "MIRRORD_TARGET_NAMESPACE", "MIRRORD_AGENT_NAMESPACE",
    "MIRRORD_AGENT_RUST_LOG", "MIRRORD_AGENT_IMAGE", "MIRRORD_AGENT_TTL",
    "MIRRORD_AGENT_STARTUP_TIMEOUT", "MIRRORD_OVERRIDE_ENV_VARS_INCLUDE",
    "MIRRORD_OVERRIDE_ENV_VARS_EXCLUDE", "MIRRORD_OVERRIDE_ENV_VARS_FILE",
    "MIRRORD_ENV_LOAD_FROM_PROCESS", "MIRRORD_KUBECONFIG", "MIRRORD_KUBE_CONTEXT", "MIRRORD_KEY",
    "MIRRORD_ACCEPT_INVALID_CERTIFICATES", "MIRRORD_OPERATOR_ENABLE"};

Error invalid_value(std::string_view name, std::string_view value, std::string_view why) {
    return fail("invalid {} value `{}`: {}", name, value, why);
}

// Rust's bool::from_str, which mirrord uses: exactly "true" or "false".
Result<bool> parse_bool(std::string_view name, const std::string& value) {
    if (value == "true")
        return true;
    if (value == "false")
        return false;
    return invalid_value(name, value, "provided string was not `true` or `false`");
}

// Rust's u16::from_str, with its error texts.
Result<int> parse_u16(std::string_view name, const std::string& value) {
    if (value.empty())
        return invalid_value(name, value, "cannot parse integer from empty string");
    size_t start = value[0] == '+' ? 1 : 0;
    if (start == value.size() || value.find_first_not_of("0123456789", start) != std::string::npos)
        return invalid_value(name, value, "invalid digit found in string");
    auto digits = value.substr(start);
    if (digits.size() > 5 || std::stoul(digits) > 65535)
        return invalid_value(name, value, "number too large to fit in target type");
    return static_cast<int>(std::stoul(digits));
}

void set_string(const EnvSource& env, const char* name, std::optional<std::string>& out) {
    if (auto value = env.get(name))
        out = *value;
}

void set_string(const EnvSource& env, const char* name, std::string& out) {
    if (auto value = env.get(name))
        out = *value;
}

Status set_bool(const EnvSource& env, const char* name, std::optional<bool>& out) {
    if (auto value = env.get(name)) {
        MIRRORD_TRY_ASSIGN(out, parse_bool(name, *value));
    }
    return {};
}

Status apply_target(Config& config, const EnvSource& env) {
    if (auto value = env.get("MIRRORD_IMPERSONATED_TARGET")) {
        auto target = parse_target_string(*value);
        if (!target)
            return fail("invalid MIRRORD_IMPERSONATED_TARGET value `{}`: {}", *value,
                        target.error().message());
        config.target.path = std::move(*target);
    }
    set_string(env, "MIRRORD_TARGET_NAMESPACE", config.target.namespace_);
    return {};
}

Status apply_agent(AgentConfig& agent, const EnvSource& env) {
    set_string(env, "MIRRORD_AGENT_NAMESPACE", agent.namespace_);
    set_string(env, "MIRRORD_AGENT_RUST_LOG", agent.log_level);
    set_string(env, "MIRRORD_AGENT_IMAGE", agent.image);
    if (auto ttl = env.get("MIRRORD_AGENT_TTL")) {
        MIRRORD_TRY_ASSIGN(agent.ttl, parse_u16("MIRRORD_AGENT_TTL", *ttl));
    }
    if (auto timeout = env.get("MIRRORD_AGENT_STARTUP_TIMEOUT")) {
        MIRRORD_TRY_ASSIGN(agent.startup_timeout,
                           parse_u16("MIRRORD_AGENT_STARTUP_TIMEOUT", *timeout));
    }
    return {};
}

Status apply_env_feature(EnvConfig& feature, const EnvSource& env) {
    if (auto include = env.get("MIRRORD_OVERRIDE_ENV_VARS_INCLUDE"))
        feature.include = split_list(*include);
    if (auto exclude = env.get("MIRRORD_OVERRIDE_ENV_VARS_EXCLUDE"))
        feature.exclude = split_list(*exclude);
    set_string(env, "MIRRORD_OVERRIDE_ENV_VARS_FILE", feature.env_file);
    if (auto load = env.get("MIRRORD_ENV_LOAD_FROM_PROCESS")) {
        MIRRORD_TRY_ASSIGN(feature.load_from_process,
                           parse_bool("MIRRORD_ENV_LOAD_FROM_PROCESS", *load));
    }
    return {};
}

} // namespace

std::optional<std::string> EnvSource::get(const std::string& name) const {
    if (auto found = overrides_.find(name); found != overrides_.end())
        return found->second;
    if (const char* value = std::getenv(name.c_str()))
        return std::string(value);
    return std::nullopt;
}

Status apply_env_overrides(Config& config, const EnvSource& env) {
    // Rust's env::var refuses non-UTF-8 values; so do we, before any of them is used.
    for (const char* name : read_variables) {
        auto value = env.get(name);
        if (value && invalid_utf8_offset(*value))
            return fail("invalid {} value: it is not valid UTF-8", name);
    }
    MIRRORD_TRY(apply_target(config, env));
    MIRRORD_TRY(apply_agent(config.agent, env));
    MIRRORD_TRY(apply_env_feature(config.env, env));
    set_string(env, "MIRRORD_KUBECONFIG", config.kubeconfig);
    set_string(env, "MIRRORD_KUBE_CONTEXT", config.kube_context);
    set_string(env, "MIRRORD_KEY", config.key);
    MIRRORD_TRY(set_bool(env, "MIRRORD_ACCEPT_INVALID_CERTIFICATES",
                         config.accept_invalid_certificates));
    MIRRORD_TRY(set_bool(env, "MIRRORD_OPERATOR_ENABLE", config.operator_));
    return {};
}

} // namespace mirrord::config

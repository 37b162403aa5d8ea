#include "common/config/verify.hpp"

#include <re2/re2.h>

#include "common/config/target.hpp"
#include "common/config/values.hpp"

namespace mirrord::config {
namespace {

// mirrord's ConfigError::Conflict rendering.
Error conflict(std::string_view path, std::string_view text) {
    return key_error(path, "Conflicting configuration found `{}`", text);
}

bool is_targetless(const Config& config, const LoadOptions& options) {
    if (config.target.path)
        return config.target.path->kind == TargetKind::targetless;
    return options.empty_target_is_targetless && !options.ide;
}

TargetKind target_kind(const Config& config) {
    return config.target.path ? config.target.path->kind : TargetKind::targetless;
}

Status verify_copy_target(const Config& config, const LoadOptions& options) {
    constexpr std::string_view path = "feature.copy_target";
    if (config.operator_ == false)
        return conflict(path, "The copy target feature requires a mirrord operator, please "
                              "either disable this option or use the operator.");
    if (is_targetless(config, options))
        return conflict(path, "The copy target feature is not compatible with a targetless "
                              "agent, please either disable this option or specify a target.");
    if (target_kind(config) == TargetKind::service)
        return conflict(path, "The copy target feature is not yet supported with service "
                              "targets, please either disable this option or specify an exact "
                              "workload covered by this service.");
    if (target_kind(config) == TargetKind::label)
        return conflict(path, "The copy target feature is not compatible with label targets, "
                              "please either disable this option or specify a workload target.");
    // mirrord warns here about copy_target without steal mode (unanswered requests to the app-less
    // copy pod). This mirrord has no traffic stealing and strips the copy pod's selector labels,
    // so no Service sends it traffic: the warning would be noise that no setting can silence.
    return {};
}

Status verify_env(const EnvConfig& env) {
    if (!env.include.empty() && !env.exclude.empty())
        return conflict("feature.env", "cannot use both `include` and `exclude` filters for "
                                       "environment variables");
    for (const auto& [pattern, value] : env.mapping) {
        if (auto why = regex_error(pattern))
            return key_error(child_path("feature.env.mapping", pattern),
                             "Regex creation for pattern `{}: {}` in `config.feature.env.mapping` "
                             "failed with: `{}`",
                             pattern, value, *why);
    }
    return {};
}

bool is_known_queue_type(std::string_view type) {
    for (std::string_view known : {"SQS", "Kafka", "RMQ", "GCPPubSub", "RedisPubSub",
                                   "AzureServiceBus", "Temporal", "BullMQ"}) {
        if (type == known)
            return true;
    }
    return false;
}

Status verify_queue(const QueueSplit& split) {
    auto path = child_path("feature.split_queues", split.id);
    if (!is_known_queue_type(split.queue_type))
        return key_error(child_path(path, "queue_type"),
                         "Queue splitting config is invalid: {}: unknown queue type", split.id);
    if (split.queue_type != "Kafka")
        return key_error(child_path(path, "queue_type"),
                         "queue type `{}` is not supported by this mirrord; only Kafka topics "
                         "can be split",
                         split.queue_type);
    // Dropping a filter would deliver messages the user asked not to get, so refuse instead.
    if (split.jq_filter)
        return key_error(child_path(path, "jq_filter"),
                         "jq filters are not supported by this mirrord; use message_filter");
    if (split.has_payload_protobuf)
        return key_error(child_path(path, "payload_protobuf"),
                         "protobuf payload decoding is not supported by this mirrord");
    for (const auto& [header, pattern] : split.message_filter) {
        if (auto why = regex_error(pattern))
            return key_error(child_path(child_path(path, "message_filter"), header),
                             "invalid regex \"{}\": {}", pattern, *why);
    }
    return {};
}

Status verify_target(const Config& config) {
    if (!config.target.path)
        return {};
    const Target& target = *config.target.path;
    if (target.kind == TargetKind::label && target.labels.empty())
        return key_error("target", "a label target needs at least one label");
    if (target.kind == TargetKind::label && !config.split_queues.empty())
        return conflict("feature.split_queues",
                        "Queue splitting is not compatible with label targets, please specify a "
                        "workload target.");
    if (requires_operator(target.kind) && config.operator_ == false)
        return key_error("target", "Target type requires the mirrord-operator, but operator "
                                   "usage was explicitly disabled. Consider enabling "
                                   "mirrord-operator in your mirrord config.");
    return {};
}

// Settings that need a layer inside the process: said once, at load, and otherwise ignored.
void verify_network(const NetworkConfig& network, std::vector<std::string>& warnings) {
    if (network.dns.set && network.dns.enabled)
        warnings.push_back(
            "`feature.network.dns`: names are resolved on this machine (remote DNS needs a layer "
            "in the process, which this mirrord does not inject); in-cluster addresses in the "
            "target's environment are tunnelled instead");
    if (network.outgoing.unix_streams_set)
        warnings.push_back("`feature.network.outgoing.unix_streams` is not supported by this "
                           "mirrord and is ignored");
}

} // namespace

void apply_implied_settings(Config& config) {
    auto kind = target_kind(config);
    if (kind == TargetKind::job || kind == TargetKind::cronjob)
        config.copy_target.enabled = true;
}

std::optional<std::string> regex_error(const std::string& pattern) {
    RE2::Options options;
    options.set_log_errors(false); // RE2 would print to stderr itself
    RE2 regex(pattern, options);
    if (regex.ok())
        return std::nullopt;
    // RE2's text is "<problem>: <offending part>"; the caller already quotes the pattern.
    std::string text = regex.error();
    std::string suffix = ": " + regex.error_arg();
    if (text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(),
                                                    suffix) == 0 &&
        regex.error_arg() == pattern)
        text.erase(text.size() - suffix.size());
    // mirrord compiles with fancy_regex; say why a pattern that works there fails here.
    if (regex.error_code() == RE2::ErrorBadPerlOp || regex.error_code() == RE2::ErrorBadEscape)
        text += " (this mirrord uses RE2 syntax: no lookaround or backreferences)";
    return text;
}

Status verify(const Config& config, const LoadOptions& options,
              std::vector<std::string>& warnings) {
    if (is_targetless(config, options) && config.agent.namespace_)
        warnings.push_back("Agent namespace is ignored in targetless runs. To specify a "
                           "namespace for a targetless run, use target namespace.");
    if (config.copy_target.enabled)
        MIRRORD_TRY(verify_copy_target(config, options));
    MIRRORD_TRY(verify_target(config));
    MIRRORD_TRY(verify_env(config.env));
    for (const auto& split : config.split_queues)
        MIRRORD_TRY(verify_queue(split));
    verify_network(config.network, warnings);
    return {};
}

std::vector<TargetKind> compatible_target_types(const Config& config) {
    std::vector<TargetKind> kinds;
    bool copy = config.copy_target.enabled, scale_down = copy && config.copy_target.scale_down;
    for (auto kind : listable_target_kinds()) {
        bool dropped_by_copy = kind == TargetKind::targetless || kind == TargetKind::rollout ||
                               kind == TargetKind::service;
        if ((copy && dropped_by_copy) || (scale_down && kind == TargetKind::pod))
            continue;
        kinds.push_back(kind);
    }
    return kinds;
}

} // namespace mirrord::config

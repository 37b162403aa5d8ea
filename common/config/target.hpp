#pragma once
// mirrord's target grammar: the string form ("deployment/x/container/c", "label/a=b",
// "targetless") and the object forms ({"deployment": "x", "container": "c"}, {"labels": {...}}),
// plain or inside {"path": ..., "namespace": ...}.

#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/config/config.hpp"

namespace mirrord::config {

// Parses the string form. Errors are mirrord's InvalidTarget texts (without a key path).
Result<Target> parse_target_string(std::string_view text);

// Parses the `target` section (null, a string, a target object, or {path, namespace}).
// Errors name `path` ("target", "target.path").
Result<TargetConfig> parse_target_section(const nlohmann::json& value, std::string_view path);

// The lowercase type name used in the display form and compatible_target_types.
std::string_view target_kind_name(TargetKind kind);

// The key of the object form: "deployment", "cron_job", "stateful_set", "labels", ...
std::string_view target_object_key(TargetKind kind);

// True for target kinds mirrord only supports through its operator.
bool requires_operator(TargetKind kind);

// The nine kinds verify-config may list (label is never listed), in mirrord's order.
std::span<const TargetKind> listable_target_kinds();

} // namespace mirrord::config

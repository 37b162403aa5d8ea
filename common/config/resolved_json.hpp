#pragma once
// mirrord's JSON shapes for a resolved config (verify-config output).

#include <nlohmann/json.hpp>

#include "common/config/config.hpp"

namespace mirrord::config {

// mirrord's VerifiedTarget: "targetless", {"deployment": "x", "container": null}, or
// {"labels": {...}} with "container" only when set. Ordered as mirrord prints it (kind first).
nlohmann::ordered_json target_to_json(const Target& target);

} // namespace mirrord::config

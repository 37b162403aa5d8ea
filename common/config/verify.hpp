#pragma once
// Semantic verification of a resolved config (mirrord's LayerConfig::verify, the parts that
// apply to this mirrord) and the target kinds a config is compatible with.

#include <optional>
#include <string>
#include <vector>

#include "common/config/config.hpp"

namespace mirrord::config {

// Settings implied by others, applied before verification: job and cronjob targets turn on
// copy_target (mirrord 3.237.0).
void apply_implied_settings(Config& config);

// Checks the combinations mirrord rejects and those this mirrord cannot run. Errors start with
// the key path; warnings are appended to `warnings`.
Status verify(const Config& config, const LoadOptions& options,
              std::vector<std::string>& warnings);

// RE2's complaint about `pattern` ("missing )"), or nullopt when it compiles.
std::optional<std::string> regex_error(const std::string& pattern);

// verify-config's compatible_target_types: copy_target drops targetless, rollout and service;
// scale_down drops pod too. Label targets are never listed.
std::vector<TargetKind> compatible_target_types(const Config& config);

} // namespace mirrord::config

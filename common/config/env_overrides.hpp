#pragma once
// mirrord's MIRRORD_* environment overrides (spec 1.3): the env var beats the file, and a CLI
// flag (an entry in LoadOptions::overrides) beats the process env.

#include <map>
#include <optional>
#include <string>

#include "common/config/config.hpp"

namespace mirrord::config {

// Looks names up in the CLI overrides first, then in the process environment.
class EnvSource {
public:
    explicit EnvSource(const std::map<std::string, std::string>& overrides)
        : overrides_(overrides) {}

    // The value of `name`, or nullopt when neither the overrides nor the process env set it.
    std::optional<std::string> get(const std::string& name) const;

private:
    const std::map<std::string, std::string>& overrides_;
};

// Applies every supported MIRRORD_* variable to `config`. Errors name the variable:
// "invalid MIRRORD_AGENT_TTL value `x`: invalid digit found in string".
Status apply_env_overrides(Config& config, const EnvSource& env);

} // namespace mirrord::config

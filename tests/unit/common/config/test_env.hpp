#pragma once
// Test helpers for the config tests: environment variables set or cleared for one scope and
// restored afterwards, so tests neither see nor leak MIRRORD_* settings.

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mirrord::testing {

// Every variable the config loader reads; cleared by default so a developer's shell does not
// change test results.
inline const std::vector<std::string> config_env_vars = {
    "MIRRORD_IMPERSONATED_TARGET", "MIRRORD_TARGET_NAMESPACE", "MIRRORD_AGENT_NAMESPACE",
    "MIRRORD_AGENT_RUST_LOG", "MIRRORD_AGENT_IMAGE", "MIRRORD_AGENT_TTL",
    "MIRRORD_AGENT_STARTUP_TIMEOUT", "MIRRORD_OVERRIDE_ENV_VARS_INCLUDE",
    "MIRRORD_OVERRIDE_ENV_VARS_EXCLUDE", "MIRRORD_OVERRIDE_ENV_VARS_FILE",
    "MIRRORD_ENV_LOAD_FROM_PROCESS", "MIRRORD_KUBECONFIG", "MIRRORD_KUBE_CONTEXT",
    "MIRRORD_ACCEPT_INVALID_CERTIFICATES", "MIRRORD_OPERATOR_ENABLE", "MIRRORD_KEY",
    "MIRRORD_CONFIG_FILE", "MIRRORD_BRANCH_NAME"};

// Sets (or, with nullopt, unsets) variables; the destructor restores the previous values.
class ScopedEnv {
public:
    ScopedEnv() {
        for (const auto& name : config_env_vars)
            set(name, std::nullopt);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;
    ~ScopedEnv() {
        for (const auto& [name, value] : saved_) {
            if (value)
                ::setenv(name.c_str(), value->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }

    void set(const std::string& name, std::optional<std::string> value) {
        if (!saved_.count(name)) {
            const char* old = std::getenv(name.c_str());
            saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
        }
        if (value)
            ::setenv(name.c_str(), value->c_str(), 1);
        else
            ::unsetenv(name.c_str());
    }

private:
    std::map<std::string, std::optional<std::string>> saved_;
};

} // namespace mirrord::testing

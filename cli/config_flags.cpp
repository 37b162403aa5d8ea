#include "cli/config_flags.hpp"

namespace mirrord::cli {

void ConfigFlags::add_to(CLI::App& app) {
    app.add_option(config_file_option, config_file,
                   "mirrord config file (.json, .yaml/.yml, .toml; `-` reads JSON from stdin). "
                   "Also MIRRORD_CONFIG_FILE");
    app.add_option("-t,--target", target,
                   "Target: deployment/NAME[/container/C], pod/NAME[/container/C], "
                   "statefulset/NAME, replicaset/NAME, job/NAME, cronjob/NAME, rollout/NAME");
    app.add_option("-n,--target-namespace", target_namespace,
                   "Namespace of the target (default: the config's, else the kube context's)");
    app.add_option("-a,--agent-namespace", agent_namespace, "Namespace for mirrord's own pods");
    app.add_option("-i,--agent-image", agent_image,
                   "Image the copy pod's target container runs (copy_target)");
    app.add_option("--agent-startup-timeout", agent_startup_timeout,
                   "Seconds to wait for the copy pod to run (default 60)");
    app.add_option("-x,--override-env-vars-exclude", env_exclude,
                   "Remote env vars NOT to import, `;`-separated, wildcards * and ?");
    app.add_option("-s,--override-env-vars-include", env_include,
                   "Only these remote env vars are imported, `;`-separated, wildcards * and ?");
    app.add_option("--env-file", env_file, "A dotenv file whose values override remote ones");
    // A flag, so `-c cmd` never takes `cmd` as its value; `--accept-invalid-certificates=false`
    // still works (mirrord's require_equals form).
    accept_invalid_certificates_flag = app.add_flag(
        "-c,--accept-invalid-certificates", accept_invalid_certificates,
        "Do not verify the API server's TLS certificate (also --accept-invalid-certificates=false)");
    app.add_option("--context", context, "kube context to use (default: current-context)");
    app.add_option("-k,--key", key, "Session key (default: from the config, else random)");
}

config::LoadOptions ConfigFlags::load_options() const {
    config::LoadOptions options;
    options.path = config_file;
    auto put = [&](const char* name, const std::optional<std::string>& value) {
        if (value)
            options.overrides[name] = *value;
    };
    put("MIRRORD_IMPERSONATED_TARGET", target);
    put("MIRRORD_TARGET_NAMESPACE", target_namespace);
    put("MIRRORD_AGENT_NAMESPACE", agent_namespace);
    put("MIRRORD_AGENT_IMAGE", agent_image);
    put("MIRRORD_AGENT_STARTUP_TIMEOUT", agent_startup_timeout);
    put("MIRRORD_OVERRIDE_ENV_VARS_EXCLUDE", env_exclude);
    put("MIRRORD_OVERRIDE_ENV_VARS_INCLUDE", env_include);
    put("MIRRORD_OVERRIDE_ENV_VARS_FILE", env_file);
    if (accept_invalid_certificates_flag != nullptr && accept_invalid_certificates_flag->count() > 0)
        options.overrides["MIRRORD_ACCEPT_INVALID_CERTIFICATES"] =
            accept_invalid_certificates ? "true" : "false";
    put("MIRRORD_KUBE_CONTEXT", context);
    put("MIRRORD_KEY", key);
    return options;
}

} // namespace mirrord::cli

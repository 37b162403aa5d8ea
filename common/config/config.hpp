#pragma once
// The mirrord config model (mirrord-compatible `.mirrord/*.json|yaml|toml`) and its loader.
// load() runs the whole pipeline: read -> template -> parse -> MIRRORD_* env -> overrides ->
// verify. Keys mirrord knows but this mirrord does not implement become warnings; keys mirrord
// does not know are errors naming the file and key path.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"

namespace mirrord::config {

// What a session runs against. `label` selects pods by labels; `targetless` needs no workload.
enum class TargetKind {
    targetless,
    pod,
    deployment,
    rollout,
    job,
    cronjob,
    statefulset,
    service,
    replicaset,
    label
};

// A resolved target: kind, workload name (empty for targetless and label), optional container,
// and the selector labels of a label target.
struct Target {
    TargetKind kind = TargetKind::targetless;
    std::string name;
    std::optional<std::string> container;
    std::map<std::string, std::string> labels;

    // mirrord's display form: "deployment/x/container/c", "label/a=b,c=d", "targetless".
    std::string display() const;
};

// `target`: no path means "not chosen" (targetless for exec, a prompt for IDEs).
struct TargetConfig {
    std::optional<Target> path;
    std::optional<std::string> namespace_;
};

// mirrord's agent image for the copy pod's idle container; mirrord pins it to its own version.
inline constexpr const char* default_agent_image = "ghcr.io/metalbear-co/mirrord:3.250.0";

// `agent`: where and how the helper pod runs.
struct AgentConfig {
    std::optional<std::string> namespace_;
    std::string image = default_agent_image;
    int ttl = 1;
    int startup_timeout = 60;
    std::string log_level = "info";
};

// `feature.env`: which remote variables the local process gets and how they are rewritten.
// `false` in the file gives enabled=false and exclude={"*"}.
struct EnvConfig {
    bool enabled = true;
    std::vector<std::string> include, exclude, unset;
    std::map<std::string, std::string> override_, mapping;
    std::optional<std::string> env_file;
    bool load_from_process = false;
};

// `feature.copy_target`: run against a copy pod, optionally with the original scaled to zero.
struct CopyTargetConfig {
    bool enabled = false;
    bool scale_down = false;
    std::vector<std::string> exclude_containers, exclude_init_containers;
};

// `queue_mode`: steal takes matching messages away from the workload, mirror copies them.
enum class QueueMode { steal, mirror };

// One `feature.split_queues` entry. `mode` is what the file says; DESIGN.md section 5 makes
// mirror our default when the file says nothing.
struct QueueSplit {
    std::string id;
    std::string queue_type;
    std::map<std::string, std::string> message_filter;
    QueueMode mode = QueueMode::mirror;
    std::optional<std::string> jq_filter;
    bool has_payload_protobuf = false; // parsed so it can be rejected, never used
};

// One `feature.network.outgoing.filter` entry, `[protocol://][name|address|subnet/mask][:port]`
// as mirrord writes them: "tcp://db.default.svc:5432", ":9092", "10.0.0.0/8", "cache".
struct AddressFilter {
    std::optional<std::string> protocol; // "tcp" or "udp"; none: both
    std::string host;                    // a name, an address, or an address/mask; empty: any
    std::optional<int> port;             // none: any
    std::string text;                    // as written, for messages
};

// `feature.network.outgoing`. Without an LD_PRELOAD layer, "outgoing" means the in-cluster
// addresses named in the target's env, which exec tunnels through the Kubernetes API
// (DESIGN.md section 8). `filter.local` keeps matching addresses on the laptop; `filter.remote`
// tunnels only the matching ones.
struct OutgoingConfig {
    bool tcp = true;
    bool udp = true; // parsed for compatibility; the tunnels carry TCP only
    bool ignore_localhost = false;
    enum class FilterSide { none, local, remote };
    FilterSide filter_side = FilterSide::none;
    std::vector<AddressFilter> filter;
    bool unix_streams_set = false; // a layer-only feature: warned about, not used
};

// `feature.network.dns`: remote DNS needs a layer in the process, which this mirrord does not
// have; parsed so that it is validated and reported once, never used.
struct DnsConfig {
    bool enabled = true;
    bool set = false; // the file says something about it
};

struct NetworkConfig {
    OutgoingConfig outgoing;
    DnsConfig dns;
};

// The whole resolved config. `key` is always set after load(): MIRRORD_KEY, the file's `key`,
// or a generated one (then key_generated is true).
struct Config {
    TargetConfig target;
    std::optional<bool> operator_;
    std::optional<std::string> kubeconfig, kube_context, key;
    bool key_generated = false;
    std::optional<bool> accept_invalid_certificates;
    AgentConfig agent;
    EnvConfig env;
    CopyTargetConfig copy_target;
    std::vector<QueueSplit> split_queues;
    NetworkConfig network;
};

// How to load. `overrides` hold env-var-named values (MIRRORD_IMPERSONATED_TARGET, ...) that CLI
// flags set; they beat the process env.
struct LoadOptions {
    std::optional<std::string> path; // "-" = JSON from stdin; none = MIRRORD_CONFIG_FILE, else none
    std::map<std::string, std::string> overrides;
    bool ide = false;                        // verify-config --ide: a target will be chosen later
    bool empty_target_is_targetless = false; // verify-config without --ide
};

// A loaded, verified config with its warnings, the file it came from and the rendered tree.
struct Loaded {
    Config config;
    std::vector<std::string> warnings;
    std::optional<std::string> path;
    nlohmann::json raw;
};

// Loads and verifies the config; never throws. Errors read "<file>: <key path>: <problem>".
Result<Loaded> load(const LoadOptions& options);

// Like load(), but from `text` already in memory; `path` names it and picks the format by its
// extension. Used by load(), tests and the fuzzer.
Result<Loaded> load_text(std::string_view text, const std::string& path,
                         const LoadOptions& options);

// The resolved config as mirrord prints it (verify-config --resolved), key as a plain string.
nlohmann::json to_resolved_json(const Config& config);

} // namespace mirrord::config

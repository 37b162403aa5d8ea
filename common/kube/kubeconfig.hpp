#pragma once
// kubeconfig files: parsing one file and merging several the way kubectl merges $KUBECONFIG.
// Paths inside a file are made absolute against that file's folder at parse time, so merged
// entries keep pointing at the right files.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/core/result.hpp"

namespace mirrord::kube {

// users[].user.exec: a client.authentication.k8s.io credential plugin.
struct ExecConfig {
    std::string api_version; // client.authentication.k8s.io/v1 or v1beta1
    std::string command;
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env;
    std::string interactive_mode; // Never, IfAvailable (default), Always
    bool provide_cluster_info = false;
    std::string install_hint;
};

// clusters[].cluster. `*_data` fields hold decoded PEM text.
struct ClusterEntry {
    std::string server;
    std::string certificate_authority; // absolute path, or empty
    std::string certificate_authority_data;
    bool insecure_skip_tls_verify = false;
    std::string tls_server_name;
    std::string proxy_url;
};

// users[].user. Secrets here are registered with log::add_secret as they are parsed.
struct UserEntry {
    std::string token;
    std::string token_file; // absolute path, or empty
    std::string client_certificate;
    std::string client_certificate_data;
    std::string client_key;
    std::string client_key_data;
    std::string username;
    std::string password;
    std::optional<ExecConfig> exec;
    std::string auth_provider; // name of a legacy auth-provider entry; only used for the error
};

// contexts[].context.
struct ContextEntry {
    std::string cluster;
    std::string user;
    std::string namespace_;
};

// A parsed (possibly merged) kubeconfig.
struct Kubeconfig {
    std::map<std::string, ClusterEntry> clusters;
    std::map<std::string, UserEntry> users;
    std::map<std::string, ContextEntry> contexts;
    std::string current_context;
    std::vector<std::string> files; // where it came from, for error messages
};

// Parses kubeconfig YAML text; `path` names the file in errors and anchors relative paths.
Result<Kubeconfig> parse_kubeconfig(const std::string& text, const std::string& path);

// Merges in order: the first config to define a cluster/user/context name wins, and
// current-context comes from the first config that sets it (kubectl's rules).
Kubeconfig merge_kubeconfigs(std::vector<Kubeconfig> configs);

// Reads, parses and merges `paths`. Missing files are skipped as kubectl does for $KUBECONFIG,
// unless none exists at all.
Result<Kubeconfig> load_kubeconfig_files(const std::vector<std::string>& paths);

// Resolves `path` against `base_dir` unless it is empty or absolute; expands a leading "~/".
std::string resolve_path(const std::string& path, const std::string& base_dir);

} // namespace mirrord::kube

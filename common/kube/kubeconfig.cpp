#include "common/kube/kubeconfig.hpp"

#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "common/core/files.hpp"
#include "common/core/log.hpp"
#include "common/kube/base64.hpp"

namespace mirrord::kube {
namespace {

std::string text_at(const YAML::Node& node, const char* key) {
    const YAML::Node value = node[key];
    return value && value.IsScalar() ? value.as<std::string>() : std::string();
}

bool flag_at(const YAML::Node& node, const char* key) {
    const std::string value = text_at(node, key);
    return value == "true" || value == "True" || value == "TRUE";
}

// `*-data` fields are base64 in the file; we keep the decoded PEM.
Result<std::string> data_at(const YAML::Node& node, const char* key, const std::string& where) {
    const std::string encoded = text_at(node, key);
    if (encoded.empty())
        return std::string();
    auto decoded = base64_decode(encoded);
    if (!decoded)
        return fail("{}.{}: not valid base64", where, key);
    return *decoded;
}

Result<ClusterEntry> parse_cluster(const YAML::Node& node, const std::string& dir,
                                   const std::string& where) {
    ClusterEntry cluster;
    cluster.server = text_at(node, "server");
    cluster.certificate_authority = resolve_path(text_at(node, "certificate-authority"), dir);
    MIRRORD_TRY_ASSIGN(cluster.certificate_authority_data,
                       data_at(node, "certificate-authority-data", where));
    cluster.insecure_skip_tls_verify = flag_at(node, "insecure-skip-tls-verify");
    cluster.tls_server_name = text_at(node, "tls-server-name");
    cluster.proxy_url = text_at(node, "proxy-url");
    return cluster;
}

ExecConfig parse_exec(const YAML::Node& node, const std::string& dir) {
    ExecConfig exec;
    exec.api_version = text_at(node, "apiVersion");
    exec.command = text_at(node, "command");
    // kubectl: a command with a slash is relative to the kubeconfig; a bare name uses PATH.
    if (exec.command.find('/') != std::string::npos)
        exec.command = resolve_path(exec.command, dir);
    for (const auto& arg : node["args"])
        exec.args.push_back(arg.as<std::string>());
    for (const auto& entry : node["env"])
        exec.env.emplace_back(text_at(entry, "name"), text_at(entry, "value"));
    exec.interactive_mode = text_at(node, "interactiveMode");
    exec.provide_cluster_info = flag_at(node, "provideClusterInfo");
    exec.install_hint = text_at(node, "installHint");
    return exec;
}

Result<UserEntry> parse_user(const YAML::Node& node, const std::string& dir,
                             const std::string& where) {
    UserEntry user;
    user.token = text_at(node, "token");
    user.token_file = resolve_path(text_at(node, "tokenFile"), dir);
    user.client_certificate = resolve_path(text_at(node, "client-certificate"), dir);
    MIRRORD_TRY_ASSIGN(user.client_certificate_data,
                       data_at(node, "client-certificate-data", where));
    user.client_key = resolve_path(text_at(node, "client-key"), dir);
    MIRRORD_TRY_ASSIGN(user.client_key_data, data_at(node, "client-key-data", where));
    user.username = text_at(node, "username");
    user.password = text_at(node, "password");
    if (node["exec"] && node["exec"].IsMap())
        user.exec = parse_exec(node["exec"], dir);
    if (node["auth-provider"])
        user.auth_provider = text_at(node["auth-provider"], "name");
    log::add_secret(user.token);
    log::add_secret(user.password);
    log::add_secret(user.client_key_data);
    return user;
}

// Applies `parse` to each `{name, <field>}` item of the list at `key`.
template <typename Entry, typename Parse>
Status parse_named(const YAML::Node& root, const char* key, const char* field,
                   std::map<std::string, Entry>& out, Parse parse) {
    for (const auto& item : root[key]) {
        const std::string name = text_at(item, "name");
        const std::string where = fmt::format("{}[{}]", key, name);
        if (name.empty())
            return fail("{}: an entry has no name", key);
        MIRRORD_TRY_ASSIGN(Entry entry, parse(item[field], where));
        out.emplace(name, std::move(entry)); // within one file kubectl also keeps the first
    }
    return {};
}

Result<Kubeconfig> parse_document(const YAML::Node& root, const std::string& dir) {
    Kubeconfig config;
    if (!root || root.IsNull())
        return config;
    if (!root.IsMap())
        return fail("not a kubeconfig (expected a mapping at the top level)");
    config.current_context = text_at(root, "current-context");
    MIRRORD_TRY(parse_named(root, "clusters", "cluster", config.clusters,
                            [&](const YAML::Node& n, const std::string& w) {
                                return parse_cluster(n, dir, w);
                            }));
    MIRRORD_TRY(parse_named(root, "users", "user", config.users,
                            [&](const YAML::Node& n, const std::string& w) {
                                return parse_user(n, dir, w);
                            }));
    MIRRORD_TRY(parse_named(root, "contexts", "context", config.contexts,
                            [](const YAML::Node& n, const std::string&) -> Result<ContextEntry> {
                                return ContextEntry{text_at(n, "cluster"), text_at(n, "user"),
                                                    text_at(n, "namespace")};
                            }));
    return config;
}

} // namespace

std::string resolve_path(const std::string& path, const std::string& base_dir) {
    if (path.empty())
        return path;
    if (path.starts_with("~/"))
        return home_dir() + path.substr(1);
    if (path.front() == '/' || base_dir.empty())
        return path;
    return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

Result<Kubeconfig> parse_kubeconfig(const std::string& text, const std::string& path) {
    const std::string dir = std::filesystem::path(path).parent_path().string();
    try {
        auto parsed = parse_document(YAML::Load(text), dir);
        if (!parsed)
            return std::move(parsed).error().wrap(path);
        parsed->files.push_back(path);
        return parsed;
    } catch (const YAML::Exception& e) {
        return fail("{}: invalid YAML: {}", path, e.what());
    }
}

Kubeconfig merge_kubeconfigs(std::vector<Kubeconfig> configs) {
    Kubeconfig merged;
    for (auto& config : configs) {
        if (merged.current_context.empty())
            merged.current_context = config.current_context;
        merged.clusters.merge(config.clusters); // map::merge keeps existing keys: first wins
        merged.users.merge(config.users);
        merged.contexts.merge(config.contexts);
        merged.files.insert(merged.files.end(), config.files.begin(), config.files.end());
    }
    return merged;
}

Result<Kubeconfig> load_kubeconfig_files(const std::vector<std::string>& paths) {
    std::vector<Kubeconfig> configs;
    for (const auto& path : paths) {
        if (path.empty() || !std::filesystem::exists(path))
            continue;
        MIRRORD_TRY_ASSIGN(auto text, read_file(path));
        MIRRORD_TRY_ASSIGN(auto config, parse_kubeconfig(text, path));
        configs.push_back(std::move(config));
    }
    if (configs.empty())
        return fail("no kubeconfig file found (looked at {})", fmt::join(paths, ", "));
    return merge_kubeconfigs(std::move(configs));
}

} // namespace mirrord::kube

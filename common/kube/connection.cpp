#include "common/kube/connection.hpp"

#include <cstdlib>
#include <filesystem>

#include "common/core/files.hpp"
#include "common/core/log.hpp"
#include "common/core/strings.hpp"

namespace mirrord::kube {
namespace {

std::string env_or_empty(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

// The kubeconfig files to merge, or empty when the in-cluster config should be used.
std::vector<std::string> kubeconfig_paths(const KubeOptions& options) {
    if (options.kubeconfig && !options.kubeconfig->empty())
        return {resolve_path(*options.kubeconfig, "")};
    if (auto list = env_or_empty("KUBECONFIG"); !list.empty()) {
        std::vector<std::string> paths;
        for (auto& piece : split(list, ':'))
            if (!piece.empty())
                paths.push_back(resolve_path(piece, ""));
        return paths;
    }
    const std::string home = home_dir();
    if (!home.empty() && std::filesystem::exists(home + "/.kube/config"))
        return {home + "/.kube/config"};
    return {};
}

// Fills a `*_data` field from its file form, so the transport only sees PEM blobs.
Status read_into(const std::string& path, std::string& data, const char* what) {
    if (!data.empty() || path.empty())
        return {};
    auto text = read_file(path);
    if (!text)
        return std::move(text).error().wrap(what);
    data = std::move(*text);
    return {};
}

} // namespace

Result<Connection> connection_from_kubeconfig(const Kubeconfig& config,
                                              const KubeOptions& options) {
    const std::string source = fmt::format("{}", fmt::join(config.files, ":"));
    const std::string name = options.context.value_or(config.current_context);
    if (name.empty())
        return fail("{}: no current-context set and no context given (--context)", source);
    auto context = config.contexts.find(name);
    if (context == config.contexts.end())
        return fail("{}: context \"{}\" not found", source, name);
    auto cluster = config.clusters.find(context->second.cluster);
    if (cluster == config.clusters.end())
        return fail("{}: context \"{}\" names cluster \"{}\", which is not defined", source, name,
                    context->second.cluster);
    Connection connection;
    connection.source = source;
    connection.context = name;
    connection.server = cluster->second.server;
    while (connection.server.ends_with('/'))
        connection.server.pop_back();
    if (connection.server.empty())
        return fail("{}: cluster \"{}\" has no server", source, context->second.cluster);
    connection.ca_pem = cluster->second.certificate_authority_data;
    MIRRORD_TRY(read_into(cluster->second.certificate_authority, connection.ca_pem,
                          "reading certificate-authority"));
    connection.insecure =
        cluster->second.insecure_skip_tls_verify || options.accept_invalid_certificates;
    connection.tls_server_name = cluster->second.tls_server_name;
    connection.proxy_url = cluster->second.proxy_url;
    if (!context->second.user.empty()) {
        auto user = config.users.find(context->second.user);
        if (user == config.users.end())
            return fail("{}: context \"{}\" names user \"{}\", which is not defined", source,
                        name, context->second.user);
        connection.user = user->second;
    }
    auto& user = connection.user;
    if (!user.auth_provider.empty())
        return fail("{}: user \"{}\" uses the legacy auth-provider \"{}\", which mirrord does not "
                    "support; use an exec credential plugin instead (for example "
                    "gke-gcloud-auth-plugin or kubelogin)",
                    source, context->second.user, user.auth_provider);
    MIRRORD_TRY(read_into(user.client_certificate, user.client_certificate_data,
                          "reading client-certificate"));
    MIRRORD_TRY(read_into(user.client_key, user.client_key_data, "reading client-key"));
    log::add_secret(user.client_key_data);
    connection.namespace_ = options.namespace_.value_or(
        context->second.namespace_.empty() ? "default" : context->second.namespace_);
    return connection;
}

Result<Connection> in_cluster_connection(const KubeOptions& options) {
    const std::string host = env_or_empty("KUBERNETES_SERVICE_HOST");
    const std::string port = env_or_empty("KUBERNETES_SERVICE_PORT");
    if (host.empty() || port.empty())
        return fail("no kubeconfig found (set KUBECONFIG, the `kubeconfig` config key, or create "
                    "~/.kube/config) and not running in a cluster");
    Connection connection;
    connection.source = "in-cluster";
    connection.context = "in-cluster";
    // IPv6 service hosts need brackets in a URL.
    const bool ipv6 = host.find(':') != std::string::npos;
    connection.server = fmt::format("https://{}{}{}:{}", ipv6 ? "[" : "", host, ipv6 ? "]" : "",
                                    port);
    const std::string dir = options.service_account_dir;
    MIRRORD_TRY_ASSIGN(connection.ca_pem, read_file(dir + "/ca.crt"));
    connection.insecure = options.accept_invalid_certificates;
    // The token file rotates (bound service-account tokens); the credential source re-reads it.
    connection.user.token_file = dir + "/token";
    std::string ns;
    if (auto text = read_file(dir + "/namespace"))
        ns = std::string(trim(*text));
    connection.namespace_ = options.namespace_.value_or(ns.empty() ? "default" : ns);
    return connection;
}

Result<Connection> resolve_connection(const KubeOptions& options) {
    const auto paths = kubeconfig_paths(options);
    if (paths.empty())
        return in_cluster_connection(options);
    MIRRORD_TRY_ASSIGN(auto config, load_kubeconfig_files(paths));
    return connection_from_kubeconfig(config, options);
}

} // namespace mirrord::kube

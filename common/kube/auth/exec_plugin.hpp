#pragma once
// client.authentication.k8s.io exec credential plugins (v1 and v1beta1): run the command, parse
// the ExecCredential it prints, cache it until expirationTimestamp, run it again after a 401.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/core/result.hpp"
#include "common/kube/auth/credentials.hpp"
#include "common/kube/kubeconfig.hpp"

namespace mirrord::kube {

// What a plugin returned: a token, or a client certificate and key, with an optional expiry.
struct ExecCredential {
    std::string token;
    std::string client_cert_pem;
    std::string client_key_pem;
    std::optional<std::chrono::system_clock::time_point> expires;
};

// Parses a plugin's stdout; `api_version` is the one the kubeconfig asked for and must match.
Result<ExecCredential> parse_exec_credential(const std::string& text,
                                             const std::string& api_version);

// Parses an RFC 3339 timestamp ("2024-05-01T10:00:00Z", fractions and offsets allowed).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text);

// The output of a finished plugin process.
struct PluginOutput {
    int exit_status = 0;
    std::string out;
};

// Runs `exec` with KUBERNETES_EXEC_INFO set to `exec_info`; stdin is the terminal only when
// `interactive`; stderr passes through (plugins prompt there). Bounded by `timeout`.
Result<PluginOutput> run_plugin_process(const ExecConfig& exec, const std::string& exec_info,
                                        bool interactive, std::chrono::seconds timeout);

// A CredentialSource backed by a plugin; static fields of `base` (e.g. a client certificate)
// are used when the plugin returns only a token.
std::unique_ptr<CredentialSource> make_exec_source(const ExecConfig& exec,
                                                   const std::string& server,
                                                   const std::string& ca_pem, Credential base);

} // namespace mirrord::kube

#include "common/kube/auth/exec_plugin.hpp"

#include <ctime>
#include <mutex>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/core/log.hpp"
#include "common/kube/base64.hpp"

namespace mirrord::kube {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::system_clock;

constexpr auto plugin_timeout = std::chrono::seconds(120);
// Refresh a little before expiry so a request does not race the deadline.
constexpr auto expiry_margin = std::chrono::seconds(10);

std::string field(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// interactiveMode: v1 requires it; v1beta1 defaults to IfAvailable.
Result<bool> decide_interactive(const ExecConfig& exec) {
    const std::string mode = exec.interactive_mode.empty() ? "IfAvailable" : exec.interactive_mode;
    // A terminal we may read. If it is our controlling terminal and we are a background job, a
    // read stops the plugin (SIGTTIN) and the request would hang until the plugin timeout, so
    // that counts as no terminal (tcgetpgrp fails for a terminal that is not our controlling
    // one: reading that never stops us). The session guardian (stdin /dev/null) has none.
    const pid_t foreground = isatty(STDIN_FILENO) == 1 ? tcgetpgrp(STDIN_FILENO) : 0;
    const bool tty = isatty(STDIN_FILENO) == 1 && (foreground < 0 || foreground == getpgrp());
    if (mode == "Never")
        return false;
    if (mode == "IfAvailable")
        return tty;
    if (mode == "Always") {
        if (!tty)
            return fail("exec credential plugin {} needs an interactive terminal "
                        "(interactiveMode: Always) and stdin is not one in the foreground",
                        exec.command);
        return true;
    }
    return fail("exec plugin {}: unknown interactiveMode \"{}\"", exec.command, mode);
}

std::string exec_info(const ExecConfig& exec, bool interactive, const std::string& server,
                      const std::string& ca_pem) {
    json spec = {{"interactive", interactive}};
    if (exec.provide_cluster_info) {
        spec["cluster"] = {{"server", server}};
        if (!ca_pem.empty())
            spec["cluster"]["certificate-authority-data"] = base64_encode(ca_pem);
    }
    return json{{"apiVersion", exec.api_version}, {"kind", "ExecCredential"}, {"spec", spec}}
        .dump();
}

class ExecSource final : public CredentialSource {
public:
    ExecSource(ExecConfig exec, std::string server, std::string ca_pem, Credential base)
        : exec_(std::move(exec)), server_(std::move(server)), ca_pem_(std::move(ca_pem)),
          base_(std::move(base)) {}

    Result<Credential> get() override {
        std::lock_guard lock(mutex_);
        if (!cached_ || (cached_->expires && Clock::now() + expiry_margin >= *cached_->expires)) {
            MIRRORD_TRY_ASSIGN(auto fresh, run());
            cached_ = std::move(fresh);
        }
        Credential credential = base_;
        if (!cached_->token.empty())
            credential.bearer_token = cached_->token;
        if (!cached_->client_cert_pem.empty()) {
            credential.client_cert_pem = cached_->client_cert_pem;
            credential.client_key_pem = cached_->client_key_pem;
        }
        credential.expires = cached_->expires;
        return credential;
    }

    bool invalidate() override {
        std::lock_guard lock(mutex_);
        cached_.reset();
        return true;
    }

private:
    Result<ExecCredential> run() {
        const std::string what = fmt::format("running exec credential plugin {}", exec_.command);
        auto interactive = decide_interactive(exec_);
        if (!interactive)
            return std::move(interactive).error();
        auto output = run_plugin_process(exec_, exec_info(exec_, *interactive, server_, ca_pem_),
                                         *interactive, plugin_timeout);
        if (!output)
            return std::move(output).error().wrap(what);
        if (output->exit_status != 0) {
            std::string hint = exec_.install_hint.empty() ? "" : ": " + exec_.install_hint;
            return fail("{}: exited with status {}{}", what, output->exit_status, hint);
        }
        log::debug("exec credential plugin {} returned a credential", exec_.command);
        return parse_exec_credential(output->out, exec_.api_version).wrap(what);
    }

    ExecConfig exec_;
    std::string server_;
    std::string ca_pem_;
    Credential base_;
    std::mutex mutex_;
    std::optional<ExecCredential> cached_;
};

} // namespace

std::optional<Clock::time_point> parse_rfc3339(const std::string& text) {
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    std::string_view rest = std::string_view(text).substr(static_cast<size_t>(consumed));
    while (!rest.empty() && (rest.front() == '.' || std::isdigit(static_cast<unsigned char>(rest.front()))))
        rest.remove_prefix(1); // fractional seconds do not matter for a cache deadline
    long offset = 0;
    int hours = 0;
    int minutes = 0;
    if (rest.size() >= 6 && (rest[0] == '+' || rest[0] == '-') &&
        std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &hours, &minutes) == 2)
        offset = (rest[0] == '-' ? -1 : 1) * (hours * 3600L + minutes * 60L);
    else if (rest != "Z" && rest != "z")
        return std::nullopt;
    const auto seconds = static_cast<long long>(timegm(&tm)) - offset;
    // system_clock counts nanoseconds and ends in 2262; "never expires" tokens use far dates.
    const auto limit = std::chrono::duration_cast<std::chrono::seconds>(
                           Clock::time_point::max().time_since_epoch())
                           .count();
    if (seconds >= limit)
        return Clock::time_point::max();
    return Clock::from_time_t(static_cast<std::time_t>(seconds));
}

Result<ExecCredential> parse_exec_credential(const std::string& text,
                                             const std::string& api_version) {
    json document;
    try {
        document = json::parse(text);
    } catch (const json::exception& e) {
        return fail("output is not an ExecCredential JSON object: {}", e.what());
    }
    if (!document.is_object() || field(document, "kind") != "ExecCredential")
        return fail("output is not an ExecCredential (kind is \"{}\")",
                    document.is_object() ? field(document, "kind") : "");
    if (!api_version.empty() && field(document, "apiVersion") != api_version)
        return fail("plugin returned apiVersion \"{}\" but the kubeconfig asks for \"{}\"",
                    field(document, "apiVersion"), api_version);
    const json status = document.value("status", json::object());
    ExecCredential credential;
    credential.token = field(status, "token");
    credential.client_cert_pem = field(status, "clientCertificateData");
    credential.client_key_pem = field(status, "clientKeyData");
    log::add_secret(credential.token);
    log::add_secret(credential.client_key_pem);
    if (credential.token.empty() && credential.client_cert_pem.empty())
        return fail("ExecCredential status has neither token nor clientCertificateData");
    if (credential.client_cert_pem.empty() != credential.client_key_pem.empty())
        return fail("ExecCredential status needs both clientCertificateData and clientKeyData");
    if (auto expiry = field(status, "expirationTimestamp"); !expiry.empty()) {
        credential.expires = parse_rfc3339(expiry);
        if (!credential.expires)
            return fail("invalid expirationTimestamp \"{}\"", expiry);
    }
    return credential;
}

std::unique_ptr<CredentialSource> make_exec_source(const ExecConfig& exec,
                                                   const std::string& server,
                                                   const std::string& ca_pem, Credential base) {
    return std::make_unique<ExecSource>(exec, server, ca_pem, std::move(base));
}

} // namespace mirrord::kube

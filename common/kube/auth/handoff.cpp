#include "common/kube/auth/handoff.hpp"

#include <mutex>

#include <nlohmann/json.hpp>

#include "common/core/log.hpp"

namespace mirrord::kube {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::system_clock;

// As for a plugin's own credential: refresh before the deadline, not on it.
constexpr auto expiry_margin = std::chrono::seconds(10);

constexpr const char* string_keys[] = {"token", "username", "password", "clientCertificateData",
                                       "clientKeyData"};

std::string* field_of(Credential& credential, std::string_view key) {
    if (key == "token")
        return &credential.bearer_token;
    if (key == "username")
        return &credential.username;
    if (key == "password")
        return &credential.password;
    if (key == "clientCertificateData")
        return &credential.client_cert_pem;
    return &credential.client_key_pem;
}

class HandedSource final : public CredentialSource {
public:
    HandedSource(Credential handed, std::shared_ptr<CredentialSource> fallback)
        : handed_(std::move(handed)), fallback_(std::move(fallback)) {}

    Result<Credential> get() override {
        std::lock_guard lock(mutex_);
        if (usable_ && handed_.expires && Clock::now() + expiry_margin >= *handed_.expires) {
            log::debug("kube: the credential handed over has expired; fetching our own");
            usable_ = false;
        }
        if (usable_)
            return handed_;
        return fallback_->get();
    }

    bool invalidate() override {
        std::lock_guard lock(mutex_);
        if (!usable_)
            return fallback_->invalidate();
        log::debug("kube: the credential handed over was refused; fetching our own");
        usable_ = false;
        return true; // the fallback has not been tried yet: worth one retry
    }

private:
    std::mutex mutex_;
    Credential handed_;
    bool usable_ = true;
    std::shared_ptr<CredentialSource> fallback_;
};

} // namespace

std::string encode_credential_line(const Credential& credential) {
    json line = json::object();
    Credential copy = credential;
    for (const char* key : string_keys)
        if (const std::string* value = field_of(copy, key); !value->empty())
            line[key] = *value;
    if (credential.expires)
        line["expires"] = std::chrono::duration_cast<std::chrono::seconds>(
                              credential.expires->time_since_epoch())
                              .count();
    return line.dump() + "\n";
}

Result<Credential> decode_credential_line(const std::string& line) {
    json document;
    try {
        document = json::parse(line);
    } catch (const json::exception&) {
        // No e.what(): nlohmann quotes the text around the error, which may be part of a token.
        return fail("the credential handed over is not a JSON object");
    }
    if (!document.is_object())
        return fail("the credential handed over is not a JSON object");
    Credential credential;
    for (const char* key : string_keys) {
        auto it = document.find(key);
        if (it == document.end())
            continue;
        if (!it->is_string())
            return fail("the credential handed over: \"{}\" is not a string", key);
        *field_of(credential, key) = it->get<std::string>();
    }
    log::add_secret(credential.bearer_token);
    log::add_secret(credential.password);
    log::add_secret(credential.client_key_pem);
    if (auto it = document.find("expires"); it != document.end()) {
        if (!it->is_number_integer())
            return fail("the credential handed over: \"expires\" is not an integer");
        // system_clock counts nanoseconds and ends in 2262: later expiries ("never") clamp.
        const auto limit = std::chrono::duration_cast<std::chrono::seconds>(
                               Clock::time_point::max().time_since_epoch())
                               .count();
        const auto seconds = it->get<long long>();
        credential.expires = seconds >= limit    ? Clock::time_point::max()
                             : seconds <= -limit ? Clock::time_point::min()
                                                 : Clock::time_point(std::chrono::seconds(seconds));
    }
    if (credential.client_cert_pem.empty() != credential.client_key_pem.empty())
        return fail("the credential handed over needs both clientCertificateData and "
                    "clientKeyData");
    return credential;
}

std::unique_ptr<CredentialSource> make_handed_source(Credential handed,
                                                     std::shared_ptr<CredentialSource> fallback) {
    return std::make_unique<HandedSource>(std::move(handed), std::move(fallback));
}

} // namespace mirrord::kube

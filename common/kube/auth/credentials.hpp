#pragma once
// Credential sources: what goes into each request's Authorization header and TLS client
// certificate. Sources are thread-safe; one is shared by every request of a Client.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/core/result.hpp"
#include "common/kube/connection.hpp"

namespace mirrord::kube {

// The credential for one request. Empty fields are not sent. Every value is registered with
// log::add_secret by the source that produced it.
struct Credential {
    std::string bearer_token;
    std::string username;
    std::string password;
    std::string client_cert_pem;
    std::string client_key_pem;
    // When an exec plugin said the credential ends; nullopt when unknown or never.
    std::optional<std::chrono::system_clock::time_point> expires;
};

// Produces the current credential (may read a rotated file or run an exec plugin).
class CredentialSource {
public:
    virtual ~CredentialSource() = default;
    // The credential to use now; errors say which file or plugin failed.
    virtual Result<Credential> get() = 0;
    // Called after a 401: drops anything cached. True when fetching again may give a different
    // credential, so the request is worth one retry.
    virtual bool invalidate() { return false; }
};

// Chooses the source for `connection.user`: exec plugin, token file, static token, basic auth
// and/or client certificate, or anonymous.
std::unique_ptr<CredentialSource> make_credential_source(const Connection& connection);

} // namespace mirrord::kube

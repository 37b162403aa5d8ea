#pragma once
// Handing a credential from one mirrord process to another: `exec` gives the session guardian
// the credential it holds, so the guardian needs no exec plugin run of its own (an
// `interactiveMode: Always` plugin cannot run in it: it has no terminal). The credential travels
// as one JSON line on a pipe that becomes the guardian's stdin, never in argv, env or a file.

#include <memory>
#include <string>

#include "common/core/result.hpp"
#include "common/kube/auth/credentials.hpp"

namespace mirrord::kube {

// One line (ending in '\n') holding `credential`: token, basic auth, client cert and key, and
// the expiry as seconds since the epoch when known. The line is a secret as a whole.
std::string encode_credential_line(const Credential& credential);

// Reads a line made by encode_credential_line; registers its secrets with log::add_secret.
// Errors name the bad key, never a value.
Result<Credential> decode_credential_line(const std::string& line);

// A source that answers with `handed` until it is 10 s from its expiry or a request with it got
// a 401, and from then on with `fallback` (which may run the plugin itself and fail).
std::unique_ptr<CredentialSource> make_handed_source(Credential handed,
                                                     std::shared_ptr<CredentialSource> fallback);

} // namespace mirrord::kube

#pragma once
// Turns a failed API response into a message that reads from intent to cause:
//   GET /api/v1/namespaces/default/pods: 403 Forbidden: pods is forbidden: User "dev" cannot
//   list resource "pods" in API group "" in the namespace "default"
// The apiserver's Status.message already names the user, verb, resource and namespace; we prefix
// the method and path so the reader also sees which call failed.

#include <string>

#include "common/core/result.hpp"

namespace mirrord::kube {

// The standard reason phrase for an HTTP status the apiserver uses ("Forbidden", "Conflict").
std::string reason_phrase(long http_status);

// Builds the error for a non-2xx response. `body` may be a Status object, other JSON, or text;
// non-Status bodies are shortened. The result is redacted of registered secrets and carries
// `http_status` and the Status object's reason (Error::http_status, Error::reason).
Error status_error(const std::string& method, const std::string& path, long http_status,
                   const std::string& body);

// What kind of API failure an error is, decided on its Status reason, or on its HTTP status when
// the reason is missing or unknown (k8s.io/apimachinery/pkg/api/errors IsNotFound etc.). Never on
// the message text: a 409 may be a Conflict or an AlreadyExists, and a wrapped message may quote
// anything.
bool is_not_found(const Error& error);
bool is_conflict(const Error& error);
// reason AlreadyExists only: its HTTP status (409) is shared with Conflict.
bool is_already_exists(const Error& error);
bool is_forbidden(const Error& error);

} // namespace mirrord::kube

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
// non-Status bodies are shortened. The result is redacted of registered secrets.
Error status_error(const std::string& method, const std::string& path, long http_status,
                   const std::string& body);

} // namespace mirrord::kube

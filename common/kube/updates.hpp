#pragma once
// Optimistic-concurrency writes: patches guarded by resourceVersion, retried on 409 Conflict
// (client-go retry.RetryOnConflict with DefaultRetry: 5 steps, 10 ms, jitter 0.1), and the
// scale subresource.

#include <functional>
#include <optional>
#include <string>

#include "common/kube/rest_client.hpp"
#include "common/kube/status_error.hpp" // is_conflict, used with these writes

namespace mirrord::kube {

// Computes a JSON merge patch from the current object; nullopt means "nothing to change".
using PatchBuilder = std::function<Result<std::optional<json>>(const json& current)>;

// GETs `path`, asks `build` for a merge patch, and PATCHes it with the object's
// metadata.resourceVersion as a precondition; on 409 starts again with a fresh GET (up to 5
// times). Returns the updated object (or the unchanged one when `build` returned nullopt).
Result<json> patch_with_conflict_retry(Client& client, const std::string& path,
                                       const PatchBuilder& build);

// A JSON patch preceded by a `test` of /metadata/resourceVersion, so it applies only to that
// version (the apiserver answers 422 when the test fails).
Result<json> json_patch_at_version(Client& client, const std::string& path, json operations,
                                   const std::string& resource_version);

// GET .../scale: the current spec.replicas.
Result<int> get_scale(Client& client, const std::string& object_path);

// PATCH .../scale to `replicas`.
Status set_scale(Client& client, const std::string& object_path, int replicas);

} // namespace mirrord::kube

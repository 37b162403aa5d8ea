#pragma once
// Key checking against mirrord's own schema, before any typed parsing: a key mirrord does not
// know is an error ("did you mean"), a key mirrord knows but this mirrord does not implement
// gives one warning per key path and is ignored.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"

namespace mirrord::config {

// How this mirrord treats a schema key path (dotted, `*` for map keys, `[]` for list items).
enum class KeySupport { implemented, ancestor, ignored };

// implemented: we parse it (and everything under it); ancestor: holds implemented keys
// ("feature", "agent"); ignored: mirrord knows it, we do not.
KeySupport key_support(std::string_view pattern);

// Walks the whole tree. Adds "`feature.network` is not supported by this mirrord and is
// ignored" for each ignored key path that has a value; fails on the first unknown key.
Status check_keys(const nlohmann::json& root, std::vector<std::string>& warnings);

} // namespace mirrord::config

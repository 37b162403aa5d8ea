#pragma once
// UTF-8 validation. mirrord (Rust) refuses config text and env values that are not UTF-8, and
// nlohmann::json throws when it dumps such strings, so invalid bytes are stopped at the door.

#include <optional>
#include <string_view>

namespace mirrord::config {

// The byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code
// points above U+10FFFF count as invalid), or nullopt when all of `text` is valid.
std::optional<size_t> invalid_utf8_offset(std::string_view text);

} // namespace mirrord::config

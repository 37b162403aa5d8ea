#pragma once
// Small string helpers shared by every library.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mirrord {

// Splits on every `sep`; keeps empty pieces.
std::vector<std::string> split(std::string_view text, char sep);
// Joins with `sep` between pieces.
std::string join(std::span<const std::string> pieces, std::string_view sep);
// ASCII lower case; other bytes are kept.
std::string to_lower(std::string_view text);
// Removes leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);
// Edit distance (insert, delete, substitute), for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates);
// Shell-style wildcard match: `*` any run, `?` one character. Whole string, case-sensitive.
bool wildcard_match(std::string_view pattern, std::string_view text);

} // namespace mirrord

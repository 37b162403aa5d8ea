#pragma once
// Base64 for kubeconfig `*-data` fields and Secret values.

#include <optional>
#include <string>
#include <string_view>

namespace mirrord::kube {

// Decodes standard base64, ignoring whitespace and accepting missing padding; nullopt on any
// other character.
std::optional<std::string> base64_decode(std::string_view text);

// Encodes with standard alphabet and padding.
std::string base64_encode(std::string_view bytes);

} // namespace mirrord::kube

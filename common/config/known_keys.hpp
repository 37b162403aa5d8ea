#pragma once
// The key paths mirrord's own config schema knows (generated from mirrord-schema.json).
// Paths are dotted; `*` stands for any map key and `[]` for the items of a list.

#include <span>
#include <string_view>

namespace mirrord::config {

// Shape bits of a key: an object with named keys, a map with free keys, or any object at all.
enum KeyShape : unsigned { key_object = 1, key_map = 2, key_open = 4 };

// One schema key path and the shapes its value may take (0 = a scalar or a list of scalars).
struct KnownKey {
    std::string_view path;
    unsigned shape;
};

// Every known key path, sorted bytewise so callers can binary-search it.
std::span<const KnownKey> known_keys();

} // namespace mirrord::config

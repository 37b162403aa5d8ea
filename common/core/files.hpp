#pragma once
// Reading files into memory with errors that name the path.

#include <string>

#include "common/core/result.hpp"

namespace mirrord {

// The whole file, or an error "reading <path>: <strerror>".
Result<std::string> read_file(const std::string& path);

// The user's home folder ($HOME, else the password database), or empty.
std::string home_dir();

} // namespace mirrord

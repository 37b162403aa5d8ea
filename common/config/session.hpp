#pragma once
// The two values mirrord puts in the template context: the session key and the git branch.

#include <optional>
#include <string>

namespace mirrord::config {

// A fresh session key: 16 random hex digits (mirrord generates a short random key too).
std::string generate_session_key();

// The current branch from .git/HEAD of the repository holding the working directory, or
// nullopt outside a repository or on a detached HEAD (mirrord then leaves git_branch unset).
std::optional<std::string> current_git_branch();

} // namespace mirrord::config

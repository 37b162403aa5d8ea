#include "common/config/session.hpp"

#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "common/core/files.hpp"
#include "common/core/strings.hpp"

namespace mirrord::config {
namespace {

namespace fs = std::filesystem;

// The git directory for `dir`: `.git` itself, or where a worktree's `.git` file points.
std::optional<fs::path> git_dir_in(const fs::path& dir) {
    std::error_code ec;
    fs::path dot_git = dir / ".git";
    if (fs::is_directory(dot_git, ec))
        return dot_git;
    if (!fs::is_regular_file(dot_git, ec))
        return std::nullopt;
    auto text = read_file(dot_git.string());
    constexpr std::string_view prefix = "gitdir:";
    if (!text || text->rfind(prefix, 0) != 0)
        return std::nullopt;
    fs::path target(std::string(trim(std::string_view(*text).substr(prefix.size()))));
    return target.is_absolute() ? target : dir / target;
}

std::optional<fs::path> find_git_dir() {
    std::error_code ec;
    fs::path dir = fs::current_path(ec);
    if (ec)
        return std::nullopt;
    for (int depth = 0; depth < 64 && !dir.empty(); ++depth) {
        if (auto found = git_dir_in(dir))
            return found;
        if (dir == dir.parent_path())
            break;
        dir = dir.parent_path();
    }
    return std::nullopt;
}

} // namespace

std::string generate_session_key() {
    std::random_device device;
    std::uniform_int_distribution<std::uint32_t> word;
    return fmt::format("{:08x}{:08x}", word(device), word(device));
}

std::optional<std::string> current_git_branch() {
    auto git_dir = find_git_dir();
    if (!git_dir)
        return std::nullopt;
    auto head = read_file((*git_dir / "HEAD").string());
    if (!head)
        return std::nullopt;
    // "ref: refs/heads/<branch>" on a branch; a bare commit id when detached.
    constexpr std::string_view prefix = "ref: refs/heads/";
    auto line = trim(*head);
    if (line.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    return std::string(line.substr(prefix.size()));
}

} // namespace mirrord::config

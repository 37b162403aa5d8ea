#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "common/config/session.hpp"

using namespace mirrord::config;
namespace fs = std::filesystem;

namespace {

// Makes a scratch tree under the temp folder and enters `sub`; leaves and deletes it at the end.
class ScratchDir {
public:
    ScratchDir() : root_(fs::temp_directory_path() / ("mirrord-git-" + std::to_string(::getpid()))) {
        fs::remove_all(root_);
        fs::create_directories(root_ / "repo" / "sub");
        old_ = fs::current_path();
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::current_path(old_, ec);
        fs::remove_all(root_, ec);
    }
    void write(const fs::path& relative, const std::string& text) {
        fs::create_directories((root_ / relative).parent_path());
        std::ofstream(root_ / relative) << text;
    }
    void enter(const fs::path& relative) { fs::current_path(root_ / relative); }

private:
    fs::path root_, old_;
};

} // namespace

TEST_CASE("git branch for {{ git_branch }}") {
    ScratchDir dir;
    SECTION("a branch checkout, found from a subfolder") {
        dir.write("repo/.git/HEAD", "ref: refs/heads/feature/kafka-split\n");
        dir.enter("repo/sub");
        CHECK(current_git_branch() == std::optional<std::string>("feature/kafka-split"));
    }
    SECTION("a detached HEAD has no branch") {
        dir.write("repo/.git/HEAD", "3f2a9c0d1e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c\n");
        dir.enter("repo/sub");
        CHECK_FALSE(current_git_branch());
    }
    SECTION("a worktree's .git file points at its git folder") {
        dir.write("gitdirs/wt/HEAD", "ref: refs/heads/wt-branch\n");
        dir.write("repo/.git", "gitdir: ../gitdirs/wt\n");
        dir.enter("repo");
        CHECK(current_git_branch() == std::optional<std::string>("wt-branch"));
    }
}

TEST_CASE("generated session keys") {
    auto first = generate_session_key(), second = generate_session_key();
    CHECK(first.size() == 16);
    CHECK(first.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(first != second);
}

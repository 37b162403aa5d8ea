#include "common/core/process.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <signal.h>

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/core/signals.hpp"
#include "common/core/strings.hpp"

namespace mirrord {
namespace {

// posix_spawn's file actions and attributes are C objects that must be destroyed.
struct SpawnAttr {
    posix_spawnattr_t attr;
    SpawnAttr() { posix_spawnattr_init(&attr); }
    ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
    SpawnAttr(const SpawnAttr&) = delete;
    SpawnAttr& operator=(const SpawnAttr&) = delete;
};

// A NULL-terminated char* array pointing into `strings` (which must outlive it).
std::vector<char*> c_array(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (const auto& s : strings)
        out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

bool is_executable_file(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

} // namespace

Result<std::string> find_executable(const std::string& name, const std::string& path) {
    if (name.empty())
        return fail("command not found");
    if (name.find('/') != std::string::npos) {
        if (::access(name.c_str(), F_OK) != 0)
            return fail("command not found");
        if (!is_executable_file(name))
            return fail("permission denied");
        return name;
    }
    // Like execvp: remember a match we may not execute, but keep looking for one we may.
    bool saw_unexecutable = false;
    for (const auto& dir : split(path, ':')) {
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        if (is_executable_file(candidate))
            return candidate;
        if (::access(candidate.c_str(), F_OK) == 0)
            saw_unexecutable = true;
    }
    if (saw_unexecutable)
        return fail("permission denied");
    return fail("command not found");
}

std::optional<std::string> path_from_env(const std::vector<std::string>& env) {
    for (const auto& entry : env) {
        if (entry.rfind("PATH=", 0) == 0)
            return entry.substr(5);
    }
    return std::nullopt;
}

Result<pid_t> spawn(const Command& command) {
    if (command.argv.empty())
        return fail("running command: no command given");
    const std::string& name = command.argv.front();
    const char* own_path = std::getenv("PATH");
    std::string fallback = own_path != nullptr ? own_path : "/usr/local/bin:/usr/bin:/bin";
    std::string path = path_from_env(command.env).value_or(fallback);
    auto executable = find_executable(name, path);
    if (!executable)
        return std::move(executable).error().wrap(fmt::format("running {}", name));

    // The child starts with an empty signal mask: whatever mirrord blocks must not leak into the
    // app (caught signals reset to default at exec anyway). Ignored signals are inherited, as
    // from a shell, except SIGPIPE, which mirrord's own network code may ignore.
    SpawnAttr attributes;
    sigset_t empty_mask;
    sigemptyset(&empty_mask);
    posix_spawnattr_setsigmask(&attributes.attr, &empty_mask);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes.attr, &defaults);
    posix_spawnattr_setflags(&attributes.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    auto argv = c_array(command.argv);
    auto envp = c_array(command.env);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, executable->c_str(), nullptr, &attributes.attr, argv.data(),
                           envp.data());
    if (rc != 0)
        return fail("running {}: {}", name, std::strerror(rc));
    return pid;
}

int exit_code_from_wait_status(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

void ChildStopper::poll() {
    auto now = std::chrono::steady_clock::now();
    if (!stopping_) {
        stopping_ = true;
        kill_at_ = now + grace_;
        ::kill(child_, SIGTERM);
        return;
    }
    if (!killed_ && now >= kill_at_) {
        killed_ = true;
        ::kill(child_, SIGKILL);
    }
}

Result<int> run_child(const Command& command, const ChildHooks& hooks) {
    // Install before spawning: a signal that arrives while the child starts is held in the
    // forwarder's pipe and forwarded once we wait, instead of killing mirrord alone.
    MIRRORD_TRY_ASSIGN(auto forwarder, SignalForwarder::install());
    MIRRORD_TRY_ASSIGN(pid_t pid, spawn(command));
    if (hooks.started)
        hooks.started(pid);
    if (!hooks.stop_requested) {
        MIRRORD_TRY_ASSIGN(int status, forwarder->wait(pid, hooks.tick, hooks.period));
        return exit_code_from_wait_status(status);
    }
    // Stop requests are checked on the same loop that forwards signals, every 100 ms; the
    // caller's tick keeps its own period.
    using clock = std::chrono::steady_clock;
    ChildStopper stopper(pid, hooks.stop_grace);
    auto next_tick = clock::now() + hooks.period;
    auto check = [&] {
        if (stopper.stopping() || hooks.stop_requested())
            stopper.poll();
        if (hooks.tick && clock::now() >= next_tick) {
            hooks.tick();
            next_tick = clock::now() + hooks.period;
        }
    };
    MIRRORD_TRY_ASSIGN(int status, forwarder->wait(pid, check, std::chrono::milliseconds(100)));
    return exit_code_from_wait_status(status);
}

} // namespace mirrord

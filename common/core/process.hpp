#pragma once
// Running the user's command as a child process: PATH search, spawn, wait, exit status.
//
// The child inherits stdin, stdout and stderr and stays in mirrord's process group and session,
// so it sees the terminal exactly as it would running alone (see signals.hpp for why that makes
// Ctrl+C reach it once).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "common/core/result.hpp"

namespace mirrord {

// A command line and the child's whole environment.
struct Command {
    std::vector<std::string> argv; // argv[0] is searched in PATH unless it contains '/'
    std::vector<std::string> env;  // "NAME=value" entries; the child gets exactly these
};

// What run_child does while the child runs.
struct ChildHooks {
    // Called once right after the spawn (e.g. to record the pid in the session Lease).
    std::function<void(pid_t)> started;
    // Called every `period` while waiting (e.g. to renew the session Lease). Runs on the waiting
    // thread; keep it short.
    std::function<void()> tick;
    std::chrono::milliseconds period{2000};
    // Polled every 100 ms on the waiting thread (with the signal forwarding): once it returns
    // true, the child is stopped (SIGTERM, then SIGKILL after `stop_grace`), e.g. because the
    // session it runs in was lost. Must be cheap (read a flag).
    std::function<bool()> stop_requested;
    std::chrono::milliseconds stop_grace{10000};
};

// The executable `name` resolves to: `name` itself when it contains '/', else the first
// executable file in `path` (a PATH-style list; empty entries mean "."). Errors read
// "command not found" or "permission denied", like a shell.
Result<std::string> find_executable(const std::string& name, const std::string& path);

// The PATH value in an env vector ("NAME=value" entries), if any.
std::optional<std::string> path_from_env(const std::vector<std::string>& env);

// Starts `command` with inherited stdio in mirrord's process group. argv[0] is searched in the
// PATH of command.env, else mirrord's own PATH. Error: "running <argv0>: command not found".
Result<pid_t> spawn(const Command& command);

// The shell-style exit code for a waitpid status: the exit code, or 128+N when killed by signal N.
int exit_code_from_wait_status(int status);

// Ends a child that mirrord decided to stop: SIGTERM at once, SIGKILL once `grace` has passed
// while it still runs. poll() from the waiting loop; it never blocks.
class ChildStopper {
public:
    ChildStopper(pid_t child, std::chrono::milliseconds grace) : child_(child), grace_(grace) {}
    // Sends SIGTERM the first time, SIGKILL when the grace period is over.
    void poll();
    bool stopping() const { return stopping_; }

private:
    pid_t child_;
    std::chrono::milliseconds grace_;
    bool stopping_ = false;
    bool killed_ = false;
    std::chrono::steady_clock::time_point kill_at_{};
};

// Spawns `command`, forwards signals to it (signals.hpp), calls the hooks while it runs, and
// returns its shell-style exit code once it has exited. Errors only when it cannot be started
// or waited for; the caller decides the exit code for those (1).
Result<int> run_child(const Command& command, const ChildHooks& hooks = {});

} // namespace mirrord

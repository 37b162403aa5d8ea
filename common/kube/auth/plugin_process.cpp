// Runs an exec credential plugin as a child process and captures its stdout.
// Kept here rather than in common/core/process because a plugin's stdout carries a secret and
// must never be logged or echoed; this runner never logs what it reads.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "common/kube/auth/exec_plugin.hpp"

extern char** environ;

namespace mirrord::kube {
namespace {

// Closes a file descriptor when it goes out of scope.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
};

// The parent's environment with `exec.env` and KUBERNETES_EXEC_INFO laid over it.
std::vector<std::string> plugin_environment(const ExecConfig& exec, const std::string& info) {
    std::vector<std::string> env;
    auto overridden = [&](std::string_view entry) {
        auto name = entry.substr(0, entry.find('='));
        if (name == "KUBERNETES_EXEC_INFO")
            return true;
        for (const auto& [key, value] : exec.env)
            if (name == key)
                return true;
        return false;
    };
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry)
        if (!overridden(*entry))
            env.emplace_back(*entry);
    for (const auto& [key, value] : exec.env)
        env.push_back(key + "=" + value);
    env.push_back("KUBERNETES_EXEC_INFO=" + info);
    return env;
}

// Reads `fd` to EOF or until `deadline`; false on timeout.
bool read_all(int fd, std::string& out, std::chrono::steady_clock::time_point deadline) {
    char buffer[4096];
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        pollfd waiting{fd, POLLIN, 0};
        int ready = ::poll(&waiting, 1, static_cast<int>(std::min<long>(left.count(), 200)));
        if (ready < 0 && errno != EINTR)
            return true;
        if (ready <= 0)
            continue;
        ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return true;
        out.append(buffer, static_cast<size_t>(got));
    }
}

} // namespace

Result<PluginOutput> run_plugin_process(const ExecConfig& exec, const std::string& exec_info,
                                        bool interactive, std::chrono::seconds timeout) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
        return fail("pipe: {}", std::strerror(errno));
    Fd read_end{pipe_fds[0]};
    Fd write_end{pipe_fds[1]};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.fd, STDOUT_FILENO);
    if (!interactive)
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

    std::vector<std::string> args{exec.command};
    args.insert(args.end(), exec.args.begin(), exec.args.end());
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    auto env = plugin_environment(exec, exec_info);
    std::vector<char*> envp;
    for (auto& entry : env)
        envp.push_back(entry.data());
    envp.push_back(nullptr);

    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, exec.command.c_str(), &actions, nullptr, argv.data(),
                               envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        std::string hint = exec.install_hint.empty() ? "" : " (" + exec.install_hint + ")";
        return fail("starting {}: {}{}", exec.command, std::strerror(spawned), hint);
    }
    ::close(write_end.fd);
    write_end.fd = -1;

    PluginOutput output;
    const bool finished =
        read_all(read_end.fd, output.out, std::chrono::steady_clock::now() + timeout);
    if (!finished)
        ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!finished)
        return fail("timed out after {} s", timeout.count());
    output.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return output;
}

} // namespace mirrord::kube

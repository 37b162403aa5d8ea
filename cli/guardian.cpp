#include "cli/guardian.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <unistd.h>

#include "common/config/env_apply.hpp"
#include "common/core/log.hpp"
#include "common/kube/auth/handoff.hpp"
#include "common/kube/resources.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/reaper.hpp"
#include "common/session/session.hpp"

extern char** environ;

namespace mirrord::cli {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> guardian_argv(const GuardianArgs& args, const std::string& self) {
    std::vector<std::string> argv = {self,          "session-guardian",
                                     "--parent",    std::to_string(args.parent),
                                     "--namespace", args.namespace_,
                                     "--session",   args.session};
    if (args.kube.kubeconfig)
        argv.insert(argv.end(), {"--kubeconfig", *args.kube.kubeconfig});
    if (args.kube.context)
        argv.insert(argv.end(), {"--context", *args.kube.context});
    if (args.kube.accept_invalid_certificates)
        argv.push_back("--accept-invalid-certificates");
    return argv;
}

std::string self_path() {
    std::vector<char> buffer(4096);
    ssize_t length = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
    return length > 0 ? std::string(buffer.data(), static_cast<size_t>(length)) : "mirrord";
}

// The parent is gone once we were re-parented (to init or a subreaper): no pid reuse race.
void wait_for_parent_exit(pid_t parent) {
    while (getppid() == parent)
        std::this_thread::sleep_for(200ms);
}

// Processes whose environment holds MIRRORD_EXEC_SESSION=<session>: the app exec started and
// what the app started. The Lease's pid alone misses both a SIGKILL between spawning the app and
// recording its pid, and an app behind a wrapper (`npm start`, `sh -c`), whose SIGTERM does not
// reach the real app (both seen in tests/crash/sigkill_rounds_test.py).
std::vector<pid_t> session_processes(const std::string& session) {
    std::vector<pid_t> found;
    const std::string marker = std::string(config::session_marker_var) + "=" + session;
    std::error_code error; // the error_code overloads: no filesystem_error escapes the guardian
    for (std::filesystem::directory_iterator it("/proc", error), last; !error && it != last;
         it.increment(error)) {
        auto name = it->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream file(it->path() / "environ", std::ios::binary); // unreadable: not ours
        std::string environment((std::istreambuf_iterator<char>(file)), {});
        for (size_t start = 0, end = 0; start < environment.size(); start = end + 1) {
            end = environment.find('\0', start);
            if (end == std::string::npos)
                end = environment.size();
            if (environment.compare(start, end - start, marker) == 0) {
                found.push_back(static_cast<pid_t>(std::stol(name)));
                break;
            }
        }
    }
    return found;
}

struct Pipe {
    int read = -1;
    int write = -1;
    ~Pipe() {
        for (int fd : {read, write})
            if (fd >= 0)
                ::close(fd);
    }
};

// The line goes into the pipe before the guardian starts, while we hold its read end too: a
// guardian that dies at once cannot make the write fail with SIGPIPE, and the guardian finds
// the line waiting. A line that does not fit the pipe buffer (64 KiB; a certificate and key
// take a few) is an error rather than a blocked exec.
Status fill_pipe(const Pipe& pipe, const std::string& line) {
    for (size_t written = 0; written < line.size();) {
        ssize_t n = ::write(pipe.write, line.data() + written, line.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail("handing the credential to the session guardian: {}",
                        std::strerror(errno));
        written += static_cast<size_t>(n);
    }
    return {};
}

// The credential exec handed over on stdin (see spawn_guardian); nullopt when there is none.
// exec wrote it before starting us, so a short wait is plenty.
std::optional<kube::Credential> read_handed_credential() {
    std::string line;
    char buffer[4096];
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (isatty(STDIN_FILENO) == 0 && line.find('\n') == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        pollfd in{STDIN_FILENO, POLLIN, 0};
        if (::poll(&in, 1, 200) <= 0)
            continue;
        ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        line.append(buffer, static_cast<size_t>(n));
    }
    // An exec plugin we may run later gets /dev/null, not the drained pipe.
    if (int null = ::open("/dev/null", O_RDONLY); null >= 0) {
        ::dup2(null, STDIN_FILENO);
        ::close(null);
    }
    if (line.empty())
        return std::nullopt;
    auto credential = kube::decode_credential_line(line);
    std::fill(line.begin(), line.end(), '\0');
    if (!credential) {
        log::warn("session guardian: {}; fetching its own", credential.error().message());
        return std::nullopt;
    }
    return std::move(*credential);
}

} // namespace

Result<pid_t> spawn_guardian(const GuardianArgs& args, const std::string& credential_line) {
    Pipe pipe;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return fail("starting the session guardian: pipe: {}", std::strerror(errno));
    pipe.read = fds[0];
    pipe.write = fds[1];
    if (auto filled = fill_pipe(pipe, credential_line); !filled) // a cut line is refused there
        log::warn("{}; it will fetch its own", filled.error().message());
    ::close(pipe.write); // the guardian reads the line, then end of file
    pipe.write = -1;

    auto argv_strings = guardian_argv(args, self_path());
    std::vector<char*> argv;
    for (auto& arg : argv_strings)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const char* log = std::getenv("MIRRORD_GUARDIAN_LOG");
    const char* out = log != nullptr && *log != '\0' ? log : "/dev/null";
    posix_spawn_file_actions_adddup2(&actions, pipe.read, 0); // dup2 clears O_CLOEXEC
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // A new session: the terminal's SIGINT/SIGHUP go to exec's group, never to the guardian.
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
    pid_t pid = 0;
    int error = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0)
        return fail("starting the session guardian: {}", std::strerror(error));
    return pid;
}

int run_guardian(const GuardianArgs& args) {
    auto handed = read_handed_credential();
    // Connect first, so credentials (exec plugins) are ready before they are needed in a hurry.
    auto client = kube::Client::connect(args.kube);
    if (!client) {
        log::error(client.error().wrap("session guardian").message());
        return 1;
    }
    // exec's credential, sent once when it started us. If it expires before exec dies (or is
    // refused), the guardian fetches its own: a plugin that can run without a terminal (most
    // keep a login cache: gcloud, aws, kubelogin) runs again; an `interactiveMode: Always` one
    // fails and is logged, and the session is undone when its Lease goes stale (the next exec,
    // `mirrord reset`). exec does not re-send on refresh: credentials of interactive plugins
    // last hours, longer than most sessions, and a pipe kept open would tie the two processes'
    // lifetimes together for a case that has this fallback.
    if (handed)
        (*client)->use_handed_credential(std::move(*handed));
    // Fetched now, while exec runs: by the time exec dies the plugin may no longer work. On
    // failure keep guarding; a later fetch may still succeed.
    if (auto fetched = (*client)->prefetch_credentials(); !fetched)
        log::warn("{}", fetched.error().wrap("session guardian").message());
    wait_for_parent_exit(args.parent);
    auto adopted = session::Session::adopt(**client, args.namespace_, args.session);
    if (adopted && !*adopted) {
        // exec ended the session itself, or never created its Lease (it failed or died first).
        // A create it sent just before dying may still land: one more look a moment later.
        std::this_thread::sleep_for(2s);
        adopted = session::Session::adopt(**client, args.namespace_, args.session);
        if (adopted && !*adopted)
            return 0;
    }
    // Unreadable (edited) or unreachable: the session id is all we need to undo it.
    if (!adopted)
        log::warn("{}; undoing session {} anyway", adopted.error().message(), args.session);
    // The app must not keep consuming next to the restored workload: it ends with its session,
    // as it would have if mirrord had exec'd into it.
    if (adopted && (*adopted)->record().child_pid > 0)
        ::kill((*adopted)->record().child_pid, SIGTERM);
    for (pid_t pid : session_processes(args.session))
        ::kill(pid, SIGTERM);
    log::warn("mirrord exec (pid {}) ended without cleaning up; undoing session {}", args.parent,
              args.session);
    auto reaped = adopted ? (*adopted)->finish()
                          : session::reap_session(**client, args.namespace_, args.session);
    // A scale-down PATCH that exec sent just before dying may land after the first pass: a
    // second pass a moment later undoes it too (every step is idempotent).
    std::this_thread::sleep_for(2s);
    if (reaped) {
        auto again = session::reap_session(**client, args.namespace_, args.session);
        if (again)
            reaped->actions.insert(reaped->actions.end(), again->actions.begin(),
                                   again->actions.end());
    }
    if (!reaped) {
        log::error(reaped.error().wrap("session guardian").message());
        return 1;
    }
    for (const auto& action : reaped->actions)
        log::warn("{}", action);
    return 0;
}

} // namespace mirrord::cli

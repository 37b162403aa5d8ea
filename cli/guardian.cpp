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
#include <spawn.h>
#include <unistd.h>

#include "common/config/env_apply.hpp"
#include "common/core/log.hpp"
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

} // namespace

Result<pid_t> spawn_guardian(const GuardianArgs& args) {
    auto argv_strings = guardian_argv(args, self_path());
    std::vector<char*> argv;
    for (auto& arg : argv_strings)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const char* log = std::getenv("MIRRORD_GUARDIAN_LOG");
    const char* out = log != nullptr && *log != '\0' ? log : "/dev/null";
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
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
    // Connect first, so credentials (exec plugins) are ready before they are needed in a hurry.
    auto client = kube::Client::connect(args.kube);
    if (!client) {
        log::error(client.error().wrap("session guardian").message());
        return 1;
    }
    // Fetched now, while exec runs: by the time exec dies the plugin may no longer work. On
    // failure keep guarding; a later fetch may still succeed.
    if (auto fetched = (*client)->prefetch_credentials(); !fetched)
        log::warn("{}", fetched.error().wrap("session guardian").message());
    wait_for_parent_exit(args.parent);
    auto adopted = session::Session::adopt(**client, args.namespace_, args.session);
    if (adopted && !*adopted)
        return 0; // exec ended the session itself
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

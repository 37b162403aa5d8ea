#pragma once
// Running the real mirrord binary in the background (an `exec` that stays up while a test acts
// on the cluster), with extra environment, its output in files, and a wait with a deadline.
// Header-only, next to cluster.hpp.

#include <csignal>
#include <map>

#include <fcntl.h>
#include <unistd.h>

#include "cluster.hpp"

namespace mirrord::testing {

class Background {
public:
    // Starts `mirrord args...` with KUBECONFIG=`kubeconfig` and `env` added.
    Background(const std::string& kubeconfig, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env = {}) {
        dir_ = std::filesystem::temp_directory_path() / ("mirrord-bg-" + session::new_session_id());
        std::filesystem::create_directories(dir_);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::setenv("KUBECONFIG", kubeconfig.c_str(), 1);
            for (const auto& [name, value] : env)
                ::setenv(name.c_str(), value.c_str(), 1);
            int out = ::open((dir_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            int err = ::open((dir_ / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(out, 1);
            ::dup2(err, 2);
            std::vector<std::string> argv = {MIRRORD_BINARY};
            argv.insert(argv.end(), args.begin(), args.end());
            std::vector<char*> c;
            for (auto& a : argv)
                c.push_back(a.data());
            c.push_back(nullptr);
            ::execv(MIRRORD_BINARY, c.data());
            ::_exit(127);
        }
    }
    ~Background() {
        if (exit_code_ < 0 && pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        std::filesystem::remove_all(dir_);
    }
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    pid_t pid() const { return pid_; }
    std::string out() const { return read_all(dir_ / "out"); }
    std::string err() const { return read_all(dir_ / "err"); }
    const std::filesystem::path& dir() const { return dir_; }
    void signal(int signo) const { ::kill(pid_, signo); }
    // The exit code once it exited within `timeout`, else -1.
    int wait(std::chrono::milliseconds timeout) {
        if (exit_code_ >= 0)
            return exit_code_;
        wait_until(timeout, [&] {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) != pid_)
                return false;
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return true;
        });
        return exit_code_;
    }

private:
    pid_t pid_ = -1;
    int exit_code_ = -1;
    std::filesystem::path dir_;
};

// A fresh directory under /tmp named `prefix`-<random>.
inline std::filesystem::path temp_dir(const std::string& prefix) {
    auto dir = std::filesystem::temp_directory_path() / (prefix + "-" + session::new_session_id());
    std::filesystem::create_directories(dir);
    return dir;
}

// A mirrord config for `target` in `namespace_` with copy_target + scale_down, written to a
// file under `dir`; returns its path.
inline std::string write_scale_down_config(const std::filesystem::path& dir,
                                           const std::string& namespace_,
                                           const std::string& target, bool scale_down = true) {
    json config = {{"target", {{"path", target}, {"namespace", namespace_}}},
                   {"feature", {{"copy_target", {{"scale_down", scale_down}}}}}};
    std::filesystem::create_directories(dir);
    auto path = dir / "mirrord.json";
    std::ofstream(path) << config.dump();
    return path.string();
}

// The one session Lease in `namespace_`, if exactly one exists.
inline std::optional<session::SessionRecord> only_session(kube::Client& client,
                                                          const std::string& namespace_) {
    auto sessions = session::list_sessions(client, namespace_);
    if (!sessions || sessions->size() != 1)
        return std::nullopt;
    return sessions->front();
}

// spec.replicas of deployment `consumer` in `namespace_`, -1 when it cannot be read.
inline int replicas_of(kube::Client& client, const std::string& namespace_) {
    auto current = client.get(kube::kinds::deployment.object(namespace_, "consumer"));
    return current ? (*current)["spec"].value("replicas", -1) : -1;
}

} // namespace mirrord::testing

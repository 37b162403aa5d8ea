#pragma once
// Header-only (the integration glob compiles only *_test.cpp). Helpers for kube integration tests: the running scripts/testenv (read from `scripts/testenv
// env`), temporary folders, stderr capture for the "no token in -vv output" checks; a fresh
// namespace per test and polling with a deadline come from tests/integration/support.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/kube/rest_client.hpp"
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/core/files.hpp"
#include "common/core/log.hpp"
#include "common/kube/resources.hpp"
#include "tests/integration/support/test_namespace.hpp"
#include "tests/integration/support/wait.hpp"

namespace mirrord::testing {

// What `scripts/testenv env` exports (KUBECONFIG, TESTENV_CA, TESTENV_CA_KEY, ...).
struct TestEnv {
    std::map<std::string, std::string> vars;
    const std::string& at(const std::string& name) const;
};

// The running environment; fails the current test with a hint when it is not up.
const TestEnv& testenv();

// A client for the testenv admin user (token admin-token).
std::unique_ptr<kube::Client> admin_client();

// Runs a shell command; returns its exit status and fills `out` with stdout (stderr appended
// when `merge_stderr`).
int run_command(const std::string& command, std::string* out = nullptr, bool merge_stderr = false);

// A fresh folder under /tmp, removed at the end of the scope.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }
    // Writes `text` to path()/name and returns the full path.
    std::string write(const std::string& name, const std::string& text, bool executable = false);

private:
    std::string path_;
};

// Sends everything this process writes to stderr into a file until text() is called; sets
// the log level to trace meanwhile so the test sees the most verbose output.
class StderrCapture {
public:
    StderrCapture();
    ~StderrCapture();
    // Stops capturing (once) and returns what was written.
    std::string text();

private:
    int saved_fd_ = -1;
    std::string path_;
    std::string text_;
};

// A kubeconfig for the testenv cluster with the given `user:` block (YAML, indented 4).
std::string kubeconfig_with_user(const std::string& user_yaml);

// ---- definitions ----


inline const std::string& TestEnv::at(const std::string& name) const {
    auto it = vars.find(name);
    if (it == vars.end())
        FAIL("scripts/testenv env does not export " << name);
    return it->second;
}

inline int run_command(const std::string& command, std::string* out, bool merge_stderr) {
    const std::string full = merge_stderr ? "{ " + command + "; } 2>&1" : command;
    FILE* pipe = ::popen(full.c_str(), "r");
    if (pipe == nullptr)
        return -1;
    std::array<char, 4096> buffer{};
    size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        if (out != nullptr)
            out->append(buffer.data(), got);
    const int status = ::pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline const TestEnv& testenv() {
    static const TestEnv env = [] {
        TestEnv loaded;
        std::string out;
        run_command(std::string(MIRRORD_SOURCE_DIR) + "/scripts/testenv env", &out);
        std::istringstream lines(out);
        for (std::string line; std::getline(lines, line);) {
            if (!line.starts_with("export "))
                continue;
            auto eq = line.find('=');
            loaded.vars[line.substr(7, eq - 7)] = line.substr(eq + 1);
        }
        return loaded;
    }();
    std::string status;
    if (env.vars.count("KUBECONFIG") == 0 ||
        run_command(std::string(MIRRORD_SOURCE_DIR) + "/scripts/testenv status", &status) != 0)
        FAIL("the test environment is not running (scripts/testenv up): " << status);
    return env;
}

inline std::unique_ptr<kube::Client> admin_client() {
    kube::KubeOptions options;
    options.kubeconfig = testenv().at("KUBECONFIG");
    auto client = kube::Client::connect(options);
    if (!client)
        FAIL(client.error().message());
    return std::move(*client);
}

inline TempDir::TempDir() {
    std::random_device random;
    path_ = (std::filesystem::temp_directory_path() /
             fmt::format("mirrord-kube-it-{}-{:x}", ::getpid(), random()))
                .string();
    std::filesystem::create_directories(path_);
}

inline TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

inline std::string TempDir::write(const std::string& name, const std::string& text, bool executable) {
    const std::string file = path_ + "/" + name;
    std::ofstream(file) << text;
    if (executable)
        std::filesystem::permissions(file, std::filesystem::perms::owner_all);
    return file;
}

inline StderrCapture::StderrCapture() {
    path_ = (std::filesystem::temp_directory_path() /
             fmt::format("mirrord-stderr-{}-{}", ::getpid(), static_cast<const void*>(this)))
                .string();
    std::fflush(stderr);
    saved_fd_ = ::dup(STDERR_FILENO);
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
    log::set_level(log::Level::trace);
}

inline std::string StderrCapture::text() {
    if (saved_fd_ >= 0) {
        std::fflush(stderr);
        ::dup2(saved_fd_, STDERR_FILENO);
        ::close(saved_fd_);
        saved_fd_ = -1;
        log::set_level(log::Level::warn);
        text_ = read_file(path_).value_or("");
        std::filesystem::remove(path_);
    }
    return text_;
}

inline StderrCapture::~StderrCapture() { (void)text(); }

inline std::string kubeconfig_with_user(const std::string& user_yaml) {
    return fmt::format(R"(apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: {}
    certificate-authority: {}
users:
- name: it-user
  user:
{}
contexts:
- name: it
  context: {{cluster: testenv, user: it-user}}
current-context: it
)",
                       testenv().at("TESTENV_APISERVER"), testenv().at("TESTENV_CA"), user_yaml);
}

} // namespace mirrord::testing

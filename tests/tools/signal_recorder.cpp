// signal_recorder: a test app that records every signal it receives.
//
// Usage: signal_recorder [--record FILE] [--exit N] [--raise SIGNO] [--on-signal-exit N]
//                        [--linger-ms MS]
//   --record FILE        append "ready" once the handlers are installed, then one line per
//                        signal received (INT, TERM, HUP, QUIT, USR1, USR2, WINCH)
//   --exit N             exit with N right away (after "ready")
//   --raise SIGNO        kill itself with signal SIGNO right away (default disposition)
//   --on-signal-exit N   exit with N after SIGINT or SIGTERM (default 0)
//   --linger-ms MS       after SIGINT/SIGTERM keep recording for MS before exiting (default 300),
//                        so a duplicate delivery is recorded rather than lost
// Without --exit or --raise it waits for SIGINT/SIGTERM (at most 30 s, then exits 99).

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace {

int g_pipe[2] = {-1, -1};

extern "C" void on_signal(int signo) {
    int saved = errno;
    unsigned char byte = static_cast<unsigned char>(signo);
    ssize_t n = ::write(g_pipe[1], &byte, 1);
    (void)n;
    errno = saved;
}

const char* signal_label(int signo) {
    switch (signo) {
    case SIGINT:
        return "INT";
    case SIGTERM:
        return "TERM";
    case SIGHUP:
        return "HUP";
    case SIGQUIT:
        return "QUIT";
    case SIGUSR1:
        return "USR1";
    case SIGUSR2:
        return "USR2";
    case SIGWINCH:
        return "WINCH";
    default:
        return "OTHER";
    }
}

void record(const std::string& file, const char* line) {
    if (file.empty())
        return;
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    std::string text = std::string(line) + "\n";
    ssize_t n = ::write(fd, text.data(), text.size());
    (void)n;
    ::close(fd);
}

struct Options {
    std::string record_file;
    int exit_now = -1;
    int raise_signal = 0;
    int on_signal_exit = 0;
    int linger_ms = 300;
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        const char* value = argv[i + 1];
        if (flag == "--record")
            options.record_file = value;
        else if (flag == "--exit")
            options.exit_now = std::atoi(value);
        else if (flag == "--raise")
            options.raise_signal = std::atoi(value);
        else if (flag == "--on-signal-exit")
            options.on_signal_exit = std::atoi(value);
        else if (flag == "--linger-ms")
            options.linger_ms = std::atoi(value);
    }
    return options;
}

} // namespace

int main(int argc, char** argv) {
    Options options = parse(argc, argv);
    if (::pipe(g_pipe) != 0)
        return 98;
    for (int signo : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH})
        std::signal(signo, on_signal);
    record(options.record_file, "ready");
    if (options.exit_now >= 0)
        return options.exit_now;
    if (options.raise_signal > 0) {
        std::signal(options.raise_signal, SIG_DFL);
        std::raise(options.raise_signal);
        return 97;
    }

    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + std::chrono::seconds(30);
    bool stopping = false;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0)
            return stopping ? options.on_signal_exit : 99;
        pollfd wake{g_pipe[0], POLLIN, 0};
        if (::poll(&wake, 1, static_cast<int>(left.count())) <= 0)
            continue;
        unsigned char byte = 0;
        if (::read(g_pipe[0], &byte, 1) != 1)
            continue;
        record(options.record_file, signal_label(byte));
        if ((byte == SIGINT || byte == SIGTERM) && !stopping) {
            stopping = true;
            deadline = clock::now() + std::chrono::milliseconds(options.linger_ms);
        }
    }
}

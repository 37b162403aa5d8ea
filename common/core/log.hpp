#pragma once
// Logging to stderr with verbosity levels and secret redaction.
// Every string that reaches stderr through here passes through redact(): any value registered
// with add_secret() is replaced by "********", whatever the verbosity.

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace mirrord::log {

enum class Level { error = 0, warn = 1, info = 2, debug = 3, trace = 4 };

// Sets the most verbose level printed (default: warn). -v = info... see cli.
void set_level(Level level);
// The current level.
Level level();
// True when messages at `level` are printed.
bool enabled(Level level);

// Registers a secret value (token, password, key, secret env value). Values shorter than 4
// characters are ignored: redacting them would mangle ordinary words.
void add_secret(std::string_view secret);
// Returns `text` with every registered secret replaced by "********".
std::string redact(std::string_view text);

// Writes one line "mirrord: <level>: <message>" to stderr, redacted.
void write(Level level, std::string_view message);

template <typename... Args> void warn(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::warn))
        write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args> void info(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::info))
        write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args> void debug(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::debug))
        write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args> void trace(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::trace))
        write(Level::trace, fmt::format(f, std::forward<Args>(args)...));
}

// Prints "mirrord: error: <message>" to stderr, redacted. Used once, where a command fails.
void error(std::string_view message);

} // namespace mirrord::log

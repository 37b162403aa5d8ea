#pragma once
// Splits a byte stream (curl write callbacks of arbitrary size) into newline-terminated lines.
// The apiserver's watch stream is one JSON event per line.

#include <functional>
#include <string>
#include <string_view>

namespace mirrord::kube {

// Accumulates chunks and hands out complete lines (without '\n'; a trailing '\r' is dropped).
class LineSplitter {
public:
    // Receives one complete line; returns false to stop reading.
    using LineHandler = std::function<bool(std::string_view line)>;

    // `max_line` bounds memory when a server never sends a newline; overflow makes feed()
    // return false.
    explicit LineSplitter(size_t max_line = 64 * 1024 * 1024) : max_line_(max_line) {}

    // Appends `chunk` and calls `on_line` for each line it completes. False when a handler asked
    // to stop or the partial line grew past max_line.
    bool feed(std::string_view chunk, const LineHandler& on_line);

    // Bytes of the unfinished last line.
    size_t pending() const { return partial_.size(); }
    // Forgets the unfinished line (after a reconnect).
    void clear() { partial_.clear(); }

private:
    std::string partial_;
    size_t max_line_;
};

} // namespace mirrord::kube

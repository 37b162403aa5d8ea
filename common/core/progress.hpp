#pragma once
// Progress output for long commands (`exec`), in mirrord's MIRRORD_PROGRESS_MODE formats:
//   std     a spinner line on a terminal stderr, redrawn in place, and final lines
//           `✓ msg` / `x msg` / `! msg` / `* msg`, indented two spaces per nesting level. When
//           stderr is not a terminal only the final lines are printed (no spinner, no escapes).
//           Once the root task finished (`Ready!`) the terminal is the app's: the spinner stops
//           and nothing is erased or redrawn again. A later warning is one `! msg\n` line written
//           where the cursor is, with no erase and no leading newline: we cannot know whether
//           the app left the cursor mid-line (asking the terminal, ESC[6n, would race the app
//           for its input), and erasing would wipe a prompt such as `(Pdb) `, so at worst the
//           warning follows the app's partial line, which stays intact.
//   simple  plain lines, no symbols (on stderr: house style keeps stdout for results; mirrord
//           itself uses stdout here).
//   json    one object per line on stdout, as mirrord writes it for IDEs:
//           {"type":"NewTask","name":..,"parent":null|..}, {"type":"FinishedTask","name":..,
//           "success":..,"message":null|..}, {"type":"Warning","message":..}, {"type":"Info",..}
//   off     nothing.
// Every text passes through log::redact, so a secret never reaches the output.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mirrord {

// The output formats of MIRRORD_PROGRESS_MODE (see the top of this file).
enum class ProgressMode { standard, simple, json, off };

// The mode named by a MIRRORD_PROGRESS_MODE value: std|standard, simple|dumb, json, off;
// anything else (or empty) is standard, as in mirrord.
ProgressMode parse_progress_mode(std::string_view value);

// The mode from the MIRRORD_PROGRESS_MODE environment variable.
ProgressMode progress_mode_from_env();

// Where and how progress is written. The defaults fit the real terminal.
struct ProgressOptions {
    ProgressMode mode = ProgressMode::standard;
    // Receives whole chunks of output. Default: stdout for json, stderr otherwise.
    std::function<void(std::string_view)> sink;
    // std mode draws the spinner only when this is true. Default: isatty(stderr).
    std::optional<bool> terminal;
    // How often the spinner is redrawn.
    std::chrono::milliseconds tick{100};
};

namespace detail {
class ProgressPrinter;
}

// One task (the root or a subtask). Finish it with success() or failure(); a task destroyed
// unfinished counts as a failure, as in mirrord (fail_on_drop). Move-only; a moved-from task
// does nothing.
class ProgressTask {
public:
    ProgressTask(ProgressTask&& other) noexcept;
    ProgressTask& operator=(ProgressTask&& other) noexcept;
    ProgressTask(const ProgressTask&) = delete;
    ProgressTask& operator=(const ProgressTask&) = delete;
    ~ProgressTask();

    // Starts a task nested one level below this one.
    ProgressTask subtask(std::string_view title);
    // Finishes with `✓ <message or title>`.
    void success(std::optional<std::string_view> message = std::nullopt);
    // Finishes with `x <message or title>`.
    void failure(std::optional<std::string_view> message = std::nullopt);
    // Prints `! <message>` and keeps the task running.
    void warning(std::string_view message);
    // Prints `* <message>` and keeps the task running.
    void info(std::string_view message);

    // The task's name as shown in JSON (`NewTask.name`).
    const std::string& name() const { return name_; }
    bool finished() const { return finished_; }

private:
    friend ProgressTask start_progress(std::string_view, ProgressOptions);
    ProgressTask(std::shared_ptr<detail::ProgressPrinter> printer, std::string name,
                 std::string parent, int depth);
    void finish(bool success, std::optional<std::string_view> message);

    std::shared_ptr<detail::ProgressPrinter> printer_;
    std::string name_;
    std::string parent_; // empty for the root
    int depth_ = 0;
    size_t id_ = 0;
    bool finished_ = true;
};

// Starts the root task `<title> (cli version X)` (JSON: just `<title>`, as mirrord omits the
// version there because it breaks IDE extensions).
ProgressTask start_progress(std::string_view title, ProgressOptions options);

// The same, with the mode from MIRRORD_PROGRESS_MODE and the default sinks.
ProgressTask start_progress(std::string_view title);

} // namespace mirrord

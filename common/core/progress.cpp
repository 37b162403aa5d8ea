#include "common/core/progress.hpp"

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "common/core/log.hpp"

namespace mirrord {
namespace detail {
namespace {

// indicatif's default spinner frames.
constexpr std::string_view spinner_frames[] = {"⠁", "⠂", "⠄", "⡀", "⢀", "⠠", "⠐", "⠈"};
constexpr std::string_view clear_line = "\r\x1b[2K";

// A JSON string literal. Hand-written so common/core needs no JSON library.
std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20)
                out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
            else
                out += c;
        }
    }
    return out + "\"";
}

std::string json_nullable(const std::optional<std::string>& text) {
    return text ? json_string(*text) : "null";
}

} // namespace

// Shared by all tasks of one progress tree: formats events for the mode and owns the spinner.
class ProgressPrinter {
public:
    explicit ProgressPrinter(ProgressOptions options) : options_(std::move(options)) {
        if (options_.mode == ProgressMode::standard && *options_.terminal)
            spinner_ = std::jthread([this](std::stop_token stop) { spin(stop); });
    }

    ProgressMode mode() const { return options_.mode; }

    void started(size_t id, const std::string& name, const std::string& parent, int depth) {
        std::lock_guard lock(mutex_);
        switch (options_.mode) {
        case ProgressMode::json:
            emit(fmt::format(R"({{"type":"NewTask","name":{},"parent":{}}})",
                             json_string(log::redact(name)),
                             parent.empty() ? "null" : json_string(log::redact(parent))) +
                 "\n");
            break;
        case ProgressMode::simple:
            emit(log::redact(name) + "\n");
            break;
        case ProgressMode::standard:
            active_.push_back({id, depth, log::redact(name)});
            redraw();
            wake_.notify_all();
            break;
        case ProgressMode::off:
            break;
        }
    }

    void finished(size_t id, const std::string& name, int depth, bool success,
                  std::optional<std::string_view> message) {
        std::lock_guard lock(mutex_);
        std::optional<std::string> text;
        if (message)
            text = log::redact(*message);
        switch (options_.mode) {
        case ProgressMode::json:
            emit(fmt::format(R"({{"type":"FinishedTask","name":{},"success":{},"message":{}}})",
                             json_string(log::redact(name)), success, json_nullable(text)) +
                 "\n");
            break;
        case ProgressMode::simple:
            if (text)
                emit(*text + "\n");
            break;
        case ProgressMode::standard:
            std::erase_if(active_, [id](const Line& line) { return line.id == id; });
            print_final(depth, success ? "✓" : "x", text.value_or(log::redact(name)));
            if (depth == 0) {
                // The root's final line (`Ready!`) hands the terminal to the app: from here on
                // nothing but whole lines, and the spinner thread ends.
                handed_over_ = true;
                wake_.notify_all();
            }
            break;
        case ProgressMode::off:
            break;
        }
    }

    void note(size_t id, int depth, bool warning, std::string_view message) {
        std::lock_guard lock(mutex_);
        std::string text = log::redact(message);
        switch (options_.mode) {
        case ProgressMode::json:
            emit(fmt::format(R"({{"type":"{}","message":{}}})", warning ? "Warning" : "Info",
                             json_string(text)) +
                 "\n");
            break;
        case ProgressMode::simple:
            emit(text + "\n");
            break;
        case ProgressMode::standard:
            // As mirrord: printed above the bars, and it becomes the task's current message.
            for (auto& line : active_) {
                if (line.id == id)
                    line.text = text;
            }
            print_final(depth, warning ? "!" : "*", text);
            break;
        case ProgressMode::off:
            break;
        }
    }

private:
    struct Line {
        size_t id;
        int depth;
        std::string text;
    };

    void emit(std::string_view text) { options_.sink(text); }

    // A final line. It replaces our spinner line if one is on screen (and the spinner is drawn
    // again below it); otherwise the line is written as is: erasing the current line then would
    // erase the app's output (a prompt such as `(Pdb) `) once the terminal is the app's.
    void print_final(int depth, std::string_view symbol, std::string_view text) {
        std::string indent(static_cast<size_t>(depth) * 2, ' ');
        emit(fmt::format("{}{}{} {}\n", drawn_ ? clear_line : "", indent, symbol, text));
        drawn_ = false;
        redraw();
    }

    // Draws the innermost running task as the spinner line (terminal only, and only until the
    // root finished). With no task running it clears our own line once, then writes nothing.
    // Caller holds mutex_.
    void redraw() {
        if (!*options_.terminal)
            return;
        if (active_.empty() || handed_over_) {
            if (drawn_)
                emit(clear_line);
            drawn_ = false;
            return;
        }
        const Line& line = active_.back();
        std::string indent(static_cast<size_t>(line.depth) * 2, ' ');
        auto frame = spinner_frames[frame_ % std::size(spinner_frames)];
        emit(fmt::format("{}{}{} {}", clear_line, indent, frame, line.text));
        drawn_ = true;
    }

    // Ticks only while a task runs, and returns once the root finished: an idle spinner that
    // kept "clearing" the line would wipe whatever the app printed without a newline.
    void spin(std::stop_token stop) {
        std::unique_lock lock(mutex_);
        while (!stop.stop_requested()) {
            if (!wake_.wait(lock, stop, [this] { return handed_over_ || !active_.empty(); }))
                break; // stop requested
            if (handed_over_)
                break;
            wake_.wait_for(lock, stop, options_.tick, [] { return false; });
            if (stop.stop_requested())
                break;
            ++frame_;
            redraw();
        }
    }

    ProgressOptions options_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::vector<Line> active_;
    bool drawn_ = false;       // our spinner line is on screen (the cursor is at its end)
    bool handed_over_ = false; // the root finished: the terminal is the app's
    size_t frame_ = 0;
    size_t next_id_ = 1;
    // Last member: destroyed (stopped and joined) first, while the state it uses still exists.
    std::jthread spinner_;

    friend class mirrord::ProgressTask;
    size_t take_id() {
        std::lock_guard lock(mutex_);
        return next_id_++;
    }
};

} // namespace detail

ProgressMode parse_progress_mode(std::string_view value) {
    if (value == "simple" || value == "dumb")
        return ProgressMode::simple;
    if (value == "json")
        return ProgressMode::json;
    if (value == "off")
        return ProgressMode::off;
    return ProgressMode::standard;
}

ProgressMode progress_mode_from_env() {
    const char* value = std::getenv("MIRRORD_PROGRESS_MODE");
    return parse_progress_mode(value != nullptr ? value : "");
}

ProgressTask::ProgressTask(std::shared_ptr<detail::ProgressPrinter> printer, std::string name,
                           std::string parent, int depth)
    : printer_(std::move(printer)), name_(std::move(name)), parent_(std::move(parent)),
      depth_(depth), id_(printer_->take_id()), finished_(false) {
    printer_->started(id_, name_, parent_, depth_);
}

ProgressTask::ProgressTask(ProgressTask&& other) noexcept
    : printer_(std::move(other.printer_)), name_(std::move(other.name_)),
      parent_(std::move(other.parent_)), depth_(other.depth_), id_(other.id_),
      finished_(other.finished_) {
    other.finished_ = true;
}

ProgressTask& ProgressTask::operator=(ProgressTask&& other) noexcept {
    if (this != &other) {
        if (!finished_ && printer_) {
            try {
                finish(false, std::nullopt);
            } catch (...) {
            }
        }
        printer_ = std::move(other.printer_);
        name_ = std::move(other.name_);
        parent_ = std::move(other.parent_);
        depth_ = other.depth_;
        id_ = other.id_;
        finished_ = other.finished_;
        other.finished_ = true;
    }
    return *this;
}

ProgressTask::~ProgressTask() {
    if (finished_ || !printer_)
        return;
    try {
        finish(false, std::nullopt);
    } catch (...) {
        // A destructor never throws; losing one progress line is acceptable.
    }
}

ProgressTask ProgressTask::subtask(std::string_view title) {
    return ProgressTask(printer_, std::string(title), name_, depth_ + 1);
}

void ProgressTask::finish(bool success, std::optional<std::string_view> message) {
    if (finished_ || !printer_)
        return;
    finished_ = true;
    printer_->finished(id_, name_, depth_, success, message);
}

void ProgressTask::success(std::optional<std::string_view> message) { finish(true, message); }
void ProgressTask::failure(std::optional<std::string_view> message) { finish(false, message); }

void ProgressTask::warning(std::string_view message) {
    if (printer_)
        printer_->note(id_, depth_, true, message);
}

void ProgressTask::info(std::string_view message) {
    if (printer_)
        printer_->note(id_, depth_, false, message);
}

ProgressTask start_progress(std::string_view title, ProgressOptions options) {
    if (!options.sink) {
        FILE* stream = options.mode == ProgressMode::json ? stdout : stderr;
        options.sink = [stream](std::string_view text) {
            std::fwrite(text.data(), 1, text.size(), stream);
            std::fflush(stream);
        };
    }
    if (!options.terminal)
        options.terminal = ::isatty(STDERR_FILENO) == 1;
    if (options.mode != ProgressMode::standard)
        options.terminal = false;
    std::string name = options.mode == ProgressMode::json
                           ? std::string(title)
                           : fmt::format("{} (cli version {})", title, MIRRORD_VERSION);
    auto printer = std::make_shared<detail::ProgressPrinter>(std::move(options));
    return ProgressTask(std::move(printer), std::move(name), "", 0);
}

ProgressTask start_progress(std::string_view title) {
    ProgressOptions options;
    options.mode = progress_mode_from_env();
    return start_progress(title, std::move(options));
}

} // namespace mirrord

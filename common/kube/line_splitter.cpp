#include "common/kube/line_splitter.hpp"

namespace mirrord::kube {

bool LineSplitter::feed(std::string_view chunk, const LineHandler& on_line) {
    while (!chunk.empty()) {
        const size_t newline = chunk.find('\n');
        if (newline == std::string_view::npos) {
            partial_.append(chunk);
            return partial_.size() <= max_line_;
        }
        std::string_view line;
        if (partial_.empty()) {
            line = chunk.substr(0, newline); // common case: no copy
        } else {
            partial_.append(chunk.substr(0, newline));
            line = partial_;
        }
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        chunk.remove_prefix(newline + 1);
        const bool keep_going = line.empty() || on_line(line);
        partial_.clear();
        if (!keep_going)
            return false;
    }
    return true;
}

} // namespace mirrord::kube

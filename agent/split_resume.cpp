#include "agent/split_resume.hpp"

#include <charconv>
#include <fmt/format.h>

namespace mirrord::agent {
namespace {

constexpr std::string_view tag = "mirrord-split/1";

std::optional<int64_t> number(std::string_view text) {
    int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0)
        return std::nullopt;
    return value;
}

} // namespace

std::string encode(const Resume& resume) {
    std::string text = fmt::format("{} until={}", tag, resume.until);
    for (const auto& [id, offset] : resume.needs)
        text += fmt::format(" {}={}", id, offset);
    for (const auto& [id, count] : resume.delivered)
        text += fmt::format(" #{}={}", id, count);
    return text;
}

std::optional<Resume> decode(std::string_view metadata) {
    if (!metadata.starts_with(tag))
        return std::nullopt;
    Resume resume;
    bool until_seen = false;
    std::string_view rest = metadata.substr(tag.size());
    while (!rest.empty()) {
        if (rest.front() == ' ') {
            rest.remove_prefix(1);
            continue;
        }
        size_t end = rest.find(' ');
        std::string_view item = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
        size_t eq = item.rfind('=');
        if (eq == std::string_view::npos || eq == 0)
            return std::nullopt;
        auto value = number(item.substr(eq + 1));
        if (!value)
            return std::nullopt;
        std::string_view name = item.substr(0, eq);
        if (name == "until") {
            resume.until = *value;
            until_seen = true;
        } else if (name.starts_with('#')) {
            if (name.size() == 1)
                return std::nullopt;
            resume.delivered[std::string(name.substr(1))] = static_cast<uint64_t>(*value);
        } else {
            resume.needs[std::string(name)] = *value;
        }
    }
    if (!until_seen)
        return std::nullopt;
    return resume;
}

} // namespace mirrord::agent

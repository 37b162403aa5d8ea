#include "agent/filter.hpp"

namespace mirrord::agent {

Result<Filter> Filter::compile(const Entries& entries) {
    RE2::Options options;
    // RE2 otherwise prints compile errors to stderr itself; ours carry them.
    options.set_log_errors(false);
    std::vector<Entry> compiled;
    compiled.reserve(entries.size());
    for (const auto& [header, pattern] : entries) {
        auto re = std::make_unique<RE2>(pattern, options);
        if (!re->ok())
            return fail("header {}: invalid regex \"{}\": {}", header, pattern, re->error());
        compiled.push_back(Entry{header, std::move(re)});
    }
    return Filter(std::move(compiled));
}

bool Filter::matches(const std::vector<kafka::Header>& headers) const {
    for (const auto& entry : entries_) {
        bool found = false;
        for (const auto& header : headers) {
            if (!header.value || header.name != entry.header)
                continue;
            if (RE2::PartialMatch(re2::StringPiece(header.value->data(), header.value->size()),
                                  *entry.pattern)) {
                found = true;
                break;
            }
        }
        if (!found)
            return false;
    }
    return true;
}

std::string Filter::describe() const {
    std::string text;
    for (const auto& entry : entries_)
        text += fmt::format("{}{}={}", text.empty() ? "" : ", ", entry.header,
                            entry.pattern->pattern());
    return text;
}

} // namespace mirrord::agent

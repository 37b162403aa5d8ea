#pragma once
// A session's message filter: header name -> RE2 pattern, all of which must match (as mirrord's
// `message_filter`). Compiled once per session; matching runs for every record of the split.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "common/core/result.hpp"
#include "common/kafka/message.hpp"

namespace mirrord::agent {

class Filter {
public:
    using Entries = std::vector<std::pair<std::string, std::string>>;

    // Compiles every pattern; the error names the header and the pattern
    // (`header source: invalid regex "^(": missing ): (`).
    static Result<Filter> compile(const Entries& entries);

    // True when every entry's pattern is found (unanchored search, RE2::PartialMatch) in the value
    // of a header with that name; with repeated names, any one of them may match. A missing
    // header, or one with a null value, does not match. An empty filter matches every record.
    // Values are searched as bytes (a StringPiece, no copy); patterns are UTF-8, so a byte that
    // is not valid UTF-8 matches no pattern character, not even `.`: `^test-` still matches the
    // value "test-\xff", while `^test-.$` does not.
    bool matches(const std::vector<kafka::Header>& headers) const;

    // "source=^test-, tenant=a" for messages and the summary.
    std::string describe() const;

private:
    struct Entry {
        std::string header;
        std::unique_ptr<RE2> pattern;
    };
    explicit Filter(std::vector<Entry> entries) : entries_(std::move(entries)) {}

    std::vector<Entry> entries_;
};

} // namespace mirrord::agent

// Duplicate keys in a JSON config. nlohmann keeps the last of two equal keys without a word, and
// its parser callback has no position, so this is a second, small scan over text nlohmann has
// already accepted: it only has to find strings, the structure characters and the `:` after a
// key. Two equal keys in one object are an error naming the key path and where the second is.
#include <set>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/config/formats.hpp"

namespace mirrord::config {
namespace {

// One open object or list.
struct Level {
    bool object = false;
    std::string path;           // key path of this container ("" for the root)
    std::set<std::string> keys; // objects: the keys seen so far
    std::string last_key;       // objects: the key whose value comes next
    size_t index = 0;           // lists: the index of the current item
};

std::string child_path(const Level& parent) {
    if (!parent.object)
        return fmt::format("{}[{}]", parent.path, parent.index);
    return parent.path.empty() ? parent.last_key : parent.path + "." + parent.last_key;
}

// The end of the string token that starts at `begin` (one past its closing quote).
size_t string_end(std::string_view text, size_t begin) {
    size_t i = begin + 1;
    while (i < text.size() && text[i] != '"')
        i += text[i] == '\\' ? 2 : 1;
    return i + 1;
}

bool followed_by_colon(std::string_view text, size_t i) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                               text[i] == '\r'))
        ++i;
    return i < text.size() && text[i] == ':';
}

} // namespace

Status check_duplicate_keys(std::string_view text) {
    std::vector<Level> open;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '{' || c == '[') {
            Level level;
            level.object = c == '{';
            if (!open.empty())
                level.path = child_path(open.back());
            open.push_back(std::move(level));
        } else if (c == '}' || c == ']') {
            if (!open.empty())
                open.pop_back();
        } else if (c == ',' && !open.empty() && !open.back().object) {
            ++open.back().index;
        } else if (c == '"') {
            size_t end = string_end(text, i);
            if (!open.empty() && open.back().object && followed_by_colon(text, end)) {
                Level& level = open.back();
                // The decoded key, so "\u0074arget" and "target" are the same key.
                auto key = nlohmann::json::parse(text.substr(i, end - i)).get<std::string>();
                level.last_key = key;
                if (!level.keys.insert(key).second)
                    return fail("{}: duplicate key \"{}\"", line_column(text, i),
                                child_path(level));
            }
            i = end - 1;
        }
    }
    return {};
}

} // namespace mirrord::config

#pragma once
// What a splitter leaves its successor in the metadata of the offsets it commits. Copies held
// back for a session (hold_back.hpp) live only in the leader's memory, so the offset it commits
// on a partition is the first one some session still needs, not the one it has read up to; the
// metadata then says up to where it had read and which sessions need what below that, so a new
// leader re-reads those records for those sessions only: none lost, none twice.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mirrord::agent {

struct Resume {
    // Sessions not in `needs` have received everything of the partition before this offset.
    int64_t until = 0;
    // Session id -> first offset (< until) it still needs.
    std::map<std::string, int64_t> needs;
    // Session id -> copies committed for it so far, all partitions together (the same on every
    // partition of one commit): a new leader's delivered counts go on from there, exactly.
    std::map<std::string, uint64_t> delivered{};

    bool operator==(const Resume&) const = default;
};

// "mirrord-split/1 until=<N> <id>=<offset> ... #<id>=<count> ..." (session ids are Lease names:
// no spaces, '=' or '#').
std::string encode(const Resume& resume);
// nullopt for empty or foreign metadata (anyone can commit offsets for a group).
std::optional<Resume> decode(std::string_view metadata);

} // namespace mirrord::agent

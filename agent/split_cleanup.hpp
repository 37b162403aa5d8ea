#pragma once
// Cleaning up after queue splitting, for every way a session ends (DESIGN.md section 3):
//   - end_split_if_last: when no live session of a split is left, its splitter's consumer group
//     `mirrord-split-<key>` and Lease go too (a later split must start at the topic's end, not
//     resume from old committed offsets);
//   - the reaper's external cleanup (installed by install_split_cleanup): a dead session's
//     topics and groups, found through the broker its Lease recorded (mirrord.dev/split-kafka:
//     client config name and non-secret properties; never secrets);
//   - reset: temporary topics whose session Lease is gone.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"

namespace mirrord::agent {

// Deletes the splitter Lease and group of split `key` when no live session but `self` (which is
// ending) is registered with it and no live session holds its Lease.
Status end_split_if_last(kube::Client& client, const std::string& namespace_,
                         const std::string& key,
                         const std::map<std::string, std::string>& properties,
                         const std::string& self, std::vector<std::string>& actions);

// The broker properties a session Lease recorded (mirrord.dev/split-kafka); empty when none.
std::map<std::string, std::string> recorded_properties(const nlohmann::json& lease);

// Makes every reap (exec, guardian, ls, reset) also delete the dead session's temporary topics
// and groups, and end its split when it was the last session. Call once at startup.
void install_split_cleanup();

// `mirrord reset`: deletes each mirrord-tmp-<id>-* topic and group in the broker of
// `properties` whose session `id` has no Lease in any namespace of `live_ids`.
Status delete_orphan_temporaries(const std::map<std::string, std::string>& properties,
                                 const std::vector<std::string>& session_ids,
                                 std::vector<std::string>& actions);

} // namespace mirrord::agent

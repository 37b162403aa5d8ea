#pragma once
// Cleaning up after queue splitting, for every way a session ends (DESIGN.md section 3):
//   - end_split_if_last: when no live session of a split is left, its splitter's consumer group
//     `mirrord-split-<key>` and Lease go too (a later split must start at the topic's end, not
//     resume from old committed offsets);
//   - the reaper's external cleanup (installed by install_split_cleanup): a dead session's
//     topics and groups, found through the broker its Lease recorded (mirrord.dev/split-kafka:
//     client config name and non-secret properties; never secrets);
//   - reset: temporary topics whose session Lease is gone.

#include <functional>
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

// The resolved properties of client config `name` in `namespace_` (group.id removed).
Result<std::map<std::string, std::string>> resolve_broker(kube::Client& client,
                                                          const std::string& namespace_,
                                                          const std::string& name);

// The broker properties a session Lease recorded (mirrord.dev/split-kafka); empty when none.
std::map<std::string, std::string> recorded_properties(const nlohmann::json& lease);

// How this process reaches a broker whose properties were recorded or resolved: the identity
// unless set_broker_route() installed one. A broker with in-cluster addresses is reached through
// local tunnels (DESIGN.md s8), which the route starts and keeps for the rest of the process.
using BrokerRoute = std::function<Result<std::map<std::string, std::string>>(
    kube::Client& client, const std::map<std::string, std::string>& properties)>;
void set_broker_route(BrokerRoute route);
Result<std::map<std::string, std::string>> route_broker(
    kube::Client& client, const std::map<std::string, std::string>& properties);

// Makes every reap (exec, guardian, ls, reset) also delete the dead session's temporary topics
// and groups, and end its split when it was the last session. Call once at startup.
void install_split_cleanup();

// Deletes each mirrord-tmp-<id>-* topic and group in the broker of `properties` whose session
// id is not one of `session_ids` (the ids that have a Lease anywhere in the cluster).
Status delete_orphan_temporaries(const std::map<std::string, std::string>& properties,
                                 const std::vector<std::string>& session_ids,
                                 std::vector<std::string>& actions);

// `mirrord reset`: the brokers it knows of are those recorded on split Leases of `namespace_`
// and those of the MirrordKafkaClientConfigs in `config_namespace`; in each, deletes the
// temporary topics and groups whose session Lease is gone. Session ids are unique per cluster
// only by chance, so the Leases of every namespace are listed first; without the right to,
// nothing is deleted and a warning says why.
void reset_orphan_temporaries(kube::Client& client, const std::string& namespace_,
                              const std::string& config_namespace,
                              std::vector<std::string>& actions,
                              std::vector<std::string>& warnings);

} // namespace mirrord::agent

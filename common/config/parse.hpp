#pragma once
// The typed half of parsing: a key-checked JSON tree -> Config, with errors naming key paths.
// Only the keys this mirrord implements are read; check_keys() has already vetted the rest.

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/config/config.hpp"

namespace mirrord::config {

// Reads every implemented key of the file's tree; absent keys keep Config's defaults.
Result<Config> parse_config(const nlohmann::json& root);

// `feature.env`: true, false (= exclude everything) or an object.
Result<EnvConfig> parse_env(const nlohmann::json& value, std::string_view path);

// `feature.copy_target`: a bool or an object whose `enabled` defaults to true.
Result<CopyTargetConfig> parse_copy_target(const nlohmann::json& value, std::string_view path);

// `feature.split_queues`: the map form {id: {...}} or the list form [{queue_id, ...}].
Result<std::vector<QueueSplit>> parse_split_queues(const nlohmann::json& value,
                                                   std::string_view path);

// `feature.network`: `outgoing` (a bool or {tcp, udp, ignore_localhost, filter, unix_streams})
// and `dns` (a bool or {enabled, filter}); `incoming` is left to check_keys' warning.
Result<NetworkConfig> parse_network(const nlohmann::json& value, std::string_view path);

// One outgoing filter entry (see AddressFilter); errors name `path`.
Result<AddressFilter> parse_address_filter(std::string_view text, std::string_view path);

// `agent.image`: "registry/image:tag", or {registry, tag} filled from mirrord's default image.
Result<std::string> parse_agent_image(const nlohmann::json& value, std::string_view path);

} // namespace mirrord::config

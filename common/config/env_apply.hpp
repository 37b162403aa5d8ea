#pragma once
// Applying `feature.env` to the remote environment, in mirrord's order (spec 1.6,
// cli/src/execution.rs fetch_env_vars and main.rs exec_process):
//   1. filter the remote variables: never the always-excluded names (PATH, HOME, ...), then
//      keep a name when no `exclude` wildcard matches it and some `include` wildcard does
//      (default include "*"); `load_from_process` or `enabled: false` fetch nothing;
//   2. `env_file` (dotenv) values overwrite remote ones;
//   3. `mapping`: a variable whose NAME matches a regex (RE2, unanchored search) gets the
//      mapping's value; the first pattern in sorted order wins (mirrord iterates a HashMap, whose
//      order is arbitrary; sorting makes ours deterministic);
//   4. `override` overwrites everything;
// and then the child's environment: the local environment overlaid by the result (remote wins),
// minus `unset` names.
//
// Choices, documented because mirrord is inconsistent or does things we do not need:
//   - the always-excluded names are never imported, even when `include` names them: that is what
//     mirrord's agent code does (`!exclude.any() && include.any()`), whatever its docs say;
//   - `unset` removes names case-insensitively, as mirrord's layer does at start (the CLI alone
//     removes exact names; with the layer the app sees the case-insensitive result);
//   - mirrord sets MIRRORD_PROGRESS_MODE=off for its layer; we have no layer, so instead the
//     parent's MIRRORD_PROGRESS_MODE is kept out of the child (a nested tool must not inherit
//     our output mode by accident);
//   - the nested-run guard: mirrord marks its child with MIRRORD_RESOLVED_CONFIG (a base64 JSON
//     its layer decodes). We set our own MIRRORD_EXEC_SESSION=<session id> instead, so a real
//     mirrord layer never tries to decode something of ours; the guard checks both.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/config.hpp"
#include "common/core/dotenv.hpp"
#include "common/core/result.hpp"

namespace mirrord::config {

// The variable that marks a process started by `mirrord exec`; its value is the session id.
inline constexpr std::string_view session_marker_var = "MIRRORD_EXEC_SESSION";

// An environment as an ordered list of (name, value); later entries win.
using EnvList = std::vector<std::pair<std::string, std::string>>;
// An environment by name.
using EnvMap = std::map<std::string, std::string>;

// The names mirrord's agent never imports (mirrord/agent/src/env.rs EnvFilter::new).
bool is_always_excluded_env(std::string_view name);

// Steps 1-4: the remote variables the child gets, after include/exclude, env_file, mapping and
// override. `env_lookup` expands $VAR in the env file. Errors: include with exclude, an
// unreadable or invalid env file, an invalid mapping regex.
Result<EnvMap> merge_remote_env(const EnvList& remote, const EnvConfig& config,
                                const EnvLookup& env_lookup = process_env_lookup());

// The child's whole environment as "NAME=value" entries (sorted by name): `local` overlaid by
// `merged`, minus `unset` (case-insensitive), minus the local MIRRORD_PROGRESS_MODE, plus
// MIRRORD_EXEC_SESSION=<session_id>.
std::vector<std::string> build_child_env(const EnvMap& local, const EnvMap& merged,
                                         const EnvConfig& config, const std::string& session_id);

// mirrord's own process environment.
EnvMap current_process_env();

// The marker variable set in `local` when we already run inside a mirrord session
// (MIRRORD_EXEC_SESSION from us, MIRRORD_RESOLVED_CONFIG from mirrord), else nullopt.
std::optional<std::string> nested_session_marker(const EnvMap& local);

} // namespace mirrord::config

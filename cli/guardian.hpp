#pragma once
// The session guardian: a small detached process that `exec` starts next to itself. It waits
// for its parent `exec` to die and, if the session Lease still exists then (exec was killed
// with SIGKILL, or crashed before cleaning up), undoes the session at once.
//
// It runs `mirrord session-guardian ...` in a new session (setsid), so a terminal's Ctrl+C or
// hangup does not reach it, with stdout/stderr on /dev/null (or MIRRORD_GUARDIAN_LOG). Its stdin
// is a pipe holding the credential exec uses (kube/auth/handoff.hpp): with no terminal of its
// own, the guardian could not run an `interactiveMode: Always` exec plugin.

#include <optional>
#include <string>

#include <sys/types.h>

#include "common/core/result.hpp"
#include "common/kube/connection.hpp"

namespace mirrord::cli {

// Who to watch and what to undo.
struct GuardianArgs {
    pid_t parent = 0;
    std::string namespace_;
    std::string session;
    kube::KubeOptions kube;
};

// Starts the guardian for `args` detached, handing it `credential_line`
// (kube::encode_credential_line; empty: nothing to hand) on its stdin; returns its pid.
Result<pid_t> spawn_guardian(const GuardianArgs& args, const std::string& credential_line);

// The guardian's body: waits for args.parent to exit, then reaps the session if its Lease is
// still there. Returns the exit status (0 when nothing was left or all was undone).
int run_guardian(const GuardianArgs& args);

} // namespace mirrord::cli

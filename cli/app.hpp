#pragma once

namespace mirrord::cli {

// Parses the command line, runs the chosen subcommand, and returns the process exit status:
// 0 ok, 1 error, 2 usage error, or the child's status for `exec`.
int run(int argc, char** argv);

} // namespace mirrord::cli

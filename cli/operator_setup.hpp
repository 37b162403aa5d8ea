#pragma once
// `mirrord operator setup [--namespace NS]`: prints mirrord's CRDs, the config namespace and the
// developer RBAC for `| kubectl apply -f -`. There is no operator to install: queue splitting
// runs inside `mirrord exec`, so mirrord's licence and operator flags are accepted and ignored.

#include <functional>

#include <CLI/CLI.hpp>

namespace mirrord::cli {

// Adds `setup` under `operator_app`; returns what runs it after parsing (the exit status).
std::function<int()> add_operator_setup(CLI::App& operator_app, CLI::App*& setup);

} // namespace mirrord::cli

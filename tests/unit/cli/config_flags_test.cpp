#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include "cli/config_flags.hpp"

using mirrord::cli::ConfigFlags;

namespace {

// Parses `args` (after the program name) as a subcommand with the shared flags and returns what
// load_options() makes of them. The App must outlive that call: ConfigFlags keeps pointers to
// its options (ASan found the test reading a freed CLI::Option).
mirrord::config::LoadOptions parse(std::vector<std::string> args) {
    CLI::App app("test", "mirrord-test");
    ConfigFlags flags;
    flags.add_to(app);
    std::vector<std::string> command;
    app.add_option("command", command);
    std::reverse(args.begin(), args.end()); // CLI11 takes the vector form in reverse order
    app.parse(args);
    return flags.load_options();
}

} // namespace

TEST_CASE("ConfigFlags config file option") {
    SECTION("-f, --config-file and --config all name the config file") {
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {"-f", ".mirrord/x.json", "--", "true"},
                 {"--config-file", ".mirrord/x.json", "--", "true"},
                 {"--config-file=.mirrord/x.json", "--", "true"},
                 {"--config", ".mirrord/x.json", "--", "true"},
                 {"--config=.mirrord/x.json", "--", "true"}}) {
            CAPTURE(args);
            CHECK(parse(args).path == std::optional<std::string>(".mirrord/x.json"));
        }
    }
    SECTION("without one, no path is set (MIRRORD_CONFIG_FILE may still name it)") {
        CHECK_FALSE(parse({"--", "true"}).path);
    }
}

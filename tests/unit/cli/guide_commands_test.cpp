// The command lines the guides tell readers to type work verbatim. Each one runs through the real
// binary and /bin/sh (as the reader's shell would) with a kubeconfig that does not exist, so no
// cluster is reached: a line that needs one must get past argument parsing and config loading
// and stop at "no kubeconfig file found"; a targetless line runs to its end.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>

#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

const fs::path repo = fs::path(MIRRORD_TEST_DATA).parent_path().parent_path();

enum class Outcome {
    runs,          // exit 0; the output contains `expect`
    needs_cluster, // exit 1 at the cluster connection: parsed and config loaded
    not_yet,       // a feature not built yet: fails with `status` and `expect` (see its comment)
};

struct GuideLine {
    const char* line;   // as the guide prints it
    const char* dir;    // where the guide runs it, relative to the repository
    Outcome outcome;
    const char* expect = "";
    int status = 0;            // for not_yet
    const char* run = nullptr; // what the test runs instead of `line` (the comment says why)
};

// Every command line of the guides. Sources: README.md and examples/kafka-debug/README.md
// (their code blocks are also read below, so a new line there must be added here), the user
// guide of issue 9, /work/shared/DESIGN.md and the mirrord spec (mirrord-spec.md, section 2).
const std::vector<GuideLine> guide_lines = {
    // README.md, "What it is".
    {"mirrord exec -f .mirrord/.copy_scaledown.json -- python app.py", "examples/kafka-debug",
     Outcome::needs_cluster},
    // README.md, Approach 1. `$(./venv.sh)` would build the sample's venv; the shell expands it
    // before mirrord starts, so a plain interpreter stands in for it.
    {R"~(../../build/mirrord exec -f .mirrord/.copy_scaledown.json -- "$(./venv.sh)" -u app.py)~",
     "examples/kafka-debug", Outcome::needs_cluster, "", 0,
     R"~(../../build/mirrord exec -f .mirrord/.copy_scaledown.json -- "$PYTHON" -u app.py)~"},
    // examples/kafka-debug/README.md, step 3 and "If something goes wrong".
    {"../../build/mirrord exec -f .mirrord/.copy_scaledown.json -- $PYTHON -u app.py",
     "examples/kafka-debug", Outcome::needs_cluster},
    {"build/mirrord reset -n default", "", Outcome::needs_cluster},
    {"build/mirrord operator status", "", Outcome::needs_cluster},
    // The user guide of issue 9: `--config` is the name it uses.
    {"mirrord exec --config .mirrord/.copy_scaledown.json -- python app.py",
     "examples/kafka-debug", Outcome::needs_cluster},
    {"mirrord exec --config .mirrord/env-only.json -- python app.py", "examples/kafka-debug",
     Outcome::needs_cluster},
    // README.md, the Commands table (its synopses, filled in) and `eval "$(mirrord env ...)"`:
    // eval would hide mirrord's status, so the inner command runs.
    {"mirrord exec -f .mirrord/.copy_scaledown.json -t deployment/kafka-consumer -n default -- "
     "python app.py",
     "examples/kafka-debug", Outcome::needs_cluster},
    {R"~(eval "$(mirrord env -t deployment/x)")~", "", Outcome::needs_cluster, "", 0,
     "mirrord env -t deployment/x"},
    {"mirrord env -f .mirrord/env-only.json --format dotenv --show-secrets",
     "examples/kafka-debug", Outcome::needs_cluster},
    {"mirrord verify-config --ide --resolved .mirrord/.copy_scaledown.json",
     "examples/kafka-debug", Outcome::runs, R"("type": "Success")"},
    {"mirrord ls -n default -t deployment", "", Outcome::needs_cluster},
    {"mirrord reset deployment/kafka-consumer -n default", "", Outcome::needs_cluster},
    {"mirrord operator status -A", "", Outcome::needs_cluster},
    // mirrord spec 2.1 (the form of mirrord's own tests).
    {"mirrord exec -c -- echo hello", "", Outcome::runs, "hello"},
    // DESIGN.md section 5 and issue 10: `operator setup` prints the CRDs and RBAC. The Kafka
    // guide's line carries mirrord's licence flags (accepted and ignored); `<license-key>` would
    // be a redirection in sh and kubectl is not on this PATH, so the test runs the left side
    // with a key (tests/integration/split/setup_test.cpp pipes it into kubectl).
    {"mirrord operator setup", "", Outcome::runs, "kind: CustomResourceDefinition"},
    {"mirrord operator setup --accept-tos --license-key <license-key> --kafka-splitting | "
     "kubectl apply -f -",
     "", Outcome::runs, "name: mirrordkafkaclientconfigs.queues.mirrord.metalbear.co", 0,
     "mirrord operator setup --accept-tos --license-key x --kafka-splitting"},
    // Issue 10: approach 2 (queue splitting) and its walkthrough in examples/kafka-debug;
    // kubectl is not on this PATH, so the left side of the pipe runs.
    {"mirrord exec -f .mirrord/mirrord.json -- python app.py", "examples/kafka-debug",
     Outcome::needs_cluster},
    {"build/mirrord operator setup | kubectl apply -f -", "", Outcome::runs,
     "kind: CustomResourceDefinition", 0, "build/mirrord operator setup"},
    {"build/mirrord reset", "", Outcome::needs_cluster},
    // Not built yet.
    // mirrord spec 7: `mirrord queues status`, the live view of queue splits.
    {"mirrord queues status", "", Outcome::not_yet, "Run with --help", 2},
};

struct Run {
    int status;
    std::string output; // stdout and stderr
};

// A scratch HOME (no ~/.kube/config) holding the kubeconfig path that does not exist.
fs::path scratch_home() {
    auto home = fs::temp_directory_path() / ("mirrord-guide-" + std::to_string(::getpid()));
    fs::create_directories(home);
    return home;
}

// `command` with its leading mirrord (mirrord, build/mirrord, ../../build/mirrord) replaced by
// the binary under test.
std::string with_binary(const std::string& command) {
    static const std::regex leading(R"(^(\.\./\.\./build/|build/)?mirrord(?= ))");
    return std::regex_replace(command, leading, MIRRORD_BINARY,
                              std::regex_constants::format_first_only);
}

Run run_in_shell(const GuideLine& entry) {
    auto dir = repo / entry.dir;
    auto home = scratch_home();
    std::string command = "cd '" + dir.string() + "' && env -i PATH=/usr/bin:/bin HOME='" +
                          home.string() + "' KUBECONFIG='" + (home / "no-kubeconfig").string() +
                          "' PYTHON=python3 MIRRORD_PROGRESS_MODE=off sh -c '" +
                          with_binary(entry.run ? entry.run : entry.line) + "' 2>&1 </dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    REQUIRE(pipe);
    std::string output;
    std::array<char, 4096> buffer{};
    while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get()))
        output.append(buffer.data(), n);
    int status = ::pclose(pipe.release());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// The mirrord command lines in the fenced code blocks of a Markdown file, comments removed.
std::vector<std::string> doc_command_lines(const fs::path& file) {
    static const std::regex mirrord_command(R"(^(\S*/)?mirrord \S)");
    static const std::regex comment(R"((^|\s+)#.*$)");
    std::vector<std::string> lines;
    std::ifstream in(file);
    REQUIRE(in);
    bool in_code = false;
    for (std::string line; std::getline(in, line);) {
        auto start = line.find_first_not_of(' ');
        if (start != std::string::npos && line.compare(start, 3, "```") == 0) {
            in_code = !in_code;
            continue;
        }
        if (!in_code)
            continue;
        auto code = std::regex_replace(line, comment, "");
        code.erase(0, code.find_first_not_of(' '));
        if (std::regex_search(code, mirrord_command))
            lines.push_back(code);
    }
    return lines;
}

} // namespace

TEST_CASE("the guides' command lines") {
    SECTION("every mirrord command line in the repository's guides is checked here") {
        for (const char* doc : {"README.md", "examples/kafka-debug/README.md"}) {
            auto lines = doc_command_lines(repo / doc);
            CHECK_FALSE(lines.empty());
            for (const auto& line : lines) {
                CAPTURE(doc, line);
                CHECK(std::any_of(guide_lines.begin(), guide_lines.end(),
                                  [&](const GuideLine& entry) { return line == entry.line; }));
            }
        }
    }
    SECTION("each one is accepted as printed, or fails as a known not-yet feature") {
        for (const auto& entry : guide_lines) {
            auto run = run_in_shell(entry);
            CAPTURE(entry.line, entry.dir, run.status, run.output);
            // Never a usage error for a line the guides promise.
            if (entry.outcome != Outcome::not_yet) {
                CHECK(run.output.find("not expected") == std::string::npos);
                CHECK(run.output.find("Run with --help") == std::string::npos);
            }
            switch (entry.outcome) {
            case Outcome::runs:
                CHECK(run.status == 0);
                CHECK_THAT(run.output, Catch::Contains(entry.expect));
                break;
            case Outcome::needs_cluster:
                CHECK(run.status == 1);
                CHECK_THAT(run.output, Catch::Contains("no kubeconfig file found"));
                break;
            case Outcome::not_yet:
                // When one of these starts to work, move it up to the lines above.
                CHECK(run.status == entry.status);
                CHECK_THAT(run.output, Catch::Contains(entry.expect));
                break;
            }
        }
    }
    fs::remove_all(scratch_home());
}

TEST_CASE("exec --help names --config") {
    SECTION("the help lists --config next to -f and --config-file") {
        auto run = run_in_shell({"mirrord exec --help", "", Outcome::runs});
        CHECK(run.status == 0);
        CHECK_THAT(run.output, Catch::Contains("-f,--config-file,--config"));
    }
    fs::remove_all(scratch_home());
}

// Data-driven: every file in tests/data/configs/{valid,invalid} (see the README there).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/config/config.hpp"
#include "tests/unit/common/config/test_env.hpp"

using namespace mirrord::config;
using mirrord::testing::ScopedEnv;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> corpus(const std::string& kind) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(fs::path(MIRRORD_TEST_DATA) / "configs" / kind)) {
        if (entry.path().extension() != ".expect")
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::string> expectations(const fs::path& file) {
    std::vector<std::string> lines;
    std::ifstream in(file.string() + ".expect");
    for (std::string line; std::getline(in, line);) {
        if (!line.empty())
            lines.push_back(line);
    }
    return lines;
}

mirrord::Result<Loaded> load_corpus_file(const fs::path& file) {
    LoadOptions options;
    options.path = file.string();
    options.empty_target_is_targetless = true; // as verify-config without --ide
    return load(options);
}

} // namespace

TEST_CASE("config corpus: valid files load with exactly the expected warnings") {
    ScopedEnv env;
    env.set("MIRRORD_BRANCH_NAME", "main");
    auto files = corpus("valid");
    REQUIRE(files.size() >= 10);
    for (const auto& file : files) {
        CAPTURE(file.filename().string());
        auto loaded = load_corpus_file(file);
        if (!loaded) {
            FAIL_CHECK(loaded.error().message());
            continue;
        }
        auto expected = expectations(file);
        CHECK(loaded->warnings.size() == expected.size());
        for (const auto& want : expected) {
            bool found = std::any_of(loaded->warnings.begin(), loaded->warnings.end(),
                                     [&](const std::string& w) { return w.find(want) != w.npos; });
            CAPTURE(want);
            CHECK(found);
        }
    }
}

TEST_CASE("config corpus: invalid files fail with the expected error") {
    ScopedEnv env;
    env.set("MIRRORD_BRANCH_NAME", "main");
    auto files = corpus("invalid");
    REQUIRE(files.size() >= 30);
    for (const auto& file : files) {
        CAPTURE(file.filename().string());
        auto expected = expectations(file);
        REQUIRE(expected.size() == 1);
        auto loaded = load_corpus_file(file);
        REQUIRE_FALSE(loaded);
        CHECK_THAT(loaded.error().message(), Catch::Contains(expected[0]));
        // Every error names the file it came from.
        CHECK_THAT(loaded.error().message(), Catch::Contains(file.filename().string()));
    }
}

TEST_CASE("config corpus: the Kafka guide's configs resolve as documented") {
    ScopedEnv env;
    auto dir = fs::path(MIRRORD_TEST_DATA) / "configs" / "valid";
    auto scale = load_corpus_file(dir / "copy_scaledown.json");
    REQUIRE(scale);
    CHECK(scale->config.operator_ == std::optional<bool>(true));
    CHECK(scale->config.target.path->display() == "deployment/kafka-consumer/container/consumer");
    CHECK(scale->config.copy_target.enabled);
    CHECK(scale->config.copy_target.scale_down);

    auto split = load_corpus_file(dir / "mirrord.json");
    REQUIRE(split);
    REQUIRE(split->config.split_queues.size() == 1);
    const auto& queue = split->config.split_queues[0];
    CHECK(queue.id == "test_topic");
    CHECK(queue.queue_type == "Kafka");
    CHECK(queue.message_filter == std::map<std::string, std::string>{{"source", "^test-"}});
    CHECK(queue.mode == QueueMode::mirror);
    CHECK_FALSE(split->config.copy_target.enabled);
}

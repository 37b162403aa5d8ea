// `mirrord operator setup` prints exactly the shipped files of configs/, embedded at build time,
// and --namespace renames only mirrord's config namespace.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/manifests.hpp"

using namespace mirrord;
namespace fs = std::filesystem;

namespace {

const fs::path repo = fs::path(MIRRORD_TEST_DATA).parent_path().parent_path();

std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

size_t count(const std::string& text, const std::string& piece) {
    size_t n = 0;
    for (size_t at = text.find(piece); at != std::string::npos; at = text.find(piece, at + 1))
        ++n;
    return n;
}

} // namespace

TEST_CASE("operator setup manifests", "[cli]") {
    SECTION("every CRD and namespaced RBAC file is embedded verbatim, CRDs first") {
        std::vector<std::string> expected;
        for (const char* dir : {"configs/crds", "configs/rbac"})
            for (const auto& entry : fs::directory_iterator(repo / dir))
                if (entry.path().extension() == ".yaml" &&
                    entry.path().filename().string().rfind("clusterrole", 0) != 0)
                    expected.push_back(fs::relative(entry.path(), repo).string());
        const auto& manifests = cli::shipped_manifests();
        REQUIRE(manifests.size() == expected.size());
        CHECK(std::string(manifests.front().path).rfind("configs/crds/", 0) == 0);
        CHECK(std::string(manifests[2].path) == "configs/rbac/namespace.yaml");
        for (const auto& manifest : manifests) {
            CAPTURE(manifest.path);
            CHECK(std::find(expected.begin(), expected.end(), manifest.path) != expected.end());
            CHECK(read(repo / manifest.path) == manifest.text);
        }
    }

    SECTION("the default output is the files joined, each after its source line") {
        std::string joined;
        for (const auto& manifest : cli::shipped_manifests())
            joined += std::string("---\n# Source: ") + manifest.path + "\n" + manifest.text;
        CHECK(cli::setup_yaml() == joined);
        CHECK(count(joined, "kind: CustomResourceDefinition") == 2);
    }

    SECTION("--namespace renames the Namespace and the objects in it, nothing else") {
        auto renamed = cli::setup_yaml("team-kafka");
        CHECK(count(renamed, "namespace: team-kafka") == count(cli::setup_yaml(),
                                                               "namespace: mirrord"));
        CHECK(count(renamed, "namespace: mirrord\n") == 0);
        CHECK_THAT(renamed, Catch::Contains("kind: Namespace\nmetadata:\n  name: team-kafka\n"));
        // The Role and CRD names that contain "mirrord" are untouched.
        CHECK_THAT(renamed, Catch::Contains("name: mirrord-kafka-config-reader\n"));
        CHECK_THAT(renamed, Catch::Contains("group: queues.mirrord.metalbear.co\n"));
        size_t longer = std::string("team-kafka").size() - std::string("mirrord").size();
        CHECK(renamed.size() ==
              cli::setup_yaml().size() + count(renamed, "team-kafka") * longer);
    }

    SECTION("namespace names are RFC 1123 labels") {
        CHECK(cli::valid_namespace_name("mirrord"));
        CHECK(cli::valid_namespace_name("a-1"));
        CHECK_FALSE(cli::valid_namespace_name(""));
        CHECK_FALSE(cli::valid_namespace_name("Mirrord"));
        CHECK_FALSE(cli::valid_namespace_name("-a"));
        CHECK_FALSE(cli::valid_namespace_name(std::string(64, 'a')));
    }
}

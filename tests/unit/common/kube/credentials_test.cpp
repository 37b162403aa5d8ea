#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "common/kube/auth/credentials.hpp"

using namespace mirrord;
using namespace mirrord::kube;

TEST_CASE("tokenFile credential source") {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("mirrord-token-file-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto token_path = dir / "token";
    std::ofstream(token_path) << "token-file-test-value-1\n";
    Connection connection;
    connection.user.token_file = token_path.string();
    auto source = make_credential_source(connection);

    SECTION("a prefetched token outlives its file until a 401") {
        REQUIRE(source->get()->bearer_token == "token-file-test-value-1");
        std::filesystem::remove(token_path);
        auto later = source->get();
        REQUIRE(later);
        CHECK(later->bearer_token == "token-file-test-value-1");
        CHECK(source->invalidate());
        auto rejected = source->get();
        REQUIRE_FALSE(rejected);
        CHECK_THAT(rejected.error().message(), Catch::StartsWith("reading tokenFile"));
    }
    SECTION("a rotated file is read again") {
        REQUIRE(source->get());
        std::ofstream(token_path) << "token-file-test-value-2\n";
        // Rotation is noticed by mtime; make sure it differs even on a coarse clock.
        std::filesystem::last_write_time(
            token_path, std::filesystem::last_write_time(token_path) + std::chrono::seconds(2));
        CHECK(source->get()->bearer_token == "token-file-test-value-2");
    }
    std::filesystem::remove_all(dir);
}

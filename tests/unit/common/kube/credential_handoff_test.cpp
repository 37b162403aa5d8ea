#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <unistd.h>

#include "common/core/files.hpp"
#include "common/core/log.hpp"
#include "common/kube/auth/handoff.hpp"
#include "common/kube/connection.hpp"
#include "common/kube/rest_client.hpp"

using namespace mirrord;
using namespace mirrord::kube;
using Clock = std::chrono::system_clock;

namespace {

// A fallback that counts its fetches and answers with a token of its own.
class CountingSource final : public CredentialSource {
public:
    Result<Credential> get() override {
        ++gets;
        Credential credential;
        credential.bearer_token = "own-token";
        return credential;
    }
    bool invalidate() override {
        ++invalidations;
        return true;
    }
    int gets = 0;
    int invalidations = 0;
};

Credential token(const std::string& value, std::optional<Clock::time_point> expires = {}) {
    Credential credential;
    credential.bearer_token = value;
    credential.expires = expires;
    return credential;
}

int lines_in(const std::string& path) {
    auto text = read_file(path);
    return text ? static_cast<int>(std::count(text->begin(), text->end(), '\n')) : 0;
}

} // namespace

TEST_CASE("credential handoff line") {
    SECTION("every field and the expiry come back as they were sent") {
        Credential sent;
        sent.bearer_token = "handoff-token-1";
        sent.username = "dev";
        sent.password = "handoff-password-1";
        sent.client_cert_pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        sent.client_key_pem = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
        sent.expires = Clock::time_point(std::chrono::seconds(1900000000));
        const auto line = encode_credential_line(sent);
        CHECK(line.back() == '\n');
        CHECK(std::count(line.begin(), line.end(), '\n') == 1); // one line: PEMs are escaped
        auto got = decode_credential_line(line);
        REQUIRE(got);
        CHECK(got->bearer_token == sent.bearer_token);
        CHECK(got->username == "dev");
        CHECK(got->password == sent.password);
        CHECK(got->client_cert_pem == sent.client_cert_pem);
        CHECK(got->client_key_pem == sent.client_key_pem);
        CHECK(got->expires == sent.expires);
    }
    SECTION("decoding registers the secrets: a log line shows none of them") {
        auto got = decode_credential_line(R"({"token":"handoff-token-2","password":"pw-2x"})");
        REQUIRE(got);
        CHECK(log::redact("token handoff-token-2 password pw-2x") ==
              "token ******** password ********");
    }
    SECTION("no expiry stays unknown; a far one clamps instead of overflowing") {
        CHECK_FALSE(decode_credential_line(R"({"token":"t"})")->expires);
        CHECK(decode_credential_line(R"({"token":"t","expires":99999999999999})")->expires ==
              Clock::time_point::max());
    }
    SECTION("a malformed line is an error naming the key, never a value") {
        auto not_json = decode_credential_line("{\"token\":\"secret-part");
        REQUIRE_FALSE(not_json);
        CHECK(not_json.error().message() == "the credential handed over is not a JSON object");
        CHECK_THAT(not_json.error().message(), !Catch::Contains("secret-part"));
        auto wrong = decode_credential_line(R"({"token":5})");
        REQUIRE_FALSE(wrong);
        CHECK_THAT(wrong.error().message(), Catch::Contains("\"token\" is not a string"));
        auto expiry = decode_credential_line(R"({"token":"t","expires":"soon"})");
        REQUIRE_FALSE(expiry);
        CHECK_THAT(expiry.error().message(), Catch::Contains("\"expires\" is not an integer"));
        CHECK_FALSE(decode_credential_line(R"({"clientCertificateData":"c"})"));
    }
}

TEST_CASE("handed credential source") {
    auto fallback = std::make_shared<CountingSource>();
    SECTION("answers with the handed credential without asking the fallback") {
        auto source = make_handed_source(token("handed"), fallback);
        CHECK(source->get()->bearer_token == "handed");
        CHECK(source->get()->bearer_token == "handed");
        CHECK(fallback->gets == 0);
    }
    SECTION("after a 401 the fallback answers, and the request is worth a retry") {
        auto source = make_handed_source(token("handed"), fallback);
        CHECK(source->invalidate());
        CHECK(fallback->invalidations == 0); // the fallback's own cache was not the one refused
        CHECK(source->get()->bearer_token == "own-token");
        CHECK(source->invalidate());
        CHECK(fallback->invalidations == 1);
    }
    SECTION("an expired (or about to expire) credential is not used") {
        auto source = make_handed_source(token("handed", Clock::now() + std::chrono::seconds(5)),
                                         fallback);
        CHECK(source->get()->bearer_token == "own-token");
        CHECK(fallback->gets == 1);
    }
    SECTION("a credential valid for longer is used") {
        auto source = make_handed_source(token("handed", Clock::now() + std::chrono::hours(1)),
                                         fallback);
        CHECK(source->get()->bearer_token == "handed");
    }
}

TEST_CASE("Client credential sharing and handoff") {
    KubeOptions options;
    options.kubeconfig = MIRRORD_TEST_DATA "/kubeconfig/exec.yaml";
    auto connection = resolve_connection(options);
    REQUIRE(connection);
    const auto count_file = std::filesystem::temp_directory_path() /
                            ("mirrord-handoff-" + std::to_string(::getpid()));
    std::filesystem::remove(count_file);
    ::setenv("FAKE_PLUGIN_COUNT_FILE", count_file.c_str(), 1);
    // No request is sent: the server (10.0.0.1) is never contacted.
    SECTION("a client with other options runs the plugin once with the first") {
        auto client = Client::create(*connection);
        REQUIRE(client);
        auto renewer = (*client)->with_options(ClientOptions{});
        REQUIRE(renewer);
        REQUIRE((*client)->prefetch_credentials());
        REQUIRE((*renewer)->prefetch_credentials());
        CHECK(lines_in(count_file) == 1);
    }
    SECTION("the current credential carries the plugin's token and expiry") {
        auto client = Client::create(*connection);
        REQUIRE(client);
        auto current = (*client)->current_credential();
        REQUIRE(current);
        CHECK(current->bearer_token == "fixture-exec-token-4321"); // exec.yaml sets it
        REQUIRE(current->expires); // fake-plugin.sh: 2999-01-01, clamped
        CHECK(*current->expires > Clock::now() + std::chrono::hours(24 * 365));
    }
    SECTION("a handed credential spares the plugin run, even when the plugin would fail") {
        ::setenv("FAKE_PLUGIN_FAIL", "1", 1);
        auto client = Client::create(*connection);
        REQUIRE(client);
        (*client)->use_handed_credential(token("from-exec"));
        auto fetched = (*client)->prefetch_credentials();
        ::unsetenv("FAKE_PLUGIN_FAIL");
        INFO((fetched ? std::string() : fetched.error().message()));
        CHECK(fetched);
        CHECK((*client)->current_credential()->bearer_token == "from-exec");
        CHECK(lines_in(count_file) == 0);
    }
    ::unsetenv("FAKE_PLUGIN_COUNT_FILE");
    std::filesystem::remove(count_file);
}

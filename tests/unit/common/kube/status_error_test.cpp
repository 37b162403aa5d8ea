#include <catch2/catch.hpp>

#include "common/core/log.hpp"
#include "common/kube/status_error.hpp"

using namespace mirrord;
using namespace mirrord::kube;

TEST_CASE("status_error") {
    SECTION("a Status object's message follows the verb, path and HTTP status") {
        const std::string body = R"({"kind":"Status","apiVersion":"v1","status":"Failure",
            "message":"pods is forbidden: User \"dev\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"",
            "reason":"Forbidden","details":{"kind":"pods"},"code":403})";
        auto error = status_error("GET", "/api/v1/namespaces/default/pods", 403, body);
        CHECK(error.message() ==
              "GET /api/v1/namespaces/default/pods: 403 Forbidden: pods is forbidden: User "
              "\"dev\" cannot list resource \"pods\" in API group \"\" in the namespace "
              "\"default\"");
    }
    SECTION("a Status without message falls back to its reason") {
        auto error = status_error("PATCH", "/x", 409, R"({"kind":"Status","reason":"Conflict"})");
        CHECK(error.message() == "PATCH /x: 409 Conflict: Conflict");
    }
    SECTION("a non-JSON body (a proxy page) is shortened") {
        auto error = status_error("GET", "/x", 502, std::string(1000, 'x'));
        CHECK(error.message().size() < 400);
        CHECK_THAT(error.message(), Catch::StartsWith("GET /x: 502 Bad Gateway: xxx"));
    }
    SECTION("an empty 401 still says why") {
        auto error = status_error("GET", "/x", 401, "");
        CHECK(error.message() == "GET /x: 401 Unauthorized: the credentials were rejected");
    }
    SECTION("secrets echoed by a server are redacted") {
        log::add_secret("status-test-secret-token");
        auto error = status_error("GET", "/x", 400, "bad token status-test-secret-token");
        CHECK(error.message().find("status-test-secret-token") == std::string::npos);
    }
}

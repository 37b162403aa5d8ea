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

TEST_CASE("status_error: HTTP status and Status reason") {
    const std::string not_found = R"({"kind":"Status","apiVersion":"v1","status":"Failure",
        "message":"deployments.apps \"web\" not found","reason":"NotFound",
        "details":{"name":"web","group":"apps","kind":"deployments"},"code":404})";
    const std::string conflict = R"({"kind":"Status","apiVersion":"v1","status":"Failure",
        "message":"Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again",
        "reason":"Conflict","details":{"name":"web","group":"apps","kind":"deployments"},"code":409})";
    const std::string already_exists = R"({"kind":"Status","apiVersion":"v1","status":"Failure",
        "message":"leases.coordination.k8s.io \"mirrord-session-ab12\" already exists",
        "reason":"AlreadyExists","details":{"name":"mirrord-session-ab12","kind":"leases"},"code":409})";
    const std::string forbidden = R"({"kind":"Status","apiVersion":"v1","status":"Failure",
        "message":"deployments.apps \"web\" is forbidden: User \"dev\" cannot patch resource \"deployments\"",
        "reason":"Forbidden","code":403})";

    SECTION("a Status body gives the HTTP status and the reason") {
        auto error = status_error("GET", "/apis/apps/v1/namespaces/a/deployments/web", 404,
                                  not_found);
        CHECK(error.http_status() == 404);
        CHECK(error.reason() == "NotFound");
        CHECK(is_not_found(error));
        CHECK_FALSE(is_conflict(error));
        CHECK_FALSE(is_forbidden(error));
    }
    SECTION("wrapping keeps them, as an rvalue and as a copy") {
        auto error = status_error("PATCH", "/x", 409, conflict);
        const Error copy = error;
        auto moved = std::move(error).wrap("scaling down deployment a/web");
        auto wrapped = copy.wrap("restoring").wrap("mirrord exec");
        for (const Error* e : {&moved, &wrapped}) {
            CHECK(e->http_status() == 409);
            CHECK(e->reason() == "Conflict");
            CHECK(is_conflict(*e));
        }
        CHECK_THAT(wrapped.message(), Catch::StartsWith("mirrord exec: restoring: PATCH /x: 409"));
        Status status = Status(copy).wrap("outer");
        CHECK(is_conflict(status.error()));
        Result<int> result = Result<int>(copy).wrap("outer");
        CHECK(result.error().reason() == "Conflict");
    }
    SECTION("AlreadyExists shares 409 with Conflict but is not a conflict") {
        auto error = status_error("POST", "/apis/coordination.k8s.io/v1/namespaces/a/leases",
                                  409, already_exists);
        CHECK(error.http_status() == 409);
        CHECK(is_already_exists(error));
        CHECK_FALSE(is_conflict(error));
    }
    SECTION("Forbidden") {
        auto error = status_error("PATCH", "/x", 403, forbidden);
        CHECK(is_forbidden(error));
        CHECK(error.reason() == "Forbidden");
    }
    SECTION("without a Status body the HTTP status decides") {
        auto error = status_error("GET", "/x", 404, "<html>404 page not found</html>");
        CHECK(error.reason().empty());
        CHECK(is_not_found(error));
        CHECK(is_conflict(status_error("PATCH", "/x", 409, "")));
        CHECK(is_forbidden(status_error("GET", "/x", 403, "forbidden")));
        CHECK_FALSE(is_already_exists(status_error("POST", "/x", 409, "")));
    }
    SECTION("a message that merely quotes a status is not that status") {
        // A transport or plugin error may echo text such as a proxy's page or a server name.
        auto quoted = fail("GET https://proxy/: upstream said: 404 Not Found");
        CHECK_FALSE(is_not_found(quoted));
        auto wrapped_conflict = fail("watch: 409 Conflict").wrap("x");
        CHECK_FALSE(is_conflict(wrapped_conflict));
        CHECK(quoted.http_status() == 0);
    }
    SECTION("a Status with a reason or message of the wrong type does not throw") {
        auto error = status_error("GET", "/x", 404, R"({"kind":"Status","reason":7,"message":[]})");
        CHECK(error.reason().empty());
        CHECK(is_not_found(error));
        CHECK(error.message() == "GET /x: 404 Not Found");
    }
}

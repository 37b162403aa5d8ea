#include "common/kube/status_error.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "common/kube/json_fields.hpp"

namespace mirrord::kube {
namespace {

constexpr size_t max_body_in_error = 300;

// What a response body says: Status.message (or a short piece of whatever else came back) and
// Status.reason.
struct Explained {
    std::string message;
    std::string reason;
};

Explained explain(const std::string& body) {
    auto document = nlohmann::json::parse(body, nullptr, false);
    // Not JSON (a proxy's HTML page, plain text) is discarded: fall through to the raw text.
    if (document.is_object() && string_member(document, "kind") == "Status") {
        Explained explained{string_member(document, "message"), string_member(document, "reason")};
        if (explained.message.empty())
            explained.message = explained.reason;
        return explained;
    }
    std::string text(trim(body));
    if (text.size() > max_body_in_error)
        text = text.substr(0, max_body_in_error) + "...";
    return {text, ""};
}

// The reasons client-go knows (k8s.io/apimachinery metav1.StatusReason*). Only when the reason
// is none of these does the HTTP status decide, as in apierrors.IsConflict: a 409 with reason
// AlreadyExists is not a conflict.
bool is_known_reason(const std::string& reason) {
    static const std::array<std::string_view, 19> known{
        "Unauthorized", "Forbidden", "NotFound", "AlreadyExists", "Conflict", "Gone", "Invalid",
        "ServerTimeout", "StoreReadError", "Timeout", "TooManyRequests", "BadRequest",
        "MethodNotAllowed", "NotAcceptable", "RequestEntityTooLarge", "UnsupportedMediaType",
        "InternalError", "Expired", "ServiceUnavailable"};
    return std::find(known.begin(), known.end(), reason) != known.end();
}

bool has_reason(const Error& error, std::string_view reason, long http_status) {
    if (error.reason() == reason)
        return true;
    return http_status != 0 && error.http_status() == http_status &&
           !is_known_reason(error.reason());
}

} // namespace

std::string reason_phrase(long http_status) {
    switch (http_status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "HTTP error";
    }
}

Error status_error(const std::string& method, const std::string& path, long http_status,
                   const std::string& body) {
    auto [why, reason] = explain(body);
    if (http_status == 401 && why.empty())
        why = "the credentials were rejected";
    std::string message = fmt::format("{} {}: {} {}", method, path, http_status,
                                      reason_phrase(http_status));
    if (!why.empty())
        message += ": " + why;
    return Error(log::redact(message), http_status, std::move(reason));
}

bool is_not_found(const Error& error) { return has_reason(error, "NotFound", 404); }
bool is_conflict(const Error& error) { return has_reason(error, "Conflict", 409); }
bool is_already_exists(const Error& error) { return has_reason(error, "AlreadyExists", 0); }
bool is_forbidden(const Error& error) { return has_reason(error, "Forbidden", 403); }

} // namespace mirrord::kube

#include "common/kube/status_error.hpp"

#include <nlohmann/json.hpp>

#include "common/core/log.hpp"
#include "common/core/strings.hpp"

namespace mirrord::kube {
namespace {

constexpr size_t max_body_in_error = 300;

// Status.message, or a short piece of whatever else came back.
std::string explain(const std::string& body) {
    try {
        auto document = nlohmann::json::parse(body);
        if (document.is_object() && document.value("kind", "") == "Status") {
            std::string message = document.value("message", "");
            if (message.empty())
                message = document.value("reason", "");
            return message;
        }
    } catch (const nlohmann::json::exception&) {
        // Not JSON (a proxy's HTML page, plain text): fall through to the raw text.
    }
    std::string text(trim(body));
    if (text.size() > max_body_in_error)
        text = text.substr(0, max_body_in_error) + "...";
    return text;
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
    std::string why = explain(body);
    if (http_status == 401 && why.empty())
        why = "the credentials were rejected";
    std::string message = fmt::format("{} {}: {} {}", method, path, http_status,
                                      reason_phrase(http_status));
    if (!why.empty())
        message += ": " + why;
    return Error(log::redact(message));
}

} // namespace mirrord::kube

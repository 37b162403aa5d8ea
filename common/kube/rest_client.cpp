#include "common/kube/rest_client.hpp"

#include <cstdlib>
#include <thread>

#include "common/core/log.hpp"
#include "common/kube/auth/handoff.hpp"
#include "common/kube/json_fields.hpp"
#include "common/kube/status_error.hpp"

namespace mirrord::kube {
namespace {

using std::chrono::milliseconds;

bool is_success(long status) { return status >= 200 && status < 300; }

std::string percent_encode(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out.push_back(static_cast<char>(c));
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

// Sleeps `delay` in short slices so a stop request is noticed within 200 ms.
void sleep_unless_stopped(milliseconds delay, const std::atomic<bool>* stop) {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until && !(stop != nullptr && stop->load()))
        std::this_thread::sleep_for(std::min<milliseconds>(
            milliseconds(200), std::chrono::duration_cast<milliseconds>(
                                   until - std::chrono::steady_clock::now())));
}

json parse_if_json(const std::string& raw) {
    if (raw.empty() || (raw.front() != '{' && raw.front() != '['))
        return nullptr;
    try {
        return json::parse(raw);
    } catch (const json::exception&) {
        return nullptr;
    }
}

Error not_json(const ApiRequest& request, const std::string& raw) {
    constexpr size_t shown = 60;
    std::string start = raw.substr(0, shown) + (raw.size() > shown ? "..." : "");
    for (auto& c : start)
        if (c == '\n' || c == '\r')
            c = ' ';
    return fail("{} {}: the response is not JSON (it starts with \"{}\")", request.method,
                request.path, log::redact(start));
}

} // namespace

std::string with_query(const std::string& path, const Query& query) {
    std::string out = path;
    char separator = '?';
    for (const auto& [key, value] : query) {
        out += separator + percent_encode(key) + "=" + percent_encode(value);
        separator = '&';
    }
    return out;
}

ClientOptions client_options_from_env() {
    ClientOptions options;
    if (const char* qps = std::getenv("MIRRORD_KUBE_QPS"); qps != nullptr && *qps != '\0')
        options.qps = std::atof(qps);
    if (const char* burst = std::getenv("MIRRORD_KUBE_BURST"); burst != nullptr && *burst != '\0')
        options.burst = std::atoi(burst);
    return options;
}

Result<std::unique_ptr<Client>> Client::create(Connection connection, ClientOptions options) {
    MIRRORD_TRY_ASSIGN(auto transport,
                       HttpTransport::create(connection, options.connect_timeout));
    std::unique_ptr<Client> client(new Client());
    client->credentials_ = make_credential_source(connection);
    client->limiter_ = std::make_unique<RateLimiter>(options.qps, options.burst);
    client->transport_ = std::move(transport);
    client->connection_ = std::move(connection);
    client->options_ = options;
    return client;
}

Result<std::unique_ptr<Client>> Client::connect(const KubeOptions& options) {
    MIRRORD_TRY_ASSIGN(auto connection, resolve_connection(options));
    log::debug("kube: context \"{}\" from {}, server {}, namespace {}", connection.context,
               connection.source, connection.server, connection.namespace_);
    return create(std::move(connection));
}

Result<std::unique_ptr<Client>> Client::with_options(ClientOptions options) const {
    MIRRORD_TRY_ASSIGN(auto client, create(connection_, options));
    client->credentials_ = credentials_;
    return client;
}

Status Client::prefetch_credentials() {
    auto credential = credentials_->get();
    if (!credential)
        return std::move(credential).error().wrap(
            fmt::format("fetching the credentials of context \"{}\"", connection_.context));
    return {};
}

Result<Credential> Client::current_credential() {
    return credentials_->get().wrap(
        fmt::format("fetching the credentials of context \"{}\"", connection_.context));
}

void Client::use_handed_credential(Credential handed) {
    credentials_ = make_handed_source(std::move(handed), std::move(credentials_));
}

Result<Response> Client::send_once(const ApiRequest& request, bool streaming,
                                   const ChunkSink* sink, const std::atomic<bool>* stop,
                                   AttemptOutcome& outcome) {
    MIRRORD_TRY_ASSIGN(auto credential, credentials_->get());
    HttpRequest http{request.method, with_query(request.path, request.query), request.body,
                     request.content_type,
                     streaming ? milliseconds(0) : options_.request_timeout};
    HttpAttempt attempt = streaming ? transport_->stream(http, credential, *sink, stop)
                                    : transport_->perform(http, credential);
    const std::string url = transport_->url(http.target);
    if (attempt.code != CURLE_OK) {
        log::debug("{} {} -> {} ({} ms)", request.method, url, attempt.transfer_error,
                   attempt.elapsed.count());
        outcome.connection_failed = HttpTransport::is_connection_failure(attempt.code);
        outcome.nothing_sent = HttpTransport::failed_before_sending(attempt.code);
        return fail("{} {}: {}", request.method, url, log::redact(attempt.transfer_error));
    }
    log::debug("{} {} -> {} ({} ms)", request.method, url, attempt.status,
               attempt.elapsed.count());
    outcome.http_status = attempt.status;
    outcome.retry_after = parse_retry_after(attempt.retry_after);
    Response response{attempt.status, std::move(attempt.body), nullptr, std::move(attempt.date)};
    response.body = parse_if_json(response.raw);
    return response;
}

Result<Response> Client::call(const ApiRequest& request) {
    const bool idempotent = is_idempotent(request.method);
    milliseconds waited{0};
    bool reauthenticated = false;
    for (int attempt = 1;; ++attempt) {
        limiter_->acquire();
        AttemptOutcome outcome;
        auto result = send_once(request, false, nullptr, nullptr, outcome);
        // An expired exec credential or rotated token: fetch a fresh one once.
        if (result && result->status == 401 && !reauthenticated && credentials_->invalidate()) {
            reauthenticated = true;
            continue;
        }
        auto delay = retry_delay(options_.retry, outcome, idempotent, attempt, waited);
        if (!delay) {
            if (!result && attempt > 1)
                return std::move(result).error().wrap(
                    fmt::format("giving up after {} attempts", attempt));
            return result;
        }
        log::info("{} {}: {}; retrying in {} ms", request.method, request.path,
                  result ? fmt::format("{} {}", result->status, reason_phrase(result->status))
                         : result.error().message(),
                  delay->count());
        sleep_unless_stopped(*delay, nullptr);
        waited += *delay;
    }
}

Result<Response> Client::stream(const ApiRequest& request, const ChunkSink& sink,
                                const std::atomic<bool>* stop) {
    limiter_->acquire();
    AttemptOutcome outcome;
    auto result = send_once(request, true, &sink, stop, outcome);
    if (result && result->status == 401 && credentials_->invalidate()) {
        limiter_->acquire();
        result = send_once(request, true, &sink, stop, outcome);
    }
    return result;
}

Result<json> Client::expect_ok(const ApiRequest& request) {
    MIRRORD_TRY_ASSIGN(auto response, call(request));
    if (!is_success(response.status))
        return status_error(request.method, request.path, response.status, response.raw);
    // Every API call we make answers with a JSON object; anything else came from something in
    // between (a captive portal, a proxy's page) and must not reach the callers' readers.
    if (response.body.is_null())
        return not_json(request, response.raw);
    return std::move(response.body);
}

Result<json> Client::get(const std::string& path, const Query& query) {
    return expect_ok({"GET", path, query, "", ""});
}

Result<std::optional<json>> Client::get_optional(const std::string& path) {
    MIRRORD_TRY_ASSIGN(auto response, call({"GET", path, {}, "", ""}));
    if (response.status == 404)
        return std::optional<json>();
    if (!is_success(response.status))
        return status_error("GET", path, response.status, response.raw);
    if (response.body.is_null())
        return not_json({"GET", path, {}, "", ""}, response.raw);
    return std::optional<json>(std::move(response.body));
}

Result<json> Client::create(const std::string& collection_path, const json& object) {
    return expect_ok({"POST", collection_path, {}, object.dump(), "application/json"});
}

Result<json> Client::replace(const std::string& path, const json& object) {
    return expect_ok({"PUT", path, {}, object.dump(), "application/json"});
}

Result<json> Client::merge_patch(const std::string& path, const json& patch) {
    return expect_ok({"PATCH", path, {}, patch.dump(), "application/merge-patch+json"});
}

Result<json> Client::json_patch(const std::string& path, const json& operations) {
    return expect_ok({"PATCH", path, {}, operations.dump(), "application/json-patch+json"});
}

Result<bool> Client::remove(const std::string& path, const std::string& propagation) {
    const json options = {{"kind", "DeleteOptions"},
                          {"apiVersion", "v1"},
                          {"propagationPolicy", propagation}};
    MIRRORD_TRY_ASSIGN(auto response,
                       call({"DELETE", path, {}, options.dump(), "application/json"}));
    if (response.status == 404)
        return false;
    if (!is_success(response.status))
        return status_error("DELETE", path, response.status, response.raw);
    return true;
}

Result<json> Client::list(const std::string& path, const ListOptions& options) {
    json first;
    json items = json::array();
    std::string continue_token;
    do {
        Query query{{"limit", std::to_string(options.limit)}};
        if (!options.label_selector.empty())
            query.emplace_back("labelSelector", options.label_selector);
        if (!options.field_selector.empty())
            query.emplace_back("fieldSelector", options.field_selector);
        if (!options.resource_version.empty() && continue_token.empty())
            query.emplace_back("resourceVersion", options.resource_version);
        if (!continue_token.empty())
            query.emplace_back("continue", continue_token);
        MIRRORD_TRY_ASSIGN(auto page, get(path, query));
        // JSON that is not an object (an array from something in between) must not throw.
        if (!page.is_object())
            return fail("GET {}: the response is not a JSON list object", path);
        for (const auto& item : array_member(page, "items"))
            items.push_back(item);
        continue_token = string_member(object_member(page, "metadata"), "continue");
        if (first.is_null())
            first = std::move(page);
    } while (!continue_token.empty());
    first["items"] = std::move(items);
    if (first.contains("metadata") && first["metadata"].is_object())
        first["metadata"].erase("continue");
    return first;
}

} // namespace mirrord::kube

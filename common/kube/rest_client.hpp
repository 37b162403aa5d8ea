#pragma once
// The Kubernetes REST client: credentials, client-side throttling, retries and Status errors on
// top of HttpTransport. Objects stay nlohmann::json; resources.hpp builds the paths.
//
// Thread safety: every method may be called from several threads at once (the transport pools
// curl handles; the credential source and rate limiter lock internally).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"
#include "common/kube/auth/credentials.hpp"
#include "common/kube/connection.hpp"
#include "common/kube/http_transport.hpp"
#include "common/kube/rate_limiter.hpp"
#include "common/kube/retry.hpp"

namespace mirrord::kube {

using json = nlohmann::json;
using Query = std::vector<std::pair<std::string, std::string>>;

// Tuning. Defaults: 50 QPS / burst 100 rather than client-go's 5/10, because a CLI run is short
// and bursty (ls lists several kinds at once, exec polls pods while starting) and kubectl itself
// raised its defaults to 50 QPS; MIRRORD_KUBE_QPS / MIRRORD_KUBE_BURST override (0 = off).
struct ClientOptions {
    double qps = 50;
    int burst = 100;
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
    RetryPolicy retry;
};

// ClientOptions with MIRRORD_KUBE_QPS / MIRRORD_KUBE_BURST applied.
ClientOptions client_options_from_env();

// A response with any status; `body` is parsed JSON when the body was JSON, else null.
struct Response {
    long status = 0;
    std::string raw;
    json body;
    std::string date; // the Date header ("Tue, 01 Dec 2026 18:48:35 GMT"), empty when absent
};

// One API request before it is sent.
struct ApiRequest {
    std::string method = "GET";
    std::string path; // /api/v1/namespaces/default/pods
    Query query;
    std::string body;
    std::string content_type;
};

// Options for list(): label/field selectors and page size; list() follows `continue` itself.
struct ListOptions {
    std::string label_selector;
    std::string field_selector;
    int limit = 500;
    // "0" lets the apiserver answer from its watch cache at once. Without it a list is a
    // consistent read, which right after a write waits for the cache to catch up (tens of ms).
    std::string resource_version = {};
};

class Client {
public:
    // Builds a client for `connection` (see resolve_connection).
    static Result<std::unique_ptr<Client>> create(Connection connection,
                                                  ClientOptions options = client_options_from_env());
    // resolve_connection(options) + create().
    static Result<std::unique_ptr<Client>> connect(const KubeOptions& options);
    // A client for the same connection with other options that shares this one's credential
    // source: an exec plugin runs once for both (an interactive one prompts once).
    Result<std::unique_ptr<Client>> with_options(ClientOptions options) const;

    // Fetches the credential now (runs the exec plugin, reads the token file) and caches it as a
    // request would, until its expiry or a 401. For a process that must reach the apiserver
    // later, when the plugin may no longer work (the session guardian: fetched while exec is
    // alive, used after exec died). Errors name the plugin or file.
    Status prefetch_credentials();
    // The credential requests use now (fetched if need be), to hand to another process; see
    // auth/handoff.hpp. Errors name the plugin or file.
    Result<Credential> current_credential();
    // From now on requests use `handed` (from the process that started us) until it expires or
    // gets a 401, then this client's own source. Call before any request is in flight.
    void use_handed_credential(Credential handed);

    const Connection& connection() const { return connection_; }
    // The credential source requests use, for other transports to the same apiserver (the
    // port-forward tunnel), so that they share its cache and plugin runs.
    std::shared_ptr<CredentialSource> credential_source() const { return credentials_; }
    // The namespace to use when the caller gave none.
    const std::string& default_namespace() const { return connection_.namespace_; }

    // Sends with throttling, credential refresh on 401 and retries; any HTTP status is returned
    // as a Response. Errors are transport failures after the retry budget.
    Result<Response> call(const ApiRequest& request);

    // GET; non-2xx becomes a Status error, and so does a 2xx body that is not JSON (for every
    // method below that returns an object).
    Result<json> get(const std::string& path, const Query& query = {});
    // GET; nullopt on 404.
    Result<std::optional<json>> get_optional(const std::string& path);
    // GET a collection, following `continue` until the end; returns the first page's object with
    // every page's items.
    Result<json> list(const std::string& path, const ListOptions& options = {});
    // POST.
    Result<json> create(const std::string& collection_path, const json& object);
    // PUT.
    Result<json> replace(const std::string& path, const json& object);
    // DELETE with propagationPolicy (Background, Foreground, Orphan). False when already gone.
    Result<bool> remove(const std::string& path, const std::string& propagation = "Background");
    // PATCH application/merge-patch+json.
    Result<json> merge_patch(const std::string& path, const json& patch);
    // PATCH application/json-patch+json (an array of operations).
    Result<json> json_patch(const std::string& path, const json& operations);

    // A streaming GET (watch): feeds body bytes to `sink`; stops when `stop` is set. Returns the
    // final status; non-2xx bodies are in Response.raw.
    Result<Response> stream(const ApiRequest& request, const ChunkSink& sink,
                            const std::atomic<bool>* stop);

private:
    Client() = default;
    Result<Response> send_once(const ApiRequest& request, bool streaming, const ChunkSink* sink,
                               const std::atomic<bool>* stop, AttemptOutcome& outcome);
    Result<json> expect_ok(const ApiRequest& request);

    Connection connection_;
    ClientOptions options_;
    std::unique_ptr<HttpTransport> transport_;
    std::shared_ptr<CredentialSource> credentials_;
    std::unique_ptr<RateLimiter> limiter_;
};

// "path?k=v&..." with values percent-encoded.
std::string with_query(const std::string& path, const Query& query);

} // namespace mirrord::kube

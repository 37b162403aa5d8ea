#pragma once
// One HTTP attempt to the apiserver over libcurl, with the cluster's TLS settings. No retries,
// no throttling, no status interpretation: rest_client.cpp layers those on top.
//
// Thread safety: perform() and stream() may be called from several threads at once. Idle easy
// handles wait in a pool; each call checks one out, so a handle (and its keep-alive connection)
// is only ever used by one thread at a time, and sequential calls reuse the same connection.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/core/result.hpp"
#include "common/kube/auth/credentials.hpp"
#include "common/kube/connection.hpp"
#include "common/kube/handles.hpp"

namespace mirrord::kube {

// One request as sent: `target` is the path plus query string.
struct HttpRequest {
    std::string method = "GET";
    std::string target;
    std::string body;
    std::string content_type;
    std::chrono::milliseconds timeout{std::chrono::seconds(60)}; // 0 = none (streams)
};

// The outcome of one attempt. `code` != CURLE_OK means no complete response.
struct HttpAttempt {
    CURLcode code = CURLE_OK;
    std::string transfer_error; // curl's message; never contains credentials
    long status = 0;
    std::string body;
    std::string retry_after;
    std::string date; // the Date header: the apiserver's clock (session liveness uses it)
    std::chrono::milliseconds elapsed{0};
};

// Receives streamed body bytes; returns false to abort the transfer.
using ChunkSink = std::function<bool(std::string_view)>;

// Connection settings applied to every request.
class HttpTransport {
public:
    // Validates the server URL and prepares TLS, proxy and SNI settings.
    static Result<std::unique_ptr<HttpTransport>> create(const Connection& connection,
                                                         std::chrono::milliseconds connect_timeout);

    // Sends one request and reads the whole response.
    HttpAttempt perform(const HttpRequest& request, const Credential& credential);

    // Sends one request and feeds the body to `sink` as it arrives; checks `stop` at least
    // every 200 ms. A body that is not 2xx is collected into the result instead.
    HttpAttempt stream(const HttpRequest& request, const Credential& credential,
                       const ChunkSink& sink, const std::atomic<bool>* stop);

    // The full URL for a request target, as logged.
    std::string url(const std::string& target) const { return server_ + target; }

    // True when a transfer failure happened before anything was sent.
    static bool failed_before_sending(CURLcode code);
    // True when a transfer failure is a broken or refused connection (worth retrying).
    static bool is_connection_failure(CURLcode code);

private:
    HttpTransport() = default;
    EasyHandle checkout();
    void checkin(EasyHandle handle);
    Status configure(CURL* handle, const HttpRequest& request, const Credential& credential,
                     HeaderList& headers) const;

    std::string server_;     // as the user wrote it, for logs
    std::string url_base_;   // the URL we ask curl for (host replaced by tls-server-name)
    std::string connect_to_; // CURLOPT_CONNECT_TO entry when tls-server-name is set
    HeaderList connect_to_list_;
    std::string host_header_;
    std::string ca_pem_;
    bool insecure_ = false;
    std::string proxy_url_;
    std::chrono::milliseconds connect_timeout_{0};
    std::mutex pool_mutex_;
    std::vector<EasyHandle> pool_;
};

} // namespace mirrord::kube

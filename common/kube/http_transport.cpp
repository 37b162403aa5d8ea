#include "common/kube/http_transport.hpp"

#include <mutex>

#include "common/core/log.hpp"

namespace mirrord::kube {
namespace {

std::once_flag curl_initialized;

// CURLOPT_WRITEFUNCTION for whole responses. Must not throw through C.
size_t collect(char* data, size_t size, size_t count, void* userdata) {
    try {
        static_cast<std::string*>(userdata)->append(data, size * count);
        return size * count;
    } catch (...) {
        return 0; // makes curl fail the transfer with CURLE_WRITE_ERROR
    }
}

std::string url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
    char* raw = nullptr;
    if (curl_url_get(url, part, &raw, flags) != CURLUE_OK)
        return {};
    CurlString owned(raw);
    return owned.get();
}

// Blobs are copied by curl (CURL_BLOB_COPY), so the PEM strings need not outlive the call.
CURLcode set_blob(CURL* handle, CURLoption option, const std::string& pem) {
    curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
    return curl_easy_setopt(handle, option, &blob);
}

} // namespace

Result<std::unique_ptr<HttpTransport>> HttpTransport::create(
    const Connection& connection, std::chrono::milliseconds connect_timeout) {
    std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    std::unique_ptr<HttpTransport> transport(new HttpTransport());
    UrlHandle url(curl_url());
    if (!url || curl_url_set(url.get(), CURLUPART_URL, connection.server.c_str(), 0) != CURLUE_OK)
        return fail("invalid server URL \"{}\"", connection.server);
    const std::string scheme = url_part(url.get(), CURLUPART_SCHEME);
    if (scheme != "https" && scheme != "http")
        return fail("server URL \"{}\" must use https (or http)", connection.server);
    const std::string host = url_part(url.get(), CURLUPART_HOST);
    const std::string port = url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
    std::string prefix = url_part(url.get(), CURLUPART_PATH);
    while (prefix.ends_with('/'))
        prefix.pop_back(); // e.g. Rancher's https://host/k8s/clusters/c-x
    transport->server_ = connection.server;
    transport->url_base_ = connection.server;
    if (!connection.tls_server_name.empty()) {
        // curl has no SNI override; ask for the TLS name and route the connection to the real
        // host, sending the original Host header as Go's client does.
        transport->url_base_ =
            fmt::format("{}://{}:{}{}", scheme, connection.tls_server_name, port, prefix);
        transport->connect_to_ =
            fmt::format("{}:{}:{}:{}", connection.tls_server_name, port, host, port);
        transport->host_header_ = fmt::format("Host: {}:{}", host, port);
        // Built once and only read by curl, so every handle and thread can share it.
        if (!append_header(transport->connect_to_list_, transport->connect_to_.c_str()))
            return fail("out of memory");
    }
    transport->ca_pem_ = connection.ca_pem;
    transport->insecure_ = connection.insecure;
    transport->proxy_url_ = connection.proxy_url;
    transport->connect_timeout_ = connect_timeout;
    return transport;
}

EasyHandle HttpTransport::checkout() {
    {
        std::lock_guard lock(pool_mutex_);
        if (!pool_.empty()) {
            EasyHandle handle = std::move(pool_.back());
            pool_.pop_back();
            // curl_easy_reset keeps live connections and the TLS session cache.
            curl_easy_reset(handle.get());
            return handle;
        }
    }
    return EasyHandle(curl_easy_init());
}

void HttpTransport::checkin(EasyHandle handle) {
    std::lock_guard lock(pool_mutex_);
    pool_.push_back(std::move(handle));
}

Status HttpTransport::configure(CURL* h, const HttpRequest& request, const Credential& credential,
                                HeaderList& headers) const {
    const std::string url = url_base_ + request.target;
    CURLcode rc = CURLE_OK;
    auto set = [&rc](CURLcode result) {
        if (rc == CURLE_OK)
            rc = result;
    };
    set(curl_easy_setopt(h, CURLOPT_URL, url.c_str()));
    set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
    set(curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L));
    set(curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "")); // gzip: lists shrink a lot
    set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_.count())));
    set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count())));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, insecure_ ? 0L : 1L));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, insecure_ ? 0L : 2L));
    if (!ca_pem_.empty())
        set(set_blob(h, CURLOPT_CAINFO_BLOB, ca_pem_));
    if (!connect_to_.empty()) {
        set(curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to_list_.get()));
        if (!append_header(headers, host_header_.c_str()))
            return fail("out of memory");
    }
    if (!proxy_url_.empty())
        set(curl_easy_setopt(h, CURLOPT_PROXY, proxy_url_.c_str()));
    if (!credential.client_cert_pem.empty()) {
        set(set_blob(h, CURLOPT_SSLCERT_BLOB, credential.client_cert_pem));
        set(curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM"));
        set(set_blob(h, CURLOPT_SSLKEY_BLOB, credential.client_key_pem));
        set(curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM"));
    }
    if (!credential.bearer_token.empty()) {
        const std::string line = "Authorization: Bearer " + credential.bearer_token;
        if (!append_header(headers, line.c_str()))
            return fail("out of memory");
    } else if (!credential.username.empty()) {
        set(curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)));
        set(curl_easy_setopt(h, CURLOPT_USERNAME, credential.username.c_str()));
        set(curl_easy_setopt(h, CURLOPT_PASSWORD, credential.password.c_str()));
    }
    if (!append_header(headers, "Accept: application/json") ||
        !append_header(headers, "User-Agent: mirrord/" MIRRORD_VERSION))
        return fail("out of memory");
    if (!request.content_type.empty()) {
        const std::string line = "Content-Type: " + request.content_type;
        if (!append_header(headers, line.c_str()))
            return fail("out of memory");
    }
    if (request.method != "GET")
        set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str()));
    if (!request.body.empty() || request.method == "POST") {
        set(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size())));
        set(curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str()));
    }
    set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()));
    if (rc != CURLE_OK)
        return fail("configuring the request: {}", curl_easy_strerror(rc));
    return {};
}

HttpAttempt HttpTransport::perform(const HttpRequest& request, const Credential& credential) {
    HttpAttempt attempt;
    const auto started = std::chrono::steady_clock::now();
    EasyHandle handle = checkout();
    HeaderList headers;
    if (!handle) {
        attempt.code = CURLE_FAILED_INIT;
        attempt.transfer_error = "curl_easy_init failed";
        return attempt;
    }
    if (auto configured = configure(handle.get(), request, credential, headers); !configured) {
        attempt.code = CURLE_FAILED_INIT;
        attempt.transfer_error = configured.error().message();
        return attempt;
    }
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(handle.get(), CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle.get(), CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(handle.get(), CURLOPT_WRITEDATA, &attempt.body);
    attempt.code = curl_easy_perform(handle.get());
    if (attempt.code != CURLE_OK) {
        attempt.transfer_error = error_buffer[0] != '\0' ? error_buffer
                                                         : curl_easy_strerror(attempt.code);
    } else {
        curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &attempt.status);
        curl_header* header = nullptr;
        if (curl_easy_header(handle.get(), "Retry-After", 0, CURLH_HEADER, -1, &header) ==
            CURLHE_OK)
            attempt.retry_after = header->value;
        if (curl_easy_header(handle.get(), "Date", 0, CURLH_HEADER, -1, &header) == CURLHE_OK)
            attempt.date = header->value;
    }
    curl_easy_setopt(handle.get(), CURLOPT_ERRORBUFFER, nullptr);
    attempt.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    checkin(std::move(handle));
    return attempt;
}

bool HttpTransport::failed_before_sending(CURLcode code) {
    return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
           code == CURLE_COULDNT_RESOLVE_PROXY;
}

bool HttpTransport::is_connection_failure(CURLcode code) {
    return failed_before_sending(code) || code == CURLE_OPERATION_TIMEDOUT ||
           code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_GOT_NOTHING ||
           code == CURLE_PARTIAL_FILE || code == CURLE_HTTP2 || code == CURLE_HTTP2_STREAM ||
           code == CURLE_SSL_CONNECT_ERROR;
}

} // namespace mirrord::kube

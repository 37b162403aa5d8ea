// HttpTransport::stream: a long-lived response (watch) read through a curl multi handle, so the
// loop wakes at least every 200 ms to check the caller's stop flag even when no bytes arrive.

#include "common/kube/http_transport.hpp"

namespace mirrord::kube {
namespace {

constexpr int poll_interval_ms = 200;
constexpr size_t max_error_body = 64 * 1024;

struct StreamState {
    CURL* handle = nullptr;
    const ChunkSink* sink = nullptr;
    HttpAttempt* attempt = nullptr;
    bool sink_stopped = false;
};

// CURLOPT_WRITEFUNCTION: a 2xx body goes to the sink; anything else is kept for the error.
// Must not throw through C.
size_t on_stream_data(char* data, size_t size, size_t count, void* userdata) {
    auto* state = static_cast<StreamState*>(userdata);
    const size_t length = size * count;
    try {
        if (state->attempt->status == 0)
            curl_easy_getinfo(state->handle, CURLINFO_RESPONSE_CODE, &state->attempt->status);
        if (state->attempt->status / 100 != 2) {
            if (state->attempt->body.size() < max_error_body)
                state->attempt->body.append(data, length);
            return length;
        }
        if (!(*state->sink)(std::string_view(data, length))) {
            state->sink_stopped = true;
            return 0;
        }
        return length;
    } catch (...) {
        state->sink_stopped = true;
        return 0;
    }
}

// Drives the transfer until it finishes or `stop` is set; returns the transfer's result.
CURLcode run_multi(CURLM* multi, const std::atomic<bool>* stop, bool& stopped) {
    int running = 1;
    while (running > 0) {
        if (stop != nullptr && stop->load()) {
            stopped = true;
            return CURLE_ABORTED_BY_CALLBACK;
        }
        if (CURLMcode mc = curl_multi_perform(multi, &running); mc != CURLM_OK)
            return CURLE_FAILED_INIT;
        if (running > 0)
            curl_multi_poll(multi, nullptr, 0, poll_interval_ms, nullptr);
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued))
        if (message->msg == CURLMSG_DONE)
            return message->data.result;
    return CURLE_OK;
}

} // namespace

HttpAttempt HttpTransport::stream(const HttpRequest& request, const Credential& credential,
                                  const ChunkSink& sink, const std::atomic<bool>* stop) {
    HttpAttempt attempt;
    const auto started = std::chrono::steady_clock::now();
    EasyHandle handle = checkout();
    MultiHandle multi(curl_multi_init());
    HeaderList headers;
    if (!handle || !multi) {
        attempt.code = CURLE_FAILED_INIT;
        attempt.transfer_error = "curl init failed";
        return attempt;
    }
    if (auto configured = configure(handle.get(), request, credential, headers); !configured) {
        attempt.code = CURLE_FAILED_INIT;
        attempt.transfer_error = configured.error().message();
        return attempt;
    }
    StreamState state{handle.get(), &sink, &attempt};
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(handle.get(), CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle.get(), CURLOPT_WRITEFUNCTION, on_stream_data);
    curl_easy_setopt(handle.get(), CURLOPT_WRITEDATA, &state);
    curl_multi_add_handle(multi.get(), handle.get());
    bool stopped = false;
    attempt.code = run_multi(multi.get(), stop, stopped);
    curl_multi_remove_handle(multi.get(), handle.get());
    if (attempt.status == 0)
        curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &attempt.status);
    if (state.sink_stopped || stopped)
        attempt.code = CURLE_OK; // the caller asked for the end; not a failure
    else if (attempt.code != CURLE_OK)
        attempt.transfer_error =
            error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(attempt.code);
    curl_easy_setopt(handle.get(), CURLOPT_ERRORBUFFER, nullptr);
    attempt.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    checkin(std::move(handle));
    return attempt;
}

} // namespace mirrord::kube

#pragma once
// Owning aliases for libcurl handles: every CURL*, CURLM* and curl_slist* lives in one of these
// from the line that creates it, so no early return can leak a connection or a header list.

#include <memory>

#include <curl/curl.h>

namespace mirrord::kube {

struct EasyDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct MultiDeleter {
    void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct UrlDeleter {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
    void operator()(char* text) const { curl_free(text); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// One transfer handle; keeps its connection cache (keep-alive) between requests.
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
// A multi handle, used by watch to wait with a short timeout and check its stop flag.
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
// A parsed URL (curl_url API).
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;
// A string allocated by libcurl.
using CurlString = std::unique_ptr<char, CurlStringDeleter>;
// A request header list.
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends `line` to `list` (which may be empty); returns false when curl is out of memory.
inline bool append_header(HeaderList& list, const char* line) {
    curl_slist* grown = curl_slist_append(list.get(), line);
    if (grown == nullptr)
        return false;
    (void)list.release();
    list.reset(grown);
    return true;
}

} // namespace mirrord::kube

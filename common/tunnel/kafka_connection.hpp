#pragma once
// The Kafka-aware part of one proxied connection, without sockets: the proxy hands it what it
// reads from either side and sends on what it gets back. Requests pass through unchanged and
// are remembered by correlation id; responses that carry broker addresses (or the ApiVersions
// list) are buffered whole and rewritten, all others are forwarded as they arrive, so a large
// Fetch response is never held in memory.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/core/result.hpp"
#include "common/tunnel/kafka_correlation.hpp"
#include "common/tunnel/kafka_frame.hpp"
#include "common/tunnel/kafka_rewrite.hpp"

namespace mirrord::tunnel::kafka {

class KafkaConnection {
public:
    // Receives a one-line warning for the log (a request version whose responses may carry an
    // address we do not rewrite); called once per (api key, version) and connection.
    using WarningHandler = std::function<void(const std::string& warning)>;

    explicit KafkaConnection(ResponseRewrite how, WarningHandler warn = {},
                             std::size_t max_frame = default_max_frame);

    // Takes bytes read from the client and appends the bytes to send to the broker. An error
    // (unreadable frame, SASL handshake v0) means the connection must be closed.
    Status from_client(std::string_view chunk, std::string& to_broker);

    // Takes bytes read from the broker and appends the bytes to send to the client. An error
    // (a response to no request, an unreadable rewritten response) means the connection must be
    // closed.
    Status from_broker(std::string_view chunk, std::string& to_client);

    // Requests still waiting for their response.
    std::size_t pending_requests() const { return correlator_.pending(); }

    // How many of the next bytes from the broker from_broker() would pass on unchanged (the
    // rest of a response that needs no rewrite, e.g. a large Fetch). The proxy may send that
    // many itself, without the copy, and then report them with skip_passthrough().
    std::size_t passthrough_pending() const { return failed_ ? 0 : passing_; }
    // Accounts for `count` <= passthrough_pending() bytes the caller sent on itself.
    void skip_passthrough(std::size_t count) { passing_ -= std::min(count, passing_); }

private:
    Status on_request(std::string_view frame);
    Status start_response(std::string& to_client);

    ResponseRewrite how_;
    WarningHandler warn_;
    std::size_t max_frame_;
    FrameSplitter requests_;
    Correlator correlator_;
    std::vector<std::uint32_t> warned_;

    // Response side: the first 8 bytes (size, correlation id) of the current frame, then either
    // the count of bytes to pass through or the frame being buffered for a rewrite.
    std::string head_;
    std::size_t passing_ = 0;
    std::string buffered_;
    std::size_t buffered_size_ = 0;
    PendingRequest buffered_for_;
    bool failed_ = false;
};

} // namespace mirrord::tunnel::kafka

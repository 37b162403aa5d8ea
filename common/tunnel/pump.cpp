#include "common/tunnel/pump.hpp"

#include <array>
#include <vector>
#include <memory>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "common/core/log.hpp"
#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_connection.hpp"

namespace mirrord::tunnel {
namespace {

using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

enum class Mode { undecided, raw, kafka };

// What both directions of one connection share; only touched on the loop thread.
struct PumpState {
    explicit PumpState(const asio::any_io_executor& executor) : wake(executor) {}
    asio::steady_timer wake; // cancelled when the broker-to-client direction ends
    bool down_done = false;
    Status down_status;
    Clock::time_point last_down = Clock::now();
    Mode mode = Mode::undecided;
    std::optional<kafka::KafkaConnection> kafka;
};

void start_kafka(PumpState& state, const PumpOptions& options) {
    state.mode = Mode::kafka;
    state.kafka.emplace(options.kafka, [warn = options.warn](const std::string& warning) {
        if (warn)
            warn(warning);
    });
}

// Upstream to client. Ends on the upstream's end or error, or when the client cannot take more.
asio::awaitable<void> pump_down(tcp::socket& client, Upstream& upstream,
                                std::shared_ptr<PumpState> state) {
    std::string rewritten;
    for (;;) {
        auto got = co_await upstream.read();
        if (!got) {
            state->down_status = std::move(got).error();
            break;
        }
        if (got->empty())
            break;
        state->last_down = Clock::now();
        if (state->mode == Mode::undecided)
            state->mode = Mode::raw; // the server spoke first: not Kafka
        std::string_view data = *got;
        boost::system::error_code ec;
        if (state->mode == Mode::kafka) {
            // The bulk of a Fetch response goes out as it came in, without a copy.
            const auto direct = std::min(state->kafka->passthrough_pending(), data.size());
            if (direct > 0) {
                co_await asio::async_write(client, asio::buffer(data.data(), direct),
                                           asio::redirect_error(asio::use_awaitable, ec));
                if (ec)
                    break;
                state->kafka->skip_passthrough(direct);
                data.remove_prefix(direct);
                if (data.empty())
                    continue;
            }
            rewritten.clear();
            if (auto fed = state->kafka->from_broker(data, rewritten); !fed) {
                state->down_status = std::move(fed).error().wrap("Kafka proxy");
                break;
            }
            data = rewritten;
        }
        co_await asio::async_write(client, asio::buffer(data.data(), data.size()),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec)
            break;
    }
}

// Client to upstream, inline in pump(). Returns true when the client ended its side cleanly.
asio::awaitable<bool> pump_up(tcp::socket& client, Upstream& upstream, PumpState& state,
                              const PumpOptions& options, Status& status) {
    std::vector<char> buffer(256 * 1024);
    std::string pending; // first bytes held back until the protocol is known
    std::string to_broker;
    for (;;) {
        boost::system::error_code ec;
        const auto got = co_await client.async_read_some(
            asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
        if (ec)
            co_return ec == asio::error::eof;
        std::string_view data(buffer.data(), got);
        if (state.mode == Mode::undecided || !pending.empty()) {
            pending.append(data);
            if (state.mode == Mode::undecided) {
                const auto sniffed = sniff_kafka(pending);
                if (sniffed == Sniffed::need_more)
                    continue;
                if (sniffed == Sniffed::kafka)
                    start_kafka(state, options);
                else
                    state.mode = Mode::raw;
            }
            data = pending;
        }
        if (state.mode == Mode::kafka) {
            to_broker.clear();
            if (auto fed = state.kafka->from_client(data, to_broker); !fed) {
                status = std::move(fed).error().wrap("Kafka proxy");
                co_return false;
            }
            data = to_broker;
        }
        if (auto sent = co_await upstream.write(data); !sent) {
            status = std::move(sent);
            co_return false;
        }
        pending.clear();
    }
}

// Waits until the down direction ended, or (with `idle`) until it moved nothing for that long.
asio::awaitable<void> wait_down(PumpState& state, std::optional<Clock::duration> idle) {
    while (!state.down_done) {
        if (idle) {
            const auto deadline = state.last_down + *idle;
            if (Clock::now() >= deadline)
                co_return;
            state.wake.expires_at(deadline);
        } else {
            state.wake.expires_at(Clock::time_point::max());
        }
        boost::system::error_code ignored;
        co_await state.wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
}

} // namespace

Sniffed sniff_kafka(std::string_view first_bytes) {
    if (first_bytes.size() < 8)
        return Sniffed::need_more;
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(first_bytes[i]); };
    const std::uint32_t size = (std::uint32_t{byte(0)} << 24) | (std::uint32_t{byte(1)} << 16) |
                               (std::uint32_t{byte(2)} << 8) | byte(3);
    const int api_key = (byte(4) << 8) | byte(5);
    const int api_version = (byte(6) << 8) | byte(7);
    // Header v1/v2 needs 8 bytes after the size at least (key, version, correlation id).
    const bool kafka = api_key == kafka::api::api_versions && api_version < 64 && size >= 8 &&
                       size <= 1024 * 1024;
    return kafka ? Sniffed::kafka : Sniffed::other;
}

asio::awaitable<Status> pump(tcp::socket& client, Upstream& upstream, const PumpOptions& options) {
    auto executor = co_await asio::this_coro::executor;
    auto state = std::make_shared<PumpState>(executor);
    if (options.protocol == Protocol::kafka)
        start_kafka(*state, options);
    else if (options.protocol == Protocol::raw)
        state->mode = Mode::raw;

    asio::co_spawn(executor, pump_down(client, upstream, state),
                   [state, &client](std::exception_ptr) {
                       state->down_done = true;
                       state->wake.cancel();
                       boost::system::error_code ignored;
                       client.close(ignored); // also ends pump_up's read
                   });

    Status up_status;
    const bool client_ended = co_await pump_up(client, upstream, *state, options, up_status);
    if (client_ended && !state->down_done) {
        state->last_down = std::max(state->last_down, Clock::now());
        if (upstream.shutdown_send())
            co_await wait_down(*state, std::nullopt);
        else
            co_await wait_down(*state, options.linger);
    }
    // An error the down direction sees only because we close the upstream is not the tunnel's.
    const bool down_ended_by_itself = state->down_done;
    upstream.close();
    boost::system::error_code ignored;
    client.close(ignored);
    co_await wait_down(*state, std::nullopt);
    if (!up_status)
        co_return up_status;
    if (!down_ended_by_itself)
        co_return Status{};
    co_return std::move(state->down_status);
}

} // namespace mirrord::tunnel

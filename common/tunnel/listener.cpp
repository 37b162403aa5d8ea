#include "common/tunnel/listener.hpp"

#include <list>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/core/log.hpp"

namespace mirrord::tunnel {

using tcp = asio::ip::tcp;

// Shared by the handle and every coroutine of the listener; touched on the loop thread only,
// except the counters.
struct TunnelListener::State {
    State(asio::io_context& io, Connector c, ListenerOptions o, ErrorHandler e)
        : acceptor(io), connect(std::move(c)), options(std::move(o)), on_error(std::move(e)) {}

    struct Open {
        tcp::socket* client = nullptr;
        Upstream* upstream = nullptr;
    };

    tcp::acceptor acceptor;
    Connector connect;
    ListenerOptions options;
    ErrorHandler on_error;
    bool stopped = false;
    std::list<Open> open;
    std::set<std::string> reported;
    std::atomic<std::size_t> accepted{0};
    std::atomic<std::size_t> open_count{0};

    void report(const Error& error) {
        const std::string message = fmt::format("{}: {}", options.name, error.message());
        log::debug("tunnel: {}", message);
        if (!reported.insert(message).second)
            return; // once per distinct message: an app that reconnects must not flood
        if (on_error)
            on_error(message);
        else
            log::warn("{}", message);
    }
};

namespace {

using State = TunnelListener::State;

asio::awaitable<void> serve(std::shared_ptr<State> state, tcp::socket client) {
    state->open_count++;
    auto entry = state->open.insert(state->open.end(), State::Open{&client, nullptr});
    auto upstream = co_await state->connect();
    if (!upstream) {
        state->report(upstream.error());
    } else if (!state->stopped) {
        entry->upstream = upstream->get();
        log::debug("tunnel: {} connection to {}", state->options.name, (*upstream)->describe());
        auto pumped = co_await pump(client, **upstream, state->options.pump);
        if (!pumped && !state->stopped) // stop() closing the stream is no tunnel error
            state->report(pumped.error());
    }
    state->open.erase(entry);
    state->open_count--;
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    for (;;) {
        boost::system::error_code ec;
        auto client =
            co_await state->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (state->stopped || ec == asio::error::operation_aborted)
            co_return;
        if (ec) {
            log::debug("tunnel: accepting on {}: {}", state->options.name, ec.message());
            continue; // EMFILE and friends: the listener itself is still fine
        }
        client.set_option(tcp::no_delay(true), ec);
        state->accepted++;
        asio::co_spawn(state->acceptor.get_executor(), serve(state, std::move(client)),
                       asio::detached);
    }
}

} // namespace

Result<std::unique_ptr<TunnelListener>> TunnelListener::start(EventLoop& loop, Connector connect,
                                                              ListenerOptions options,
                                                              ErrorHandler on_error) {
    const std::string where = fmt::format("{}:{}", options.host, options.port);
    auto state = std::make_shared<State>(loop.context(), std::move(connect), std::move(options),
                                         std::move(on_error));
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(state->options.host, ec);
    if (ec)
        return fail("listening on {}: invalid address", where);
    const tcp::endpoint endpoint(address, state->options.port);
    state->acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        state->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        state->acceptor.bind(endpoint, ec);
    if (!ec)
        state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return fail("listening on {}: {}", where, ec.message());
    const auto port = state->acceptor.local_endpoint().port();
    asio::co_spawn(loop.executor(), accept_loop(state), asio::detached);
    return std::unique_ptr<TunnelListener>(new TunnelListener(loop, std::move(state), port));
}

TunnelListener::~TunnelListener() { stop(); }

std::string TunnelListener::address() const {
    return fmt::format("{}:{}", state_->options.host, port_);
}

void TunnelListener::stop() {
    loop_.run_sync([state = state_] {
        if (state->stopped)
            return;
        state->stopped = true;
        boost::system::error_code ignored;
        state->acceptor.close(ignored);
        for (auto& open : state->open) {
            open.client->close(ignored);
            if (open.upstream != nullptr)
                open.upstream->close();
        }
    });
}

std::size_t TunnelListener::accepted() const { return state_->accepted; }
std::size_t TunnelListener::open_connections() const { return state_->open_count; }

} // namespace mirrord::tunnel

#include "common/tunnel/event_loop.hpp"

#include <future>

#include <boost/asio/post.hpp>

#include "common/core/log.hpp"

namespace mirrord::tunnel {

EventLoop::EventLoop() : work_(io_.get_executor()) {
    std::promise<std::thread::id> started;
    auto id = started.get_future();
    thread_ = std::jthread([this, &started] {
        started.set_value(std::this_thread::get_id());
        // A handler that throws must not end the loop for every other tunnel: log and go on.
        for (;;) {
            try {
                io_.run();
                return;
            } catch (const std::exception& e) {
                log::warn("tunnel: unexpected error in the event loop: {}", e.what());
            } catch (...) {
                log::warn("tunnel: unexpected error in the event loop");
            }
        }
    });
    thread_id_ = id.get();
}

EventLoop::~EventLoop() { stop(); }

void EventLoop::run_sync(const std::function<void()>& fn) {
    if (in_loop_thread() || stopped_) {
        fn();
        return;
    }
    std::promise<void> done;
    asio::post(io_, [&] {
        fn();
        done.set_value();
    });
    done.get_future().wait();
}

void EventLoop::stop() {
    if (stopped_)
        return;
    stopped_ = true;
    work_.reset();
    io_.stop();
    if (thread_.joinable())
        thread_.join();
}

} // namespace mirrord::tunnel

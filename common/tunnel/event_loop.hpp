#pragma once
// The io_context that every tunnel of a session runs on, with the one thread that runs it
// (DESIGN.md s8). Listeners, port-forward streams and the Kafka proxy all live on this loop, so
// their state is only ever touched from that thread; other threads reach it with run_sync().

#include <functional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace mirrord::tunnel {

namespace asio = boost::asio;

class EventLoop {
public:
    // Starts the loop's thread.
    EventLoop();
    // Stops the loop and joins its thread. Everything created on the loop must be gone first.
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    asio::io_context& context() { return io_; }
    asio::io_context::executor_type executor() { return io_.get_executor(); }

    // Runs `fn` on the loop thread and waits until it returned; runs it inline when called on
    // the loop thread or after stop().
    void run_sync(const std::function<void()>& fn);

    // True on the loop's own thread.
    bool in_loop_thread() const { return std::this_thread::get_id() == thread_id_; }

    // Stops running handlers and joins the thread; connections still open are dropped.
    // Idempotent.
    void stop();

private:
    asio::io_context io_{1};
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread::id thread_id_;
    std::jthread thread_;
    bool stopped_ = false;
};

} // namespace mirrord::tunnel

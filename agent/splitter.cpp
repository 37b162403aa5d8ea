// STAND-IN (coord): acknowledges sessions without copying; removed before merging h-splitter.
#include "agent/splitter.hpp"

namespace mirrord::agent {

Result<std::unique_ptr<Splitter>> Splitter::start(SplitterOptions, SessionRegistry& registry) {
    std::unique_ptr<Splitter> self(new Splitter(registry));
    self->thread_ = std::jthread([&registry](std::stop_token stop) {
        while (!stop.stop_requested()) {
            if (auto sessions = registry.sessions())
                for (const auto& session : *sessions)
                    if (!session.start_offsets)
                        (void)registry.acknowledge(session.id, {{0, 0}});
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    return self;
}

void Splitter::stop() {
    thread_.request_stop();
    if (thread_.joinable())
        thread_.join();
}

std::string splitter_group(const std::string& split_key) { return "mirrord-split-" + split_key; }

} // namespace mirrord::agent

#include "agent/splitter.hpp"

#include "agent/split_engine.hpp"

namespace mirrord::agent {

Splitter::Splitter(std::shared_ptr<Shared> shared, std::unique_ptr<Engine> engine)
    : shared_(std::move(shared)), engine_(std::move(engine)) {}

Result<std::unique_ptr<Splitter>> Splitter::start(SplitterOptions options,
                                                  SessionRegistry& registry) {
    auto shared = std::make_shared<Shared>();
    MIRRORD_TRY_ASSIGN(std::unique_ptr<Engine> engine,
                       Engine::create(std::move(options), registry, shared));
    std::unique_ptr<Splitter> splitter(new Splitter(std::move(shared), std::move(engine)));
    Engine* running = splitter->engine_.get();
    splitter->thread_ = std::jthread([running](std::stop_token stop) { running->run(stop); });
    return splitter;
}

Splitter::~Splitter() { stop(); }

void Splitter::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

bool Splitter::failed() const { return shared_->failed; }

std::string Splitter::failure() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->failure;
}

std::map<std::string, uint64_t> Splitter::delivered() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->delivered;
}

std::map<std::string, std::string> Splitter::session_errors() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->session_errors;
}

} // namespace mirrord::agent

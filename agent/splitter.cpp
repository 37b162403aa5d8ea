#include "agent/splitter.hpp"

#include "agent/split_engine.hpp"

#include "common/core/log.hpp"

namespace mirrord::agent {
namespace {

using namespace std::chrono_literals;
// New engines in a row that may fail before the splitter gives up (its leader then lets
// another exec take over); an engine that ran this long resets the count.
constexpr int max_restarts = 3;
constexpr auto restart_reset = 60s;

} // namespace

Splitter::Splitter(SplitterOptions options, SessionRegistry& registry,
                   std::shared_ptr<Shared> shared, std::unique_ptr<Engine> engine)
    : options_(std::move(options)), registry_(registry), shared_(std::move(shared)),
      engine_(std::move(engine)) {}

Result<std::unique_ptr<Splitter>> Splitter::start(SplitterOptions options,
                                                  SessionRegistry& registry) {
    auto shared = std::make_shared<Shared>();
    MIRRORD_TRY_ASSIGN(std::unique_ptr<Engine> engine, Engine::create(options, registry, shared));
    std::unique_ptr<Splitter> splitter(
        new Splitter(std::move(options), registry, std::move(shared), std::move(engine)));
    Splitter* running = splitter.get();
    splitter->thread_ = std::jthread([running](std::stop_token stop) { running->run(stop); });
    return splitter;
}

void Splitter::run(std::stop_token stop) {
    int restarts = 0;
    while (true) {
        auto began = std::chrono::steady_clock::now();
        engine_->run(stop);
        if (!engine_->failed())
            return;
        std::string failure = engine_->failure();
        if (std::chrono::steady_clock::now() - began >= restart_reset)
            restarts = 0;
        if (engine_->restartable() && !stop.stop_requested() && restarts < max_restarts) {
            ++restarts;
            log::warn("{}; starting the splitter again from its last commit", failure);
            auto routed = engine_->routed();
            {
                std::lock_guard lock(engine_mutex_);
                engine_.reset();
            }
            // As a new leader would: init_transactions ends the old transaction (committed or
            // aborted), and reading starts again at the group's committed offsets.
            auto next = Engine::create(options_, registry_, shared_);
            if (next) {
                (*next)->inherit(std::move(routed));
                std::lock_guard lock(engine_mutex_);
                engine_ = std::move(*next);
                continue;
            }
            failure = fmt::format("{}; starting it again: {}", failure, next.error().message());
        }
        {
            std::lock_guard lock(shared_->mutex);
            shared_->failure = failure;
        }
        shared_->failed = true;
        return;
    }
}

Splitter::~Splitter() { stop(); }

void Splitter::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

void Splitter::inject_fatal_error(int code) {
    std::lock_guard lock(engine_mutex_);
    if (engine_)
        engine_->inject_fatal_error(static_cast<rd_kafka_resp_err_t>(code));
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

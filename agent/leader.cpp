#include "agent/leader.hpp"

#include "common/core/log.hpp"
#include "common/kube/resources.hpp"
#include "common/kube/status_error.hpp"
#include "common/session/fields.hpp"
#include "common/session/lease.hpp"
#include "common/session/liveness.hpp"

namespace mirrord::agent {
namespace {

namespace fields = session::fields;
using json = nlohmann::json;

} // namespace

SplitLeader::SplitLeader(kube::Client& client, LeaderOptions options)
    : client_(client), options_(std::move(options)),
      lease_name_(splitter_lease_name(options_.splitter.split_key)),
      registry_(client, options_.namespace_, options_.splitter.split_key, options_.session_id) {}

std::unique_ptr<SplitLeader> SplitLeader::start(kube::Client& client, LeaderOptions options) {
    std::unique_ptr<SplitLeader> self(new SplitLeader(client, std::move(options)));
    self->thread_ =
        std::jthread([leader = self.get()](std::stop_token stop) { leader->run(stop); });
    return self;
}

SplitLeader::~SplitLeader() { stop(); }

std::optional<std::string> SplitLeader::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

std::map<std::string, uint64_t> SplitLeader::delivered() const {
    std::lock_guard lock(mutex_);
    return splitter_ ? splitter_->delivered() : stopped_delivered_;
}

void SplitLeader::run(std::stop_token stop) {
    while (!stop.stop_requested()) {
        round();
        auto period = leading() ? std::min(options_.check_period, options_.renew_period)
                                : options_.check_period;
        std::unique_lock lock(wake_mutex_);
        wake_.wait_for(lock, stop, period, [] { return false; });
    }
}

void SplitLeader::round() {
    if (!leading()) {
        if (try_acquire())
            lead();
        return;
    }
    std::string failure;
    {
        std::lock_guard lock(mutex_);
        if (splitter_ && splitter_->failed())
            failure = splitter_->failure();
    }
    if (!failure.empty()) {
        abdicate("the splitter stopped: " + failure, true);
        return;
    }
    if (std::chrono::steady_clock::now() - last_renewed_ >= options_.renew_period)
        renew();
}

// One look at the Lease: create it when missing, take it over when its holder is gone.
bool SplitLeader::try_acquire() {
    auto path = kube::kinds::lease.object(options_.namespace_, lease_name_);
    auto response = clock_.call(client_, {"GET", path, {}, {}, {}});
    if (!response) {
        log::debug("reading splitter lease {}: {}", lease_name_, response.error().message());
        return false;
    }
    auto now = session::micro_time(clock_.now());
    if (response->status == 404) {
        json lease = {
            {"apiVersion", "coordination.k8s.io/v1"},
            {"kind", "Lease"},
            {"metadata",
             {{"name", lease_name_},
              {"namespace", options_.namespace_},
              {"labels",
               {{session::managed_by_label, "mirrord"},
                {split_key_label, options_.splitter.split_key}}}}},
            {"spec",
             {{"holderIdentity", options_.session_id},
              {"leaseDurationSeconds", options_.lease_seconds},
              {"acquireTime", now},
              {"renewTime", now},
              {"leaseTransitions", 0}}}};
        auto created = client_.create(kube::kinds::lease.collection(options_.namespace_), lease);
        if (!created && created.error().reason() != "AlreadyExists")
            log::debug("creating splitter lease {}: {}", lease_name_, created.error().message());
        return bool(created);
    }
    if (response->status < 200 || response->status > 299)
        return false;
    json lease = response->body;
    const auto& spec = fields::object_at(lease, "spec");
    auto holder = fields::string_or(spec, "holderIdentity");
    if (holder == options_.session_id)
        return true; // ours already (a renewal answer was lost)
    auto renewed = session::parse_time(fields::string_or(spec, "renewTime"));
    auto seconds =
        fields::integer_at(spec, "leaseDurationSeconds").value_or(options_.lease_seconds);
    bool stale = !renewed || clock_.now() > *renewed + std::chrono::seconds(seconds);
    if (!stale && session::valid_session_id(holder)) {
        auto verdict = session::recheck(client_, clock_, options_.namespace_, holder);
        stale = verdict && session::may_undo(*verdict);
    }
    if (!stale)
        return false;
    // A JSON patch guarded by "test" ops on resourceVersion and the old holder: of two standbys
    // only the first succeeds (the other gets 422). A patch, not a PUT, so the developer Role
    // needs no `update` on leases.
    auto version = fields::string_or(fields::object_at(lease, "metadata"), "resourceVersion");
    auto transitions = fields::integer_at(spec, "leaseTransitions").value_or(0) + 1;
    json operations = json::array(
        {{{"op", "test"}, {"path", "/metadata/resourceVersion"}, {"value", version}},
         {{"op", "test"}, {"path", "/spec/holderIdentity"}, {"value", holder}},
         {{"op", "replace"}, {"path", "/spec/holderIdentity"}, {"value", options_.session_id}},
         {{"op", "add"}, {"path", "/spec/acquireTime"}, {"value", now}},
         {{"op", "add"}, {"path", "/spec/renewTime"}, {"value", now}},
         {{"op", "add"}, {"path", "/spec/leaseDurationSeconds"}, {"value", options_.lease_seconds}},
         {{"op", "add"}, {"path", "/spec/leaseTransitions"}, {"value", transitions}}});
    auto replaced = client_.json_patch(path, operations);
    if (!replaced) {
        log::debug("taking over splitter lease {}: {}", lease_name_, replaced.error().message());
        return false;
    }
    if (options_.info)
        options_.info(fmt::format("took over split {} from session {}", options_.splitter.split_key,
                                  fields::shown(holder)));
    return true;
}

void SplitLeader::lead() {
    last_renewed_ = std::chrono::steady_clock::now();
    auto started = Splitter::start(options_.splitter, registry_);
    if (!started) {
        {
            std::lock_guard lock(mutex_);
            last_error_ = started.error().message();
        }
        log::debug("starting the splitter of {}: {}", options_.splitter.split_key,
                   started.error().message());
        (void)release_lease();
        return;
    }
    {
        std::lock_guard lock(mutex_);
        splitter_ = std::move(*started);
        last_error_.reset();
    }
    leading_ = true;
    if (options_.info)
        options_.info(fmt::format("this session runs the splitter of {} (lease {})",
                                  options_.splitter.split_key, lease_name_));
}

void SplitLeader::renew() {
    auto path = kube::kinds::lease.object(options_.namespace_, lease_name_);
    json operations = json::array(
        {{{"op", "test"}, {"path", "/spec/holderIdentity"}, {"value", options_.session_id}},
         {{"op", "replace"},
          {"path", "/spec/renewTime"},
          {"value", session::micro_time(clock_.now())}}});
    auto response = clock_.call(client_, {"PATCH", path, {}, operations.dump(),
                                          "application/json-patch+json"});
    if (response && response->status >= 200 && response->status <= 299) {
        last_renewed_ = std::chrono::steady_clock::now();
        return;
    }
    if (response &&
        (response->status == 404 || response->status == 409 || response->status == 422)) {
        abdicate("the splitter lease was deleted or taken over", false);
        return;
    }
    // Transient: keep leading while the Lease may still be ours by its duration.
    if (std::chrono::steady_clock::now() - last_renewed_ >
        std::chrono::seconds(options_.lease_seconds))
        abdicate("the splitter lease could not be renewed", false);
}

void SplitLeader::abdicate(const std::string& why, bool release) {
    log::warn("split {}: {}; stopping its splitter here", options_.splitter.split_key, why);
    std::unique_ptr<Splitter> splitter;
    {
        std::lock_guard lock(mutex_);
        splitter = std::move(splitter_);
        last_error_ = why;
    }
    if (splitter) {
        splitter->stop();
        std::lock_guard lock(mutex_);
        stopped_delivered_ = splitter->delivered();
    }
    leading_ = false;
    if (release)
        (void)release_lease();
}

Status SplitLeader::release_lease() {
    auto path = kube::kinds::lease.object(options_.namespace_, lease_name_);
    MIRRORD_TRY_ASSIGN(auto lease, client_.get_optional(path));
    if (!lease)
        return {};
    auto holder = fields::string_or(fields::object_at(*lease, "spec"), "holderIdentity");
    if (holder != options_.session_id)
        return {}; // someone else's now
    auto removed = client_.remove(path);
    if (!removed)
        return std::move(removed).error().wrap("releasing splitter lease " + lease_name_);
    return {};
}

void SplitLeader::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
    std::unique_ptr<Splitter> splitter;
    {
        std::lock_guard lock(mutex_);
        splitter = std::move(splitter_);
    }
    if (splitter) {
        splitter->stop(); // commits the open transaction before the Lease goes
        std::lock_guard lock(mutex_);
        stopped_delivered_ = splitter->delivered();
    }
    if (leading_.exchange(false))
        if (auto released = release_lease(); !released)
            log::warn("{}", released.error().message());
}

} // namespace mirrord::agent

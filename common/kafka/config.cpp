#include "common/kafka/config.hpp"

#include <array>

#include "common/core/log.hpp"

namespace mirrord::kafka {
namespace {

// librdkafka's syslog levels: 0 emerg .. 3 err, 4 warning, 5 notice, 6 info, 7 debug. Its
// errors and warnings are mostly transient (a refused connection it retries), and the ones that
// matter also reach error_cb (logged at warn) or a returned error, so they show from -v up.
log::Level level_of(int syslog_level) {
    if (syslog_level <= 4)
        return log::Level::info;
    if (syslog_level <= 6)
        return log::Level::debug;
    return log::Level::trace;
}

// Called from librdkafka's internal threads; log::write is thread-safe and redacts secrets.
void on_log(const rd_kafka_t* client, int syslog_level, const char* facility,
            const char* text) noexcept {
    log::Level level = level_of(syslog_level);
    if (!log::enabled(level))
        return;
    try {
        log::write(level, fmt::format("kafka {}: {}: {}", rd_kafka_name(client), facility, text));
    } catch (...) {
        // Nothing may throw through librdkafka; a lost log line is the lesser harm.
    }
}

// Called from rd_kafka_poll/consumer_poll/flush on the caller's thread.
void on_error(rd_kafka_t* client, int code, const char* reason, void*) noexcept {
    try {
        auto err = static_cast<rd_kafka_resp_err_t>(code);
        bool fatal = err == RD_KAFKA_RESP_ERR__FATAL;
        log::warn("kafka {}: {}{} ({})", rd_kafka_name(client), fatal ? "fatal: " : "", reason,
                  rd_kafka_err2name(err));
    } catch (...) {
        // As above.
    }
}

} // namespace

bool is_sensitive(std::string_view name) {
    for (const char* word : {"password", "secret", "key", "token"})
        if (name.find(word) != std::string_view::npos)
            return true;
    return false;
}

Result<ConfPtr> make_conf(const Properties& properties) {
    ConfPtr conf(rd_kafka_conf_new());
    std::array<char, 512> errstr{};
    for (const auto& [name, value] : properties) {
        if (is_sensitive(name))
            log::add_secret(value);
        if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), errstr.data(),
                              errstr.size()) == RD_KAFKA_CONF_OK)
            continue;
        // librdkafka's message quotes the rejected value, so drop it for sensitive properties.
        if (is_sensitive(name))
            return fail("kafka property {}: invalid value ********", name);
        return fail("kafka property {}: {}", name, errstr.data());
    }
    rd_kafka_conf_set_log_cb(conf.get(), &on_log);
    rd_kafka_conf_set_error_cb(conf.get(), &on_error);
    return conf;
}

KafkaResult<rd_kafka_t*> new_client(rd_kafka_type_t type, ConfPtr& conf, std::string_view what) {
    std::array<char, 512> errstr{};
    rd_kafka_t* client = rd_kafka_new(type, conf.get(), errstr.data(), errstr.size());
    // rd_kafka_new takes ownership of the conf only when it succeeds.
    if (client == nullptr)
        return fail("{}: {}", what, errstr.data());
    conf.release();
    return client;
}

} // namespace mirrord::kafka

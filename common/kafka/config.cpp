#include "common/kafka/config.hpp"

#include <array>

namespace mirrord::kafka {
namespace {

bool is_sensitive(const std::string& name) {
    for (const char* word : {"password", "secret", "key", "token"})
        if (name.find(word) != std::string::npos)
            return true;
    return false;
}

} // namespace

Result<ConfPtr> make_conf(const Properties& properties) {
    ConfPtr conf(rd_kafka_conf_new());
    std::array<char, 512> errstr{};
    for (const auto& [name, value] : properties) {
        if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), errstr.data(),
                              errstr.size()) == RD_KAFKA_CONF_OK)
            continue;
        // librdkafka's message quotes the rejected value, so drop it for sensitive properties.
        if (is_sensitive(name))
            return fail("kafka property {}: invalid value ********", name);
        return fail("kafka property {}: {}", name, errstr.data());
    }
    return conf;
}

} // namespace mirrord::kafka

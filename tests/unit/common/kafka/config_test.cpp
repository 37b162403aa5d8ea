// Kafka properties: errors name the property, secrets never reach an error or a log line, and
// librdkafka's own log lines go through our log (level, prefix, redaction).

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "common/core/log.hpp"
#include "common/kafka/producer.hpp"

using namespace mirrord;
using namespace mirrord::kafka;

namespace {

// Redirects fd 2 to a file while alive; text() returns what was written so far.
class StderrCapture {
public:
    StderrCapture() : path_(fmt::format("/tmp/mirrord-kafka-stderr-{}", getpid())) {
        std::fflush(stderr);
        saved_ = dup(2);
        FILE* file = std::fopen(path_.c_str(), "w");
        REQUIRE(file != nullptr);
        dup2(fileno(file), 2);
        std::fclose(file);
    }
    ~StderrCapture() {
        restore();
        std::remove(path_.c_str());
    }
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;

    std::string text() {
        restore();
        std::ifstream in(path_);
        std::stringstream out;
        out << in.rdbuf();
        return out.str();
    }

private:
    void restore() {
        if (saved_ < 0)
            return;
        std::fflush(stderr);
        dup2(saved_, 2);
        close(saved_);
        saved_ = -1;
    }

    std::string path_;
    int saved_ = -1;
};

// Sets the log level for one test and puts the previous one back.
struct LogLevel {
    explicit LogLevel(log::Level level) : previous(log::level()) { log::set_level(level); }
    ~LogLevel() { log::set_level(previous); }
    log::Level previous;
};

} // namespace

TEST_CASE("kafka::make_conf", "[kafka]") {
    SECTION("an unknown property is reported by name") {
        auto conf = make_conf({{"no.such.property", "1"}});
        REQUIRE_FALSE(conf);
        CHECK_THAT(conf.error().message(), Catch::Contains("no.such.property"));
    }
    SECTION("values of sensitive properties are registered as secrets for every log line") {
        REQUIRE(make_conf({{"sasl.password", "hunter2-registered"}}));
        CHECK(log::redact("auth with hunter2-registered failed") == "auth with ******** failed");
    }
}

TEST_CASE("kafka log routing", "[kafka]") {
    SECTION("librdkafka's debug lines go to our log at trace, with the password redacted") {
        LogLevel trace(log::Level::trace);
        StderrCapture capture;
        {
            // debug=conf makes librdkafka dump its configuration at creation.
            auto producer = Producer::create({{"bootstrap.servers", "127.0.0.1:1"},
                                              {"debug", "conf"},
                                              {"client.id", "routed-client"},
                                              {"sasl.username", "relay"},
                                              {"sasl.password", "hunter2-in-a-log"}});
            REQUIRE(producer);
        }
        std::string text = capture.text();
        CHECK_THAT(text, Catch::Contains("mirrord: trace: kafka routed-client#producer-"));
        CHECK_THAT(text, !Catch::Contains("%7|")); // librdkafka's own stderr format
        CHECK_THAT(text, !Catch::Contains("hunter2-in-a-log"));
    }
    SECTION("at the default level, a client that cannot connect prints nothing of librdkafka's") {
        LogLevel warn(log::Level::warn);
        StderrCapture capture;
        {
            auto producer = Producer::create({{"bootstrap.servers", "127.0.0.1:1"}});
            REQUIRE(producer);
            producer->poll(std::chrono::milliseconds(300));
        }
        CHECK_THAT(capture.text(), !Catch::Contains("%3|"));
    }
}

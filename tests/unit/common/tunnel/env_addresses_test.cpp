// find_env_addresses() / replace_env_addresses(): which parts of an env value are addresses
// the tunnel may stand in for, and the value the local process gets instead.

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "common/tunnel/env_addresses.hpp"

using namespace mirrord::tunnel;

namespace {

// "host:port" for each address found, with "*" for a port the scheme gave.
std::vector<std::string> found(std::string_view value) {
    std::vector<std::string> out;
    for (const auto& address : find_env_addresses(value))
        out.push_back(fmt::format("{}:{}{}", address.host, address.port,
                                  address.port_written ? "" : "*"));
    return out;
}

// Every address replaced by 127.0.0.1:1000, 1001, ...
std::string rewritten(std::string_view value) {
    auto addresses = find_env_addresses(value);
    std::vector<std::string> replacements;
    for (std::size_t i = 0; i < addresses.size(); ++i)
        replacements.push_back(fmt::format("127.0.0.1:{}", 1000 + i));
    return replace_env_addresses(value, addresses, replacements);
}

using Strings = std::vector<std::string>;

} // namespace

TEST_CASE("tunnel env addresses", "[tunnel]") {
    SECTION("host:port and lists of them") {
        CHECK(found("kafka-bootstrap.default.svc:9092") == Strings{"kafka-bootstrap.default.svc:9092"});
        CHECK(found("kafka-0.kafka:9092,kafka-1.kafka:9092, kafka-2.kafka:9092") ==
              Strings{"kafka-0.kafka:9092", "kafka-1.kafka:9092", "kafka-2.kafka:9092"});
        CHECK(rewritten("a:1,b:2") == "127.0.0.1:1000,127.0.0.1:1001");
        CHECK(rewritten("a:1; b:2") == "127.0.0.1:1000; 127.0.0.1:1001");
    }
    SECTION("URLs: explicit port, or the scheme's") {
        CHECK(found("postgres://app:s3cret@db.default.svc:5432/app?sslmode=disable") ==
              Strings{"db.default.svc:5432"});
        CHECK(rewritten("postgres://app:s3cret@db.default.svc:5432/app?sslmode=disable") ==
              "postgres://app:s3cret@127.0.0.1:1000/app?sslmode=disable");
        CHECK(found("redis://cache") == Strings{"cache:6379*"});
        CHECK(rewritten("redis://cache/0") == "redis://127.0.0.1:1000/0");
        CHECK(found("mongodb://a:27017,b/db") == Strings{"a:27017", "b:27017*"});
        CHECK(found("PLAINTEXT://kafka:9092,SSL://kafka:9093") == Strings{"kafka:9092", "kafka:9093"});
        CHECK(rewritten("PLAINTEXT://kafka:9092,SSL://kafka:9093") ==
              "PLAINTEXT://127.0.0.1:1000,SSL://127.0.0.1:1001");
        CHECK(found("http://api.shop.svc.cluster.local/v1") == Strings{"api.shop.svc.cluster.local:80*"});
    }
    SECTION("a scheme without a known port needs the port written") {
        CHECK(found("thrift://catalog").empty());
        CHECK(found("thrift://catalog:9090") == Strings{"catalog:9090"});
    }
    SECTION("not addresses: IPs, text, paths, numbers") {
        CHECK(found("10.96.0.12:9092").empty());
        CHECK(found("tcp://10.96.0.12:9092").empty());
        CHECK(found("[::1]:9092").empty());
        CHECK(found("hello world").empty());
        CHECK(found("12:30").empty());
        CHECK(found("/var/run/app.sock").empty());
        CHECK(found("a:0").empty());
        CHECK(found("a:65536").empty());
        CHECK(found("key=value:x").empty());
        CHECK(found("").empty());
    }
    SECTION("an empty replacement keeps that address") {
        auto addresses = find_env_addresses("a:1,b:2");
        CHECK(replace_env_addresses("a:1,b:2", addresses, {"", "127.0.0.1:7"}) == "a:1,127.0.0.1:7");
    }
}

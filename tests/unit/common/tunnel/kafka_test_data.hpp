#pragma once
// Helpers shared by the Kafka codec tests: hex canned bytes and the frame files in
// tests/data/kafka/.

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/tunnel/kafka_rewrite.hpp"

namespace kafka_test {

// Bytes from hex digits; spaces, newlines and `|` (field separators in canned frames) are skipped.
inline std::string unhex(std::string_view text) {
    std::string out;
    int high = -1;
    for (char c : text) {
        int digit = -1;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            continue;
        if (high < 0) {
            high = digit;
        } else {
            out.push_back(static_cast<char>(high * 16 + digit));
            high = -1;
        }
    }
    REQUIRE(high < 0);
    return out;
}

inline std::string hex(std::string_view bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

// The lines of a tests/data/kafka file, without '#' comments and blank lines.
inline std::vector<std::string> data_lines(const std::string& name) {
    std::ifstream in(std::string(MIRRORD_TEST_DATA) + "/kafka/" + name);
    REQUIRE(in);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#')
            lines.push_back(line);
    return lines;
}

// The mapping the golden files use: every node to 127.0.0.1:40000+node id.
inline mirrord::tunnel::kafka::Endpoint local_endpoint(std::int32_t node_id, std::string_view,
                                                       std::int32_t) {
    return {"127.0.0.1", 40000 + node_id};
}

// The mapping that keeps every address: rewriting with it must give back the same bytes.
inline mirrord::tunnel::kafka::Endpoint same_endpoint(std::int32_t, std::string_view host,
                                                      std::int32_t port) {
    return {std::string(host), port};
}

} // namespace kafka_test

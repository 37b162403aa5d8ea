#pragma once
// must(): the value of a Result (or KafkaResult), failing the current Catch test with the error's
// message otherwise. One definition for every test that calls our Result-returning APIs.

#include <type_traits>
#include <utility>

#include <catch2/catch.hpp>

#include "common/core/result.hpp"
#include "common/kafka/error.hpp"

namespace mirrord::testing {

inline void must(Status status) {
    if (!status)
        FAIL(status.error().message());
}

template <typename T> T must(Result<T> result) {
    if (!result)
        FAIL(result.error().message());
    return std::move(result).value();
}

inline void must(kafka::KafkaStatus status) {
    if (!status)
        FAIL(status.error().message());
}

template <typename T> T must(kafka::KafkaResult<T> result) {
    if (!result)
        FAIL(result.error().message());
    return std::move(result).value();
}

} // namespace mirrord::testing

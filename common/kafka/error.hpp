#pragma once
// Kafka errors that keep librdkafka's classification, so a caller can tell a hiccup to retry
// from a transaction to abort from a client that is dead for good.

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <librdkafka/rdkafka.h>

#include "common/core/result.hpp"

namespace mirrord::kafka {

// An Error with librdkafka's code and classes. It is an Error, so it converts to one by slicing:
// MIRRORD_TRY of a KafkaResult works in functions that return a plain Result.
class KafkaError : public Error {
public:
    struct Classes {
        bool retriable = false;          // the same call may succeed later
        bool txn_requires_abort = false; // abort_transaction(), then start a new transaction
        bool fatal = false;              // the client is unusable; create a new one
    };

    KafkaError(std::string message, rd_kafka_resp_err_t code, Classes classes)
        : Error(std::move(message)), code_(code), classes_(classes) {}

    // "what: <message>" from a librdkafka error object, which this takes ownership of.
    static KafkaError from(std::string_view what, rd_kafka_error_t* error);
    // The same from an error object that stays with its owner (an admin result's).
    static KafkaError of(std::string_view what, const rd_kafka_error_t* error);
    // "what: <message>" from a response code. A RD_KAFKA_RESP_ERR__FATAL code is resolved to the
    // underlying fatal error of `client` (rd_kafka_fatal_error) when a client is given.
    static KafkaError from(std::string_view what, rd_kafka_resp_err_t code,
                           rd_kafka_t* client = nullptr);
    // A local error (configuration, bad argument): neither retriable nor fatal.
    static KafkaError local(Error error);

    // librdkafka's code; for a fatal error the underlying code, not __FATAL.
    rd_kafka_resp_err_t code() const { return code_; }
    // librdkafka's symbolic name of the code ("_TRANSPORT", "INVALID_PRODUCER_EPOCH").
    std::string_view code_name() const { return rd_kafka_err2name(code_); }
    bool retriable() const { return classes_.retriable; }
    bool txn_requires_abort() const { return classes_.txn_requires_abort; }
    bool fatal() const { return classes_.fatal; }
    // A newer producer with the same transactional.id took over (or the broker withdrew the
    // right to use it): starting again would fence that newer one in turn.
    bool fenced() const;

    // Returns this error, classes kept, with "prefix: " in front of the message.
    KafkaError wrap(std::string_view prefix) const& {
        return KafkaError(fmt::format("{}: {}", prefix, message()), code_, classes_);
    }

private:
    rd_kafka_resp_err_t code_;
    Classes classes_;
};

// Whether a broker or local response code is transient (the cluster is settling, a connection
// dropped, a coordinator moved). librdkafka classifies only rd_kafka_error_t objects itself.
bool is_retriable(rd_kafka_resp_err_t code);

// Result<T> whose error is a KafkaError. Converts to a plain Result<T>.
template <typename T> class [[nodiscard]] KafkaResult {
public:
    KafkaResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    KafkaResult(KafkaError error) : state_(std::in_place_index<1>, std::move(error)) {}
    // Local failures (fail(...), make_conf) become non-retriable, non-fatal KafkaErrors.
    KafkaResult(Error error) : KafkaResult(KafkaError::local(std::move(error))) {}
    template <typename U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, T> &&
                 !std::is_base_of_v<Error, std::decay_t<U>> &&
                 !std::is_same_v<std::decay_t<U>, KafkaResult>)
    KafkaResult(U&& value) : state_(std::in_place_index<0>, T(std::forward<U>(value))) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const KafkaError& error() const& { return std::get<1>(state_); }
    KafkaError&& error() && { return std::get<1>(std::move(state_)); }

    KafkaResult wrap(std::string_view prefix) && {
        if (!ok())
            return error().wrap(prefix);
        return std::move(*this);
    }

    operator Result<T>() && {
        if (!ok())
            return Error(std::move(*this).error());
        return std::move(*this).value();
    }

private:
    std::variant<T, KafkaError> state_;
};

// Success or a KafkaError.
template <> class [[nodiscard]] KafkaResult<void> {
public:
    KafkaResult() = default;
    KafkaResult(KafkaError error) : error_(std::move(error)) {}
    KafkaResult(Error error) : error_(KafkaError::local(std::move(error))) {}

    bool ok() const { return error_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const KafkaError& error() const& { return std::get<1>(error_); }
    KafkaError&& error() && { return std::get<1>(std::move(error_)); }

    KafkaResult wrap(std::string_view prefix) && {
        if (!ok())
            return error().wrap(prefix);
        return {};
    }

    operator Status() && {
        if (!ok())
            return Error(std::move(*this).error());
        return {};
    }

private:
    std::variant<std::monostate, KafkaError> error_;
};

using KafkaStatus = KafkaResult<void>;

} // namespace mirrord::kafka

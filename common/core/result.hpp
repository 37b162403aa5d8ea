#pragma once
// Result<T>: our small expected type. Anything that touches the outside world returns one.
// Each layer adds one context prefix with Error::wrap, so messages read from intent to cause.

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace mirrord {

// An error message, read from intent to cause ("scaling down x: PATCH ...: 403 Forbidden").
// An error from an HTTP API also carries the response's status and, for the Kubernetes apiserver,
// the Status object's `reason` ("NotFound", "Conflict"), so callers decide on those and never on
// the message text. Both survive wrap().
class Error {
public:
    Error() = default;
    explicit Error(std::string message) : message_(std::move(message)) {}
    Error(std::string message, long http_status, std::string reason)
        : message_(std::move(message)), http_status_(http_status), reason_(std::move(reason)) {}

    // The full message, without the "mirrord: error: " prefix.
    const std::string& message() const { return message_; }
    // The HTTP status of the failed response; 0 when the error did not come from one.
    long http_status() const { return http_status_; }
    // The Kubernetes Status `reason` ("NotFound", "AlreadyExists"); empty when there was none.
    const std::string& reason() const { return reason_; }

    // Returns this error with "prefix: " put in front of the message.
    Error wrap(std::string_view prefix) const& {
        return Error(fmt::format("{}: {}", prefix, message_), http_status_, reason_);
    }
    Error wrap(std::string_view prefix) && {
        message_ = fmt::format("{}: {}", prefix, message_);
        return std::move(*this);
    }

private:
    std::string message_;
    long http_status_ = 0;
    std::string reason_;
};

// Builds an Error from a fmt format string.
template <typename... Args> Error fail(fmt::format_string<Args...> format, Args&&... args) {
    return Error(fmt::format(format, std::forward<Args>(args)...));
}

// Either a T or an Error. Converts implicitly from both.
template <typename T> class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}
    template <typename U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, T> &&
                 !std::is_same_v<std::decay_t<U>, Error> &&
                 !std::is_same_v<std::decay_t<U>, Result>)
    Result(U&& value) : state_(std::in_place_index<0>, T(std::forward<U>(value))) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(state_); }
    Error&& error() && { return std::get<1>(std::move(state_)); }

    // The value, or `fallback` when this holds an error.
    T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

    // Returns this result with "prefix: " put in front of its error, if any.
    Result wrap(std::string_view prefix) && {
        if (!ok())
            return std::move(*this).error().wrap(prefix);
        return std::move(*this);
    }

private:
    std::variant<T, Error> state_;
};

// Success or an Error.
template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

    Result wrap(std::string_view prefix) && {
        if (!ok_)
            return std::move(error_).wrap(prefix);
        return {};
    }

private:
    Error error_;
    bool ok_ = true;
};

using Status = Result<void>;

} // namespace mirrord

#define MIRRORD_CONCAT_INNER(a, b) a##b
#define MIRRORD_CONCAT(a, b) MIRRORD_CONCAT_INNER(a, b)

// Evaluates a Result<void> expression and returns its error from the enclosing function.
#define MIRRORD_TRY(expr)                                                                          \
    do {                                                                                           \
        auto mirrord_try_status = (expr);                                                          \
        if (!mirrord_try_status)                                                                   \
            return std::move(mirrord_try_status).error();                                          \
    } while (false)

// `MIRRORD_TRY_ASSIGN(auto x, expr);` declares x from a Result's value, or returns its error.
#define MIRRORD_TRY_ASSIGN(lhs, expr)                                                              \
    MIRRORD_TRY_ASSIGN_IMPL(MIRRORD_CONCAT(mirrord_try_result_, __LINE__), lhs, expr)
#define MIRRORD_TRY_ASSIGN_IMPL(tmp, lhs, expr)                                                    \
    auto tmp = (expr);                                                                             \
    if (!tmp)                                                                                      \
        return std::move(tmp).error();                                                             \
    lhs = std::move(tmp).value()

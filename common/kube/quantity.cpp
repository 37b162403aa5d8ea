#include "common/kube/quantity.hpp"

#include <cctype>
#include <map>
#include <optional>
#include <string_view>

namespace mirrord::kube {
namespace {

__extension__ typedef __int128 Int128; // quantities like 1Ei * 1000 overflow 64 bits

// A Kubernetes resource quantity, exactly: mantissa * 10^exp10 * 2^exp2.
struct Quantity {
    Int128 mantissa = 0;
    int exp10 = 0;
    int exp2 = 0;
};

// Parses "500m", "1.5", "128Mi", "1e3", "2G" (apimachinery resource.Quantity syntax, unsigned).
std::optional<Quantity> parse_quantity(std::string_view text) {
    Quantity q;
    size_t i = 0;
    bool digits = false, fraction = false;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c == '.' && !fraction) {
            fraction = true;
        } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            if (q.mantissa > Int128(1) << 90)
                return std::nullopt;
            q.mantissa = q.mantissa * 10 + (c - '0');
            q.exp10 -= fraction ? 1 : 0;
            digits = true;
        } else {
            break;
        }
    }
    if (!digits)
        return std::nullopt;
    std::string_view suffix = text.substr(i);
    static const std::map<std::string_view, std::pair<int, int>> suffixes = {
        {"", {0, 0}},   {"n", {-9, 0}},  {"u", {-6, 0}},  {"m", {-3, 0}},  {"k", {3, 0}},
        {"M", {6, 0}},  {"G", {9, 0}},   {"T", {12, 0}},  {"P", {15, 0}},  {"E", {18, 0}},
        {"Ki", {0, 10}}, {"Mi", {0, 20}}, {"Gi", {0, 30}}, {"Ti", {0, 40}}, {"Pi", {0, 50}},
        {"Ei", {0, 60}}};
    if (auto it = suffixes.find(suffix); it != suffixes.end()) {
        q.exp10 += it->second.first;
        q.exp2 = it->second.second;
        return q;
    }
    if ((suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1 && suffix.size() < 5) {
        int exponent = 0;
        bool negative = suffix[1] == '-';
        for (size_t j = (negative || suffix[1] == '+') ? 2 : 1; j < suffix.size(); ++j) {
            if (std::isdigit(static_cast<unsigned char>(suffix[j])) == 0)
                return std::nullopt;
            exponent = exponent * 10 + (suffix[j] - '0');
        }
        q.exp10 += negative ? -exponent : exponent;
        return q;
    }
    return std::nullopt;
}

// ceil(q * 10^scale), or nullopt when it would not fit.
std::optional<Int128> ceil_scaled(const Quantity& q, int scale) {
    Int128 value = q.mantissa << q.exp2;
    int exponent = q.exp10 + scale;
    for (; exponent > 0; --exponent) {
        if (value > (Int128(1) << 120) / 10)
            return std::nullopt;
        value *= 10;
    }
    Int128 divisor = 1;
    for (; exponent < 0 && divisor < (Int128(1) << 120) / 10; ++exponent)
        divisor *= 10;
    if (exponent < 0)
        return Int128(value > 0 ? 1 : 0); // smaller than any unit: rounds up to 1 (or 0)
    return (value + divisor - 1) / divisor;
}

std::string to_decimal(Int128 value) {
    if (value == 0)
        return "0";
    std::string out;
    for (; value > 0; value /= 10)
        out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    return out;
}

} // namespace

Result<std::string> resource_value(const std::string& resource, const std::string& quantity,
                                   const std::string& divisor) {
    auto amount = parse_quantity(quantity);
    if (!amount)
        return fail("invalid quantity \"{}\"", quantity);
    auto unit = parse_quantity(divisor.empty() ? "1" : divisor);
    if (!unit)
        return fail("invalid divisor \"{}\"", divisor);
    // The apiserver stores an unset divisor as "0"; the kubelet reads a zero divisor as 1
    // (pkg/api/v1/resource/helpers.go ExtractContainerResourceValue).
    if (unit->mantissa == 0)
        unit = parse_quantity("1");
    // The kubelet divides cpu in millicores and everything else in whole units, rounding up.
    int scale = resource.ends_with(".cpu") ? 3 : 0;
    auto numerator = ceil_scaled(*amount, scale);
    auto denominator = ceil_scaled(*unit, scale);
    if (!numerator || !denominator)
        return fail("quantity \"{}\" is out of range", quantity);
    return to_decimal((*numerator + *denominator - 1) / *denominator);
}

} // namespace mirrord::kube

#include "common/config/utf8.hpp"

namespace mirrord::config {
namespace {

// The length of the sequence starting at `lead` and the smallest code point it may encode,
// or {0, 0} for a byte that cannot start a sequence.
struct Lead {
    size_t length;
    char32_t minimum;
    char32_t bits;
};

Lead classify(unsigned char lead) {
    if (lead < 0x80)
        return {1, 0, lead};
    if ((lead & 0xE0) == 0xC0)
        return {2, 0x80, static_cast<char32_t>(lead & 0x1F)};
    if ((lead & 0xF0) == 0xE0)
        return {3, 0x800, static_cast<char32_t>(lead & 0x0F)};
    if ((lead & 0xF8) == 0xF0)
        return {4, 0x10000, static_cast<char32_t>(lead & 0x07)};
    return {0, 0, 0};
}

} // namespace

std::optional<size_t> invalid_utf8_offset(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        Lead lead = classify(static_cast<unsigned char>(text[i]));
        if (lead.length == 0 || i + lead.length > text.size())
            return i;
        char32_t code = lead.bits;
        for (size_t k = 1; k < lead.length; ++k) {
            auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80)
                return i;
            code = (code << 6) | (next & 0x3F);
        }
        if (code < lead.minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return i;
        i += lead.length;
    }
    return std::nullopt;
}

} // namespace mirrord::config

// UTF-8 well-formedness (RFC 3629 / Unicode table 3-7), shared by the JSON parser, which
// rejects ill-formed text, and the writer, which replaces it like nlohmann's error_handler "replace".
#pragma once

namespace stockcast::json_detail {

struct Utf8Sequence {
    int length;  // well-formed: the sequence's bytes; otherwise its longest well-formed prefix (0..3)
    bool well_formed;
};

// The sequence starting at p (p < end): no overlong forms, no surrogates, nothing above U+10FFFF.
inline Utf8Sequence utf8_sequence(const unsigned char* p, const unsigned char* end) {
    const unsigned lead = p[0];
    if (lead < 0x80) return {1, true};
    int continuations;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        continuations = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        continuations = 2;
        if (lead == 0xE0) lo = 0xA0;  // overlong
        if (lead == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        continuations = 3;
        if (lead == 0xF0) lo = 0x90;  // overlong
        if (lead == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
        return {0, false};
    }
    for (int n = 1; n <= continuations; ++n) {
        if (p + n == end || p[n] < lo || p[n] > hi) return {n, false};
        lo = 0x80;
        hi = 0xBF;
    }
    return {continuations + 1, true};
}

}  // namespace stockcast::json_detail

// Json::dump(): output byte-identical to nlohmann/json 3.x's dump() (ensure_ascii off, invalid
// UTF-8 replaced by U+FFFD as its error_handler "replace" does), since the committed model files
// were written by it and their headers are hashed. Kept apart from the parser (json.cpp) so a
// module that only parses links none of this.
#include <cmath>
#include <cstring>

#include "json_utf8.hpp"
#include "stockcast/json.hpp"

namespace stockcast {
namespace {

// ---------------------------------------------------------------- doubles: Grisu2
// Loitsch, "Printing Floating-Point Numbers Quickly and Accurately with Integers" (PLDI 2010),
// step for step as nlohmann/json implements it (detail/conversions/to_chars.hpp; MIT,
// © 2009 Florian Loitsch, © 2013-2022 Niels Lohmann). Its digits always read back to the same
// double but are not always the shortest ones: for ~0.1 % of doubles (~0.7 % of float-valued
// ones) std::to_chars would write a digit fewer, so only this algorithm reproduces nlohmann's bytes.

struct DiyFp {  // f × 2^e
    std::uint64_t f;
    int e;
};

// The upper 64 bits of x.f × y.f, rounded (ties up).
DiyFp multiply(DiyFp x, DiyFp y) {
    const std::uint64_t x_lo = x.f & 0xFFFFFFFFu, x_hi = x.f >> 32, y_lo = y.f & 0xFFFFFFFFu, y_hi = y.f >> 32;
    const std::uint64_t p0 = x_lo * y_lo, p1 = x_lo * y_hi, p2 = x_hi * y_lo, p3 = x_hi * y_hi;
    std::uint64_t middle = (p0 >> 32) + (p1 & 0xFFFFFFFFu) + (p2 & 0xFFFFFFFFu);
    middle += std::uint64_t{1} << 31;
    return {p3 + (p2 >> 32) + (p1 >> 32) + (middle >> 32), x.e + y.e + 64};
}

DiyFp normalize(DiyFp x) {
    while ((x.f >> 63) == 0) {
        x.f <<= 1;
        --x.e;
    }
    return x;
}

struct CachedPower {  // f × 2^e ≈ 10^k
    std::uint64_t f;
    int e, k;
};

// 10^k for k = -300, -292, ..., 324.
constexpr CachedPower kCachedPowers[] = {
    {0xAB70FE17C79AC6CA, -1060, -300}, {0xFF77B1FCBEBCDC4F, -1034, -292}, {0xBE5691EF416BD60C, -1007, -284},
    {0x8DD01FAD907FFC3C, -980, -276},  {0xD3515C2831559A83, -954, -268},  {0x9D71AC8FADA6C9B5, -927, -260},
    {0xEA9C227723EE8BCB, -901, -252},  {0xAECC49914078536D, -874, -244},  {0x823C12795DB6CE57, -847, -236},
    {0xC21094364DFB5637, -821, -228},  {0x9096EA6F3848984F, -794, -220},  {0xD77485CB25823AC7, -768, -212},
    {0xA086CFCD97BF97F4, -741, -204},  {0xEF340A98172AACE5, -715, -196},  {0xB23867FB2A35B28E, -688, -188},
    {0x84C8D4DFD2C63F3B, -661, -180},  {0xC5DD44271AD3CDBA, -635, -172},  {0x936B9FCEBB25C996, -608, -164},
    {0xDBAC6C247D62A584, -582, -156},  {0xA3AB66580D5FDAF6, -555, -148},  {0xF3E2F893DEC3F126, -529, -140},
    {0xB5B5ADA8AAFF80B8, -502, -132},  {0x87625F056C7C4A8B, -475, -124},  {0xC9BCFF6034C13053, -449, -116},
    {0x964E858C91BA2655, -422, -108},  {0xDFF9772470297EBD, -396, -100},  {0xA6DFBD9FB8E5B88F, -369, -92},
    {0xF8A95FCF88747D94, -343, -84},   {0xB94470938FA89BCF, -316, -76},   {0x8A08F0F8BF0F156B, -289, -68},
    {0xCDB02555653131B6, -263, -60},   {0x993FE2C6D07B7FAC, -236, -52},   {0xE45C10C42A2B3B06, -210, -44},
    {0xAA242499697392D3, -183, -36},   {0xFD87B5F28300CA0E, -157, -28},   {0xBCE5086492111AEB, -130, -20},
    {0x8CBCCC096F5088CC, -103, -12},   {0xD1B71758E219652C, -77, -4},     {0x9C40000000000000, -50, 4},
    {0xE8D4A51000000000, -24, 12},     {0xAD78EBC5AC620000, 3, 20},       {0x813F3978F8940984, 30, 28},
    {0xC097CE7BC90715B3, 56, 36},      {0x8F7E32CE7BEA5C70, 83, 44},      {0xD5D238A4ABE98068, 109, 52},
    {0x9F4F2726179A2245, 136, 60},     {0xED63A231D4C4FB27, 162, 68},     {0xB0DE65388CC8ADA8, 189, 76},
    {0x83C7088E1AAB65DB, 216, 84},     {0xC45D1DF942711D9A, 242, 92},     {0x924D692CA61BE758, 269, 100},
    {0xDA01EE641A708DEA, 295, 108},    {0xA26DA3999AEF774A, 322, 116},    {0xF209787BB47D6B85, 348, 124},
    {0xB454E4A179DD1877, 375, 132},    {0x865B86925B9BC5C2, 402, 140},    {0xC83553C5C8965D3D, 428, 148},
    {0x952AB45CFA97A0B3, 455, 156},    {0xDE469FBD99A05FE3, 481, 164},    {0xA59BC234DB398C25, 508, 172},
    {0xF6C69A72A3989F5C, 534, 180},    {0xB7DCBF5354E9BECE, 561, 188},    {0x88FCF317F22241E2, 588, 196},
    {0xCC20CE9BD35C78A5, 614, 204},    {0x98165AF37B2153DF, 641, 212},    {0xE2A0B5DC971F303A, 667, 220},
    {0xA8D9D1535CE3B396, 694, 228},    {0xFB9B7CD9A4A7443C, 720, 236},    {0xBB764C4CA7A44410, 747, 244},
    {0x8BAB8EEFB6409C1A, 774, 252},    {0xD01FEF10A657842C, 800, 260},    {0x9B10A4E5E9913129, 827, 268},
    {0xE7109BFBA19C0C9D, 853, 276},    {0xAC2820D9623BF429, 880, 284},    {0x80444B5E7AA7CF85, 907, 292},
    {0xBF21E44003ACDD2D, 933, 300},    {0x8E679C2F5E44FF8F, 960, 308},    {0xD433179D9C8CB841, 986, 316},
    {0x9E19DB92B4E31BA9, 1013, 324},
};

// A cached power c with -60 <= c.e + e + 64 <= -32 (Grisu's alpha, gamma), for binary exponent e.
CachedPower cached_power(int e) {
    const int f = -60 - e - 1;
    const int k = (f * 78913) / (1 << 18) + static_cast<int>(f > 0);  // ceil(f · log10 2), integers only
    return kCachedPowers[(300 + k + 7) / 8];
}

// Decrements the last digit while that brings buf · 10^k closer to w (all in units of 2^e).
void round_weed(char* buf, int len, std::uint64_t dist, std::uint64_t delta, std::uint64_t rest, std::uint64_t ten_k) {
    while (rest < dist && delta - rest >= ten_k && (rest + ten_k < dist || dist - rest > rest + ten_k - dist)) {
        --buf[len - 1];
        rest += ten_k;
    }
}

// Digits of a number in [m_minus, m_plus] (shared exponent in [-60, -32]) near w: buf · 10^exponent.
void generate_digits(char* buf, int& len, int& exponent, DiyFp m_minus, DiyFp w, DiyFp m_plus) {
    std::uint64_t delta = m_plus.f - m_minus.f, dist = m_plus.f - w.f;
    const int shift = -m_plus.e;
    const std::uint64_t one = std::uint64_t{1} << shift;
    auto p1 = static_cast<std::uint32_t>(m_plus.f >> shift);  // integral part
    std::uint64_t p2 = m_plus.f & (one - 1);                    // fractional part
    std::uint32_t pow10 = 1;
    int n = 1;
    while (n < 10 && p1 >= pow10 * 10) {
        pow10 *= 10;
        ++n;
    }
    for (; n > 0; --n, pow10 /= 10) {
        buf[len++] = static_cast<char>('0' + p1 / pow10);
        p1 %= pow10;
        const std::uint64_t rest = (std::uint64_t{p1} << shift) + p2;
        if (rest <= delta) {
            exponent += n - 1;
            round_weed(buf, len, dist, delta, rest, std::uint64_t{pow10} << shift);
            return;
        }
    }
    int m = 0;
    for (;;) {
        p2 *= 10;
        buf[len++] = static_cast<char>('0' + (p2 >> shift));
        p2 &= one - 1;
        ++m;
        delta *= 10;
        dist *= 10;
        if (p2 <= delta) break;
    }
    exponent -= m;
    round_weed(buf, len, dist, delta, p2, one);
}

// value > 0, finite: digits in buf (at most 17), value ≈ buf · 10^exponent.
void grisu2(double value, char* buf, int& len, int& exponent) {
    constexpr int kBias = 1075, kMinExponent = 1 - kBias;
    constexpr std::uint64_t kHiddenBit = std::uint64_t{1} << 52;
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    const std::uint64_t biased = bits >> 52, fraction = bits & (kHiddenBit - 1);
    const DiyFp v = biased == 0 ? DiyFp{fraction, kMinExponent} : DiyFp{fraction + kHiddenBit, static_cast<int>(biased) - kBias};
    // Boundaries halfway to the neighbours; the lower one is closer at a power of two.
    const bool lower_closer = fraction == 0 && biased > 1;
    const DiyFp plus = normalize({2 * v.f + 1, v.e - 1});
    DiyFp minus = lower_closer ? DiyFp{4 * v.f - 1, v.e - 2} : DiyFp{2 * v.f - 1, v.e - 1};
    minus = {minus.f << (minus.e - plus.e), plus.e};

    const CachedPower c = cached_power(plus.e);
    const DiyFp scale{c.f, c.e};
    const DiyFp w = multiply(normalize(v), scale), w_minus = multiply(minus, scale), w_plus = multiply(plus, scale);
    // One unit of slack each side for the rounding of the products.
    exponent = -c.k;
    len = 0;
    generate_digits(buf, len, exponent, {w_minus.f + 1, w_minus.e}, w, {w_plus.f - 1, w_plus.e});
}

// nlohmann's layout of buf · 10^exponent (like printf "%g"): fixed notation for 1e-4 <= |v| < 1e15
// ("0.0001", "12.5", "100.0"), else "1.5e+20" / "1e-05"; an integral value keeps ".0".
void append_double(double value, std::string& out) {
    if (!std::isfinite(value)) {  // JSON has no NaN or infinity (nlohmann writes null)
        out += "null";
        return;
    }
    if (std::signbit(value)) {
        out += '-';
        value = -value;
    }
    if (value == 0) {
        out += "0.0";
        return;
    }
    char digits[17];
    int k = 0, exponent = 0;
    grisu2(value, digits, k, exponent);
    const int n = k + exponent;  // position of the decimal point relative to the digits
    const std::string_view d(digits, static_cast<std::size_t>(k));
    if (k <= n && n <= 15) {
        out.append(d).append(static_cast<std::size_t>(n - k), '0').append(".0");
    } else if (0 < n && n <= 15) {
        out.append(d.substr(0, static_cast<std::size_t>(n))).append(".").append(d.substr(static_cast<std::size_t>(n)));
    } else if (-4 < n && n <= 0) {
        out.append("0.").append(static_cast<std::size_t>(-n), '0').append(d);
    } else {
        out += d[0];
        if (k > 1) out.append(".").append(d.substr(1));
        int e = n - 1;
        out += e < 0 ? "e-" : "e+";
        e = e < 0 ? -e : e;
        if (e >= 100) out += static_cast<char>('0' + e / 100);
        out += static_cast<char>('0' + e / 10 % 10);
        out += static_cast<char>('0' + e % 10);
    }
}

// ---------------------------------------------------------------- strings and structure

void append_string(const std::string& s, std::string& out) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c >= 0x80) {
            const auto seq = json_detail::utf8_sequence(p, end);
            if (seq.well_formed) out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(seq.length));
            else out += "\xEF\xBF\xBD";  // U+FFFD for the ill-formed prefix; its breaking byte is read again
            p += seq.length > 0 ? seq.length : 1;
            continue;
        }
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) out.append("\\u00").append(1, kHex[c >> 4]).append(1, kHex[c & 15]);
                else out += static_cast<char>(c);
        }
        ++p;
    }
    out += '"';
}

void append_value(const Json& v, int indent, int depth, std::string& out) {
    const bool pretty = indent >= 0;
    auto newline = [&](int level) {
        if (!pretty) return;
        out += '\n';
        out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(level), ' ');
    };
    switch (v.type()) {
        case Json::Type::null: out += "null"; return;
        case Json::Type::boolean: out += v.get<bool>() ? "true" : "false"; return;
        case Json::Type::integer: out += std::to_string(v.get<std::int64_t>()); return;
        case Json::Type::floating: append_double(v.get<double>(), out); return;
        case Json::Type::string: append_string(v.get<std::string>(), out); return;
        case Json::Type::array: {
            if (v.empty()) {
                out += "[]";
                return;
            }
            out += '[';
            bool first = true;
            for (const Json& element : v) {
                if (!first) out += ',';
                first = false;
                newline(depth + 1);
                append_value(element, indent, depth + 1, out);
            }
            newline(depth);
            out += ']';
            return;
        }
        case Json::Type::object: {
            if (v.empty()) {
                out += "{}";
                return;
            }
            out += '{';
            bool first = true;
            for (const auto& [key, member] : v.items()) {
                if (!first) out += ',';
                first = false;
                newline(depth + 1);
                append_string(key, out);
                out += pretty ? ": " : ":";
                append_value(member, indent, depth + 1, out);
            }
            newline(depth);
            out += '}';
            return;
        }
    }
}

}  // namespace

std::string Json::dump(int indent) const {
    std::string out;
    append_value(*this, indent, 0, out);
    return out;
}

}  // namespace stockcast

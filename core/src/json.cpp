// Json values and the parser. No strtod, printf, iostreams or locale: they would cost the
// WebAssembly module kilobytes, and strtod's result depends on the C locale.
#include "stockcast/json.hpp"

#include <algorithm>
#include <cstring>

#include "json_utf8.hpp"

namespace stockcast {

// ---------------------------------------------------------------- the value type

namespace {

const Json kNull;

}  // namespace

Json::Json(std::initializer_list<Json> items) {
    const bool is_object = std::all_of(items.begin(), items.end(), [](const Json& item) {
        const auto* pair = std::get_if<Array>(&item.data_);
        return pair != nullptr && pair->size() == 2 && (*pair)[0].is_string();
    });
    if (!is_object) {
        data_ = Array(items.begin(), items.end());
        return;
    }
    data_ = Object();
    auto& members = *std::get_if<Object>(&data_);
    for (const Json& item : items) {
        const Array& pair = *std::get_if<Array>(&item.data_);
        members.emplace(*std::get_if<std::string>(&pair[0].data_), pair[1]);  // a repeated key: the first stays
    }
}

Json Json::array(std::initializer_list<Json> items) {
    Json out;
    out.data_ = Array(items.begin(), items.end());
    return out;
}

Json Json::object() {
    Json out;
    out.data_ = Object();
    return out;
}

const char* Json::type_name() const {
    switch (type()) {
        case Type::null: return "null";
        case Type::boolean: return "boolean";
        case Type::integer:
        case Type::floating: return "number";
        case Type::string: return "string";
        case Type::array: return "array";
        case Type::object: return "object";
    }
    return "unknown";
}

const Json* Json::find(std::string_view key) const {
    const auto* members = std::get_if<Object>(&data_);
    if (members == nullptr) return nullptr;
    auto it = members->find(key);
    return it != members->end() ? &it->second : nullptr;
}

Json* Json::find(std::string_view key) { return const_cast<Json*>(std::as_const(*this).find(key)); }

const Json& Json::operator[](std::string_view key) const {
    const Json* member = find(key);
    return member != nullptr ? *member : kNull;
}

Json& Json::operator[](std::string_view key) {
    if (!is_object()) data_ = Object();
    auto& members = *std::get_if<Object>(&data_);
    auto it = members.lower_bound(key);
    if (it == members.end() || it->first != key) it = members.emplace_hint(it, std::string(key), Json());
    return it->second;
}

std::size_t Json::erase(std::string_view key) {
    auto* members = std::get_if<Object>(&data_);
    if (members == nullptr) return 0;
    auto it = members->find(key);
    if (it == members->end()) return 0;
    members->erase(it);
    return 1;
}

const Json::Object& Json::items() const {
    static const Object none;
    const auto* members = std::get_if<Object>(&data_);
    return members != nullptr ? *members : none;
}

const Json& Json::operator[](std::size_t index) const {
    const auto* elements = std::get_if<Array>(&data_);
    return elements != nullptr && index < elements->size() ? (*elements)[index] : kNull;
}

Json& Json::operator[](std::size_t index) {
    if (!is_array()) data_ = Array();
    auto& elements = *std::get_if<Array>(&data_);
    if (index >= elements.size()) elements.resize(index + 1);
    return elements[index];
}

void Json::push_back(Json value) {
    if (!is_array()) data_ = Array();
    std::get_if<Array>(&data_)->push_back(std::move(value));
}

void Json::erase(std::size_t index) {
    auto* elements = std::get_if<Array>(&data_);
    if (elements != nullptr && index < elements->size()) elements->erase(elements->begin() + static_cast<std::ptrdiff_t>(index));
}

namespace {
Json::Array& no_elements() {
    static Json::Array none;  // stays empty: only ever iterated
    return none;
}
}  // namespace

Json::Array::const_iterator Json::begin() const {
    const auto* elements = std::get_if<Array>(&data_);
    return elements != nullptr ? elements->begin() : no_elements().cbegin();
}
Json::Array::const_iterator Json::end() const {
    const auto* elements = std::get_if<Array>(&data_);
    return elements != nullptr ? elements->end() : no_elements().cend();
}
Json::Array::iterator Json::begin() {
    auto* elements = std::get_if<Array>(&data_);
    return elements != nullptr ? elements->begin() : no_elements().begin();
}
Json::Array::iterator Json::end() {
    auto* elements = std::get_if<Array>(&data_);
    return elements != nullptr ? elements->end() : no_elements().end();
}

std::size_t Json::size() const {
    switch (type()) {
        case Type::null: return 0;
        case Type::array: return std::get_if<Array>(&data_)->size();
        case Type::object: return std::get_if<Object>(&data_)->size();
        default: return 1;
    }
}

bool operator==(const Json& a, const Json& b) {
    if (a.is_number() && b.is_number() && a.type() != b.type()) return a.get<double>() == b.get<double>();
    return a.data_ == b.data_;
}

// ---------------------------------------------------------------- decimal to double

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The exact conversion for numbers outside the fast path, as in Go's strconv (decimal.go): the
// decimal is held digit by digit and scaled by powers of two without rounding, then its leading 53
// bits are rounded to nearest, ties to even. 800 digits hold the 767 significant digits of the
// longest decimal halfway between two doubles; digits beyond only matter as "a little larger",
// which `truncated` records. So every input converts correctly rounded, like glibc's strtod.
constexpr int kMaxDigits = 800;
constexpr int kMaxShift = 60;  // one shift step: 9 · 2^60 plus a carry stays below 2^64

struct Decimal {
    std::uint8_t digits[kMaxDigits];  // most significant first, values 0..9, no trailing zeros
    int count = 0;                    // digits in use; 0 means the value is zero
    int point = 0;                    // value = 0.digits × 10^point
    bool truncated = false;           // nonzero digits were dropped beyond `digits`
};

void trim(Decimal& d) {
    while (d.count > 0 && d.digits[d.count - 1] == 0) --d.count;
    if (d.count == 0) d.point = 0;
}

// d /= 2^k, k <= kMaxShift.
void shift_right(Decimal& d, int k) {
    int read = 0, write = 0;
    std::uint64_t n = 0;
    // Take enough leading digits for the first quotient digit.
    for (; (n >> k) == 0; ++read) {
        if (read >= d.count) {
            if (n == 0) {
                d.count = 0;
                return;
            }
            while ((n >> k) == 0) {
                n *= 10;
                ++read;
            }
            break;
        }
        n = n * 10 + d.digits[read];
    }
    d.point -= read - 1;
    const std::uint64_t mask = (std::uint64_t{1} << k) - 1;
    for (; read < d.count; ++read) {
        const std::uint8_t next = d.digits[read];
        d.digits[write++] = static_cast<std::uint8_t>(n >> k);
        n = (n & mask) * 10 + next;
    }
    while (n > 0) {
        const auto digit = static_cast<std::uint8_t>(n >> k);
        if (write < kMaxDigits) d.digits[write++] = digit;
        else if (digit > 0) d.truncated = true;
        n = (n & mask) * 10;
    }
    d.count = write;
    trim(d);
}

// d *= 2^k, k <= kMaxShift: digits are produced from the least significant end in a scratch buffer.
void shift_left(Decimal& d, int k) {
    std::uint8_t out[kMaxDigits + 20];  // 2^60 < 10^19: at most 19 new digits
    int write = static_cast<int>(sizeof out);
    std::uint64_t n = 0;
    for (int read = d.count - 1; read >= 0; --read) {
        n += std::uint64_t{d.digits[read]} << k;
        out[--write] = static_cast<std::uint8_t>(n % 10);
        n /= 10;
    }
    for (; n > 0; n /= 10) out[--write] = static_cast<std::uint8_t>(n % 10);
    const int produced = static_cast<int>(sizeof out) - write;
    const int kept = std::min(produced, kMaxDigits);
    for (int i = kept; i < produced; ++i)
        if (out[write + i] != 0) d.truncated = true;
    std::memcpy(d.digits, out + write, static_cast<std::size_t>(kept));
    d.point += produced - d.count;
    d.count = kept;
    trim(d);
}

void shift(Decimal& d, int k) {
    if (d.count == 0) return;
    for (; k > kMaxShift; k -= kMaxShift) shift_left(d, kMaxShift);
    for (; k < -kMaxShift; k += kMaxShift) shift_right(d, kMaxShift);
    if (k > 0) shift_left(d, k);
    if (k < 0) shift_right(d, -k);
}

// The integer part of d, rounded to nearest, ties to even (d < 2^64).
std::uint64_t rounded_integer(const Decimal& d) {
    std::uint64_t n = 0;
    int i = 0;
    for (; i < d.point && i < d.count; ++i) n = n * 10 + d.digits[i];
    for (; i < d.point; ++i) n *= 10;
    if (d.point >= 0 && d.point < d.count) {
        const bool half = d.digits[d.point] == 5 && d.point + 1 == d.count;
        const bool odd = d.point > 0 && d.digits[d.point - 1] % 2 == 1;
        if (half ? d.truncated || odd : d.digits[d.point] >= 5) ++n;
    }
    return n;
}

// IEEE bits of the positive value d (0.1 <= d.digits < 1, d.point in [-330, 310]);
// false when it rounds beyond the largest double.
bool decimal_to_bits(Decimal& d, std::uint64_t& bits) {
    constexpr int kMantissaBits = 52, kBias = -1023, kMaxBiased = 0x7FF;
    // Bits per step that keep the decimal point within reach: Go's powtab.
    static constexpr int kStep[] = {1, 3, 6, 9, 13, 16, 19, 23, 26};
    auto step = [](int digits) { return digits < 9 ? kStep[digits] : 27; };
    int exponent = 0;
    while (d.point > 0) {  // scale into [0.5, 1)
        const int n = step(d.point);
        shift(d, -n);
        exponent += n;
    }
    while (d.point < 0 || (d.point == 0 && d.digits[0] < 5)) {
        const int n = step(-d.point);
        shift(d, n);
        exponent -= n;
    }
    --exponent;  // [0.5, 1) -> [1, 2)
    if (exponent < kBias + 1) {  // subnormal: fewer mantissa bits
        const int n = kBias + 1 - exponent;
        shift(d, -n);
        exponent += n;
    }
    if (exponent - kBias >= kMaxBiased) return false;
    shift(d, 1 + kMantissaBits);
    std::uint64_t mantissa = rounded_integer(d);
    if (mantissa == std::uint64_t{2} << kMantissaBits) {  // rounding carried into a new bit
        mantissa >>= 1;
        if (++exponent - kBias >= kMaxBiased) return false;
    }
    if ((mantissa & (std::uint64_t{1} << kMantissaBits)) == 0) exponent = kBias;  // subnormal or zero
    bits = (mantissa & ((std::uint64_t{1} << kMantissaBits) - 1)) |
           (static_cast<std::uint64_t>(exponent - kBias) << kMantissaBits);
    return true;
}

constexpr double kExactPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// A syntactically valid JSON number (not an int64) to the nearest double. False when it lies
// beyond the double range: JSON has no infinity, so such a number is an error, not inf.
// Not inlined: keeps the 800-digit buffer out of the recursive parser's stack frames.
[[gnu::noinline]] bool to_double(const char* p, const char* end, double& out) {
    const bool negative = *p == '-';
    if (negative) ++p;
    Decimal d;
    long long point = 0;  // wide: a long run of digits with a large exponent must not overflow
    auto keep = [&d](char c) {
        const auto digit = static_cast<std::uint8_t>(c - '0');
        if (d.count < kMaxDigits) d.digits[d.count++] = digit;
        else if (digit != 0) d.truncated = true;
    };
    for (; p < end && is_digit(*p); ++p) {
        if (d.count == 0 && *p == '0') continue;
        keep(*p);
        ++point;
    }
    if (p < end && *p == '.')
        for (++p; p < end && is_digit(*p); ++p) {
            if (d.count == 0 && *p == '0') --point;
            else keep(*p);
        }
    if (p < end) {  // exponent; capped where the result is 0 or out of range anyway
        constexpr long long kCap = 1'000'000'000'000'000;
        const bool negative_exponent = *++p == '-';
        if (*p == '+' || *p == '-') ++p;
        long long e = 0;
        for (; p < end; ++p) e = std::min(e * 10 + (*p - '0'), kCap);
        point += negative_exponent ? -e : e;
    }
    trim(d);
    const double zero = negative ? -0.0 : 0.0;
    if (d.count == 0 || point < -330) {  // below half the smallest subnormal (4.9e-324)
        out = zero;
        return true;
    }
    if (point > 310) return false;  // at least 1e309
    d.point = static_cast<int>(point);
    // Clinger's fast path: a mantissa of at most 53 bits times or divided by an exactly representable
    // power of ten is one correctly rounded operation. It takes prices and most written-out numbers.
    if (d.count <= 19 && !d.truncated) {
        std::uint64_t mantissa = 0;
        for (int i = 0; i < d.count; ++i) mantissa = mantissa * 10 + d.digits[i];
        const int e10 = d.point - d.count;
        if (mantissa <= (std::uint64_t{1} << 53) && e10 >= -22 && e10 <= 22) {
            const auto m = static_cast<double>(mantissa);
            const double v = e10 < 0 ? m / kExactPowersOfTen[-e10] : m * kExactPowersOfTen[e10];
            out = negative ? -v : v;
            return true;
        }
    }
    std::uint64_t bits = 0;
    if (!decimal_to_bits(d, bits)) return false;
    double v;
    std::memcpy(&v, &bits, sizeof v);
    out = negative ? -v : v;
    return true;
}

// A syntactically valid integer literal that fits int64.
bool to_int64(const char* p, const char* end, std::int64_t& out) {
    const bool negative = *p == '-';
    if (negative) ++p;
    std::uint64_t magnitude = 0;
    for (; p < end; ++p) {
        const auto digit = static_cast<std::uint64_t>(*p - '0');
        if (magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
        magnitude = magnitude * 10 + digit;
    }
    const auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (magnitude > max + (negative ? 1 : 0)) return false;
    out = negative ? -static_cast<std::int64_t>(magnitude - 1) - 1 : static_cast<std::int64_t>(magnitude);
    return true;
}

// ---------------------------------------------------------------- the parser

std::string byte_text(unsigned char c) {
    const char* hex = "0123456789ABCDEF";
    return std::string("byte 0x") + hex[c >> 4] + hex[c & 15];
}

class Parser {
public:
    explicit Parser(std::string_view text) : begin_(text.data()), p_(begin_), end_(begin_ + text.size()) {}

    Result<Json> document() {
        Json root;
        skip_space();
        if (value(root, 0)) {
            skip_space();
            if (p_ == end_) return root;
            unexpected(p_, "the end of the input after the JSON value");
        }
        return make_error(ErrorCode::invalid_input, error_);
    }

private:
    bool fail(const char* at, std::string_view what) {
        error_ = cat({what, " at byte ", at - begin_});
        return false;
    }
    bool fail(const char* at, std::initializer_list<MessagePiece> what) { return fail(at, cat(what)); }

    bool unexpected(const char* at, const char* expected) {
        std::string got;
        if (at == end_) got = "the end of the input";
        else if (*at == '/') got = "'/' (JSON has no comments)";
        else if (*at >= 0x20 && *at < 0x7F) got = {'\'', *at, '\''};
        else got = byte_text(static_cast<unsigned char>(*at));
        return fail(at, {"expected ", expected, ", got ", got});
    }

    void skip_space() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }

    // Whether the next byte is c; eat() also steps over it.
    bool next_is(char c) const { return p_ < end_ && *p_ == c; }
    bool eat(char c) {
        if (!next_is(c)) return false;
        ++p_;
        return true;
    }

    bool value(Json& out, int depth) {
        if (p_ == end_) return unexpected(p_, "a value");
        switch (*p_) {
            case '{': return object(out, depth + 1);
            case '[': return array(out, depth + 1);
            case '"': {
                std::string s;
                if (!string(s)) return false;
                out = Json(std::move(s));
                return true;
            }
            case 't': return literal("true", true, out);
            case 'f': return literal("false", false, out);
            case 'n': return literal("null", nullptr, out);
            default:
                if (*p_ == '-' || is_digit(*p_)) return number(out);
                return unexpected(p_, "a value");
        }
    }

    bool literal(std::string_view word, Json meaning, Json& out) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0)
            return fail(p_, {"expected '", word, "'"});
        p_ += word.size();
        out = std::move(meaning);
        return true;
    }

    bool array(Json& out, int depth) {
        if (depth > kMaxJsonDepth) return fail(p_, {"nesting deeper than ", kMaxJsonDepth, " levels"});
        ++p_;
        out = Json::array();
        skip_space();
        if (eat(']')) return true;
        for (;;) {
            Json element;
            if (!value(element, depth)) return false;
            out.push_back(std::move(element));
            skip_space();
            if (eat(']')) return true;
            if (!eat(',')) return unexpected(p_, "',' or ']'");
            skip_space();
            if (next_is(']')) return fail(p_, "trailing comma before ']'");
        }
    }

    bool object(Json& out, int depth) {
        if (depth > kMaxJsonDepth) return fail(p_, {"nesting deeper than ", kMaxJsonDepth, " levels"});
        ++p_;
        out = Json::object();
        skip_space();
        if (eat('}')) return true;
        for (;;) {
            if (next_is('}')) return fail(p_, "trailing comma before '}'");
            if (!next_is('"')) return unexpected(p_, "a string key");
            const char* key_start = p_;
            std::string key;
            if (!string(key)) return false;
            if (out.contains(key)) return fail(key_start, {"duplicate key \"", key, "\""});
            skip_space();
            if (!eat(':')) return unexpected(p_, "':' after an object key");
            skip_space();
            if (!value(out[key], depth)) return false;
            skip_space();
            if (eat('}')) return true;
            if (!eat(',')) return unexpected(p_, "',' or '}'");
            skip_space();
        }
    }

    // A byte a string holds as it is: ASCII other than controls, '"' and '\\'.
    static bool plain(char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u < 0x80 && u != '"' && u != '\\';
    }

    bool string(std::string& out) {
        const char* open = p_++;
        for (;;) {
            const char* run = p_;
            while (p_ < end_ && plain(*p_)) ++p_;
            out.append(run, p_);
            if (p_ == end_) return fail(open, "unterminated string");
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c == '\\') {
                if (!escape(out)) return false;
            } else if (c < 0x20) {
                return fail(p_, {"unescaped control character (", byte_text(c), ") in a string"});
            } else {
                const auto seq = json_detail::utf8_sequence(reinterpret_cast<const unsigned char*>(p_),
                                                            reinterpret_cast<const unsigned char*>(end_));
                if (!seq.well_formed) return fail(p_ + seq.length, "invalid UTF-8 in a string");
                out.append(p_, static_cast<std::size_t>(seq.length));
                p_ += seq.length;
            }
        }
    }

    bool hex4(unsigned& code) {
        if (end_ - p_ < 4) return false;
        code = 0;
        for (int i = 0; i < 4; ++i, ++p_) {
            const char c = *p_;
            const int digit = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
            if (digit < 0) return false;
            code = code * 16 + static_cast<unsigned>(digit);
        }
        return true;
    }

    bool escape(std::string& out) {
        const char* at = p_++;
        if (p_ == end_) return fail(at, "unterminated string");
        switch (*p_++) {
            case '"': out += '"'; return true;
            case '\\': out += '\\'; return true;
            case '/': out += '/'; return true;
            case 'b': out += '\b'; return true;
            case 'f': out += '\f'; return true;
            case 'n': out += '\n'; return true;
            case 'r': out += '\r'; return true;
            case 't': out += '\t'; return true;
            case 'u': break;
            default: return fail(at, "invalid escape sequence");
        }
        unsigned code = 0;
        if (!hex4(code)) return fail(at, "expected four hex digits after \\u");
        if (code >= 0xDC00 && code <= 0xDFFF) return fail(at, "unpaired UTF-16 surrogate (a low one first)");
        if (code >= 0xD800 && code <= 0xDBFF) {
            unsigned low = 0;
            const char* second = p_;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return fail(at, "unpaired UTF-16 surrogate (no low one follows)");
            p_ += 2;
            if (!hex4(low)) return fail(second, "expected four hex digits after \\u");
            if (low < 0xDC00 || low > 0xDFFF) return fail(at, "unpaired UTF-16 surrogate (no low one follows)");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        // UTF-8 encoding of the code point.
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
        return true;
    }

    bool number(Json& out) {
        const char* start = p_;
        if (*p_ == '-') ++p_;
        if (p_ == end_ || !is_digit(*p_)) return unexpected(p_, "a digit after '-'");
        if (*p_ == '0' && p_ + 1 < end_ && is_digit(p_[1])) return fail(p_, "leading zeros are not allowed in numbers");
        while (p_ < end_ && is_digit(*p_)) ++p_;
        bool integer = true;
        if (eat('.')) {
            integer = false;
            if (p_ == end_ || !is_digit(*p_)) return unexpected(p_, "a digit after the decimal point");
            while (p_ < end_ && is_digit(*p_)) ++p_;
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            integer = false;
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (p_ == end_ || !is_digit(*p_)) return unexpected(p_, "a digit in the exponent");
            while (p_ < end_ && is_digit(*p_)) ++p_;
        }
        std::int64_t whole = 0;
        if (integer && to_int64(start, p_, whole)) {
            out = whole;
            return true;
        }
        double real = 0;
        if (!to_double(start, p_, real)) return fail(start, "number beyond the range of a double");
        out = real;
        return true;
    }

    const char* begin_;
    const char* p_;
    const char* end_;
    std::string error_;
};

}  // namespace

Result<Json> parse_json(std::string_view text) { return Parser(text).document(); }

}  // namespace stockcast

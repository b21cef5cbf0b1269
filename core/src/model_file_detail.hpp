// Shared by the model-file readers (model_file.cpp: LSTM networks, factor_model.cpp: classical
// models): byte access, typed non-throwing header field access (each failure is bad_header
// naming the field), and the layout check of the fixed prefix. Private to the core.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/json.hpp"
#include "stockcast/model.hpp"

namespace stockcast::detail {

inline std::uint32_t read_u32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
}
inline std::uint64_t read_u64(const std::uint8_t* p) { return std::uint64_t{read_u32(p)} | (std::uint64_t{read_u32(p + 4)} << 32); }
inline void write_u32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void write_u64(std::uint8_t* p, std::uint64_t v) {
    write_u32(p, static_cast<std::uint32_t>(v));
    write_u32(p + 4, static_cast<std::uint32_t>(v >> 32));
}
inline std::uint64_t align_up(std::uint64_t n) { return (n + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment; }

inline Error header_error(std::string_view field, std::string_view expected, const Json* got) {
    std::string message = cat({"header.", field, ": expected ", expected, ", got "});
    if (got == nullptr) message += "missing";
    else if (got->is_string()) message += cat({"\"", std::string_view(got->get<std::string>()).substr(0, 60), "\""});
    else if (got->is_number()) message += number_text(got->get<double>());
    else message += cat({"a value of type ", got->type_name()});
    return make_error(ErrorCode::bad_header, std::move(message));
}

// Typed, non-throwing access to header fields: each returns bad_header naming the field.
inline Status get_int(const Json& obj, const char* key, const std::string& path, long long min, long long max, long long& out) {
    const Json* v = json_find(obj, key);
    const std::optional<long long> n = v ? json_int(*v) : std::nullopt;
    if (!n) return header_error(path + key, "an integer", v);
    out = *n;
    if (out < min || out > max)
        return make_error(out > max ? ErrorCode::dimension_too_large : ErrorCode::bad_header,
                          {"header.", path, key, ": expected ", min, "..", max, ", got ", out});
    return Ok{};
}

inline Status get_string(const Json& obj, const char* key, const std::string& path, std::string& out, bool required = true) {
    const Json* v = json_find(obj, key);
    if (v == nullptr && !required) return Ok{};
    if (v == nullptr || !v->is_string()) return header_error(path + key, "a string", v);
    out = v->get<std::string>();
    return Ok{};
}

// `v` (the value of header.FIELD, or nullptr when missing): an array of at most max_len finite numbers.
template <class T>
inline Status read_numbers(const Json* v, const std::string& field, std::size_t max_len, std::vector<T>& out) {
    if (v == nullptr || !v->is_array()) return header_error(field, "an array of numbers", v);
    if (v->size() > max_len)
        return make_error(ErrorCode::dimension_too_large, {"header.", field, ": at most ", max_len, " values, got ", v->size()});
    out.clear();
    for (std::size_t i = 0; i < v->size(); ++i) {
        const Json& e = (*v)[i];
        if (!e.is_number()) return header_error(cat({field, "[", i, "]"}), "a number", &e);
        const double d = e.get<double>();
        if constexpr (std::is_integral_v<T>) {
            if (!e.is_number_integer() || d < -2147483648.0 || d > 2147483647.0)
                return header_error(cat({field, "[", i, "]"}), "an integer", &e);
        } else if (!(std::fabs(d) <= static_cast<double>(std::numeric_limits<T>::max()))) {
            // Parsed numbers are finite doubles, but beyond ±3.4e38 a float would be infinite.
            return make_error(ErrorCode::non_finite, {"header.", field, "[", i, "]: not finite as ", (sizeof(T) == 4 ? "float32" : "a double")});
        }
        out.push_back(static_cast<T>(d));
    }
    return Ok{};
}

template <class T>
inline Status get_numbers(const Json& obj, const char* key, const std::string& path, std::size_t max_len, std::vector<T>& out) {
    return read_numbers(json_find(obj, key), path + key, max_len, out);
}

inline Status check_length(const std::string& field, std::size_t expected, std::size_t actual) {
    if (expected == actual) return Ok{};
    return make_error(ErrorCode::shape_mismatch, {"header.", field, ": expected ", expected, " values, got ", actual});
}

struct Layout {
    std::uint32_t version;
    std::uint32_t header_bytes;
    std::uint64_t data_start, data_bytes;
};

// The fixed prefix against the caps and the buffer: magic, a version in 1..kModelFormatVersion,
// lengths; truncated / trailing bytes.
Result<Layout> check_layout(const std::uint8_t* data, std::size_t size);
std::string_view header_text(const std::uint8_t* data, const Layout& layout);
// The header as a JSON object whose "format" is "stockcast-model".
Result<Json> parse_header_json(const std::uint8_t* data, const Layout& layout);

// What every reader does first: the layout, the stored SHA-256 when asked, the header JSON.
struct OpenedFile {
    Layout layout;
    Json header;
};
Result<OpenedFile> open_model_file(const std::uint8_t* data, std::size_t size, bool verify_hash);

}  // namespace stockcast::detail

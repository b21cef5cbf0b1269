#include "stockcast/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace stockcast {

const char* code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::invalid_input: return "invalid_input";
        case ErrorCode::insufficient_history: return "insufficient_history";
        case ErrorCode::model_not_found: return "model_not_found";
        case ErrorCode::truncated: return "truncated";
        case ErrorCode::bad_magic: return "bad_magic";
        case ErrorCode::unsupported_version: return "unsupported_version";
        case ErrorCode::bad_header: return "bad_header";
        case ErrorCode::unknown_architecture: return "unknown_architecture";
        case ErrorCode::dimension_too_large: return "dimension_too_large";
        case ErrorCode::tensor_out_of_bounds: return "tensor_out_of_bounds";
        case ErrorCode::tensor_misaligned: return "tensor_misaligned";
        case ErrorCode::tensor_overlap: return "tensor_overlap";
        case ErrorCode::shape_mismatch: return "shape_mismatch";
        case ErrorCode::missing_tensor: return "missing_tensor";
        case ErrorCode::unexpected_tensor: return "unexpected_tensor";
        case ErrorCode::non_finite: return "non_finite";
        case ErrorCode::hash_mismatch: return "hash_mismatch";
        case ErrorCode::test_vector_mismatch: return "test_vector_mismatch";
        case ErrorCode::not_converged: return "not_converged";
        case ErrorCode::singular: return "singular";
        case ErrorCode::bad_structure: return "bad_structure";
        case ErrorCode::out_of_range: return "out_of_range";
        case ErrorCode::diverged: return "diverged";
        case ErrorCode::cancelled: return "cancelled";
    }
    return "unknown_error";
}

const char* code_category(ErrorCode code) {
    switch (code) {
        case ErrorCode::invalid_input: return "invalid_input";
        case ErrorCode::insufficient_history: return "insufficient_history";
        case ErrorCode::model_not_found: return "model_not_found";
        case ErrorCode::out_of_range: return "out_of_range";
        case ErrorCode::hash_mismatch:
        case ErrorCode::test_vector_mismatch: return "integrity_error";
        case ErrorCode::not_converged:
        case ErrorCode::singular:
        case ErrorCode::diverged: return "numerical_error";
        case ErrorCode::cancelled: return "cancelled";
        default: return "format_error";
    }
}

std::string cat(std::initializer_list<MessagePiece> pieces) {
    std::string out;
    for (const MessagePiece& p : pieces) {
        switch (p.kind) {
            case MessagePiece::Kind::text: out.append(p.text); break;
            case MessagePiece::Kind::signed_int: out += std::to_string(p.i); break;
            case MessagePiece::Kind::unsigned_int: out += std::to_string(p.u); break;
            case MessagePiece::Kind::real: out += number_text(p.d); break;
        }
    }
    return out;
}

Error input_error(std::string field, std::string_view reason) {
    Error e{ErrorCode::invalid_input, cat({field, ": ", reason})};
    e.field = std::move(field);
    return e;
}

Error input_error(std::string field, std::initializer_list<MessagePiece> reason) { return input_error(std::move(field), cat(reason)); }

Error history_error(std::string_view what, long long required, long long provided, std::string_view values) {
    Error e{ErrorCode::insufficient_history, cat({what, ": requires ", required, " ", values, ", provided ", provided})};
    e.required = required;
    e.provided = provided;
    return e;
}

std::string number_text(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    std::string out = value < 0 ? "-" : "";
    double v = std::fabs(value);
    // Scientific form outside [1e-4, 1e9): v = mantissa · 10^exponent, mantissa in [1, 10).
    // Powers of ten by repeated multiplication are exact enough for six digits and keep pow,
    // log10 and llround (kilobytes of WebAssembly, for error messages) out of the modules.
    int exponent = 0;
    if (v != 0 && (v >= 1e9 || v < 1e-4)) {
        while (v >= 10) v /= 10, ++exponent;
        while (v < 1) v *= 10, --exponent;
    }
    // Six significant digits, trailing zeros trimmed.
    int int_digits = 1;
    for (double t = v; t >= 10; t /= 10) ++int_digits;
    const int decimals = std::max(0, 6 - int_digits);
    std::uint64_t scale = 1;
    for (int i = 0; i < decimals; ++i) scale *= 10;
    const auto scaled = static_cast<std::uint64_t>(v * static_cast<double>(scale) + 0.5);
    out += std::to_string(scaled / scale);
    std::string frac = decimals ? std::to_string(scaled % scale) : "";
    if (!frac.empty()) {
        frac.insert(0, static_cast<std::size_t>(decimals) - frac.size(), '0');
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        if (!frac.empty()) out += "." + frac;
    }
    if (exponent != 0) out += (exponent > 0 ? "e+" : "e") + std::to_string(exponent);
    return out;
}

}  // namespace stockcast

#include "stockcast/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace stockcast {

const char* code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::invalid_input: return "invalid_input";
        case ErrorCode::insufficient_history: return "insufficient_history";
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
    }
    return "unknown_error";
}

const char* code_category(ErrorCode code) {
    switch (code) {
        case ErrorCode::invalid_input: return "invalid_input";
        case ErrorCode::insufficient_history: return "insufficient_history";
        case ErrorCode::hash_mismatch:
        case ErrorCode::test_vector_mismatch: return "integrity_error";
        case ErrorCode::not_converged:
        case ErrorCode::singular: return "numerical_error";
        default: return "format_error";
    }
}

std::string number_text(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    std::string out = value < 0 ? "-" : "";
    value = std::fabs(value);
    int exponent = 0;
    if (value != 0 && (value >= 1e9 || value < 1e-4)) {
        exponent = static_cast<int>(std::floor(std::log10(value)));
        value /= std::pow(10.0, exponent);
    }
    // Six significant digits, trailing zeros trimmed.
    const int int_digits = value >= 1 ? static_cast<int>(std::floor(std::log10(value))) + 1 : 1;
    const int decimals = std::max(0, 6 - int_digits);
    const double scale = std::pow(10.0, decimals);
    const auto scaled = static_cast<std::uint64_t>(std::llround(value * scale));
    const auto scale_int = static_cast<std::uint64_t>(std::llround(scale));
    out += std::to_string(scaled / scale_int);
    std::string frac = decimals ? std::to_string(scaled % scale_int) : "";
    if (!frac.empty()) {
        frac.insert(0, static_cast<std::size_t>(decimals) - frac.size(), '0');
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        if (!frac.empty()) out += "." + frac;
    }
    if (exponent != 0) out += (exponent > 0 ? "e+" : "e") + std::to_string(exponent);
    return out;
}

}  // namespace stockcast

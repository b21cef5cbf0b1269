#include "stockcast/error.hpp"

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

}  // namespace stockcast

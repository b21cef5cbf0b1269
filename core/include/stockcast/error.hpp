// Typed errors for the whole core. The core never throws across its public API:
// every fallible call returns Result<T>, so nothing can escape into WebAssembly,
// where exceptions are disabled and a throw would abort the module.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace stockcast {

enum class ErrorCode : int {
    // caller input
    invalid_input = 1,         // a field has a bad value (NaN, <= 0, wrong length, unknown option)
    insufficient_history,      // a series is shorter than the method needs
    model_not_found,           // no model serves the symbol (routing.hpp)
    // model files: structure (category "format_error")
    truncated,                 // the buffer ends before a declared part
    bad_magic,                 // not a stockcast model file
    unsupported_version,       // a format version this build cannot read
    bad_header,                // header JSON malformed, or a field missing / of the wrong type
    unknown_architecture,      // a layer kind or architecture name we do not know
    dimension_too_large,       // a dimension beyond the sane caps
    tensor_out_of_bounds,      // a tensor's bytes lie outside the data section
    tensor_misaligned,         // a tensor offset is not aligned
    tensor_overlap,            // two tensors share bytes
    shape_mismatch,            // a tensor's shape disagrees with the architecture
    missing_tensor,            // the architecture needs a tensor the file lacks
    unexpected_tensor,         // the file has a tensor the architecture does not use
    non_finite,                // NaN or infinity among weights or metadata numbers
    // model files: integrity (category "integrity_error")
    hash_mismatch,             // SHA-256 of the file body differs from the stored one
    test_vector_mismatch,      // the embedded test input does not give the embedded output
    // numerical methods (risk engine, training)
    not_converged,             // an iterative method did not converge and has no fallback
    singular,                  // a matrix that must be invertible is not
    // added with the factor models (format version 2)
    bad_structure,             // a tree node / feature index outside its range, a cycle, no trees or support vectors
    out_of_range,              // a factor input outside the model's valid range (Error: field, value, min, max)
    diverged,                  // training: the loss became non-finite or exploded (category numerical_error)
    // caller control
    cancelled,                 // a cancel callback / AbortSignal stopped the run (category "cancelled")
};

// Stable snake_case name of a code ("tensor_overlap"); part of the public API.
const char* code_name(ErrorCode code);
// The coarse class the JavaScript API exposes: "invalid_input", "insufficient_history",
// "model_not_found", "format_error", "integrity_error", "numerical_error" or "out_of_range".
const char* code_category(ErrorCode code);

struct Error {
    ErrorCode code;
    std::string message;    // names the field and expected vs actual
    std::string field{};    // invalid_input: the offending field ("history.close", "level"), when known
    long long required = -1, provided = -1;  // insufficient_history: how many values were needed / given
    double value = 0, min = 0, max = 0;      // out_of_range: the value and the valid range
};

template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
    Result(Error error) : v_(std::move(error)) {}      // NOLINT
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;

// One piece of a message: text, or a number (integers in full, others as number_text).
struct MessagePiece {
    enum class Kind { text, signed_int, unsigned_int, real } kind = Kind::text;
    std::string_view text;
    long long i = 0;
    unsigned long long u = 0;
    double d = 0;

    MessagePiece(const char* s) : text(s) {}                       // NOLINT: implicit by design
    MessagePiece(std::string_view s) : text(s) {}                  // NOLINT
    MessagePiece(const std::string& s) : text(s) {}                // NOLINT
    template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, char> && !std::is_same_v<I, bool>, int> = 0>
    MessagePiece(I v) {                                             // NOLINT
        if constexpr (std::is_signed_v<I>) kind = Kind::signed_int, i = v;
        else kind = Kind::unsigned_int, u = v;
    }
    MessagePiece(double v) : kind(Kind::real), d(v) {}             // NOLINT
};

// Concatenates pieces: cat({"expected ", n, " values, got ", m}). One call instead of a chain
// of std::string temporaries: each operator+ inlined at an error site costs code in the
// WebAssembly download, and the parser has many error sites.
std::string cat(std::initializer_list<MessagePiece> pieces);

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }
inline Error make_error(ErrorCode code, std::initializer_list<MessagePiece> message) { return Error{code, cat(message)}; }

// invalid_input naming its field: "FIELD: REASON".
Error input_error(std::string field, std::string_view reason);
Error input_error(std::string field, std::initializer_list<MessagePiece> reason);

// insufficient_history with the counts: "WHAT: requires R VALUES, provided P".
Error history_error(std::string_view what, long long required, long long provided, std::string_view values = "closes");

// A number for an error message ("0.0123", "-1.5e+09", "nan"), without printf: keeping printf
// out of the WebAssembly module saves kilobytes of download.
std::string number_text(double value);

}  // namespace stockcast

// The hot loops of the forward pass, in one place. Two builds of the same maths:
// WebAssembly SIMD intrinsics (Eigen 3.4.0 has no WASM-SIMD code path) and plain
// loops / Eigen natively. Both keep float32 accumulation in the same order per output, so
// results agree to rounding; within the WASM build every path adds the products of one output
// in the same order, so a window gives bit-identical outputs alone or in a batch.
#pragma once

#include <algorithm>

namespace stockcast::nn::kernels {

// C[m × n] = C0 + A[m × k] · W[k × n], all row-major, the k products of each output added in
// order p = 0, 1, …. C0 is `bias` (one row of n, for every row) when bias is non-null, else C's
// own values (accumulate).
void gemm(const float* a, const float* w, const float* bias, float* c, int m, int k, int n);

// LSTM cell update for `rows` independent rows. gates [rows × 4u] holds pre-activations in
// Keras order (i, f, c, o); c [rows × u] is updated in place, h [rows × u] written.
void lstm_cell(const float* gates, float* c, float* h, int rows, int units);

// Row-wise softmax of `rows` rows of n scores (n <= kMaxSoftmax), in place: e^(x − max) / Σ, the
// exponentials from the LSTM cell's 2^y polynomial (relative error 1.9e-7; arguments are <= 0 after
// the shift, so the clamp at −60 only flushes terms below 2^-60 of the largest). The Transformer's
// attention (transformer.cpp): libm's expf was the largest single cost of its forward pass.
inline constexpr int kMaxSoftmax = 1024;
void softmax_rows(float* s, int rows, int n);

// Elementwise activations used by the dense head.
inline void relu(float* x, int n) {
    for (int i = 0; i < n; ++i) x[i] = std::max(x[i], 0.0f);
}

}  // namespace stockcast::nn::kernels

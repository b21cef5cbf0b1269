// The hot loops of the forward pass, in one place. Two builds of the same maths:
// WebAssembly SIMD intrinsics (Eigen 3.4.0 has no WASM-SIMD code path) and plain
// loops / Eigen natively. Both keep float32 accumulation in the same order per output, so
// results agree to rounding; within the WASM build every path adds the products of one output
// in the same order, so a window gives bit-identical outputs alone or in a batch.
#pragma once

#include <algorithm>
#include <cstdint>

namespace stockcast::nn::kernels {

// C[m × n] = C0 + A[m × k] · W[k × n], all row-major, the k products of each output added in
// order p = 0, 1, …. C0 is `bias` (one row of n, for every row) when bias is non-null, else C's
// own values (accumulate).
void gemm(const float* a, const float* w, const float* bias, float* c, int m, int k, int n);

// LSTM cell update for `rows` independent rows. gates [rows × 4u] holds pre-activations in
// Keras order (i, f, c, o); c [rows × u] is updated in place, h [rows × u] written.
void lstm_cell(const float* gates, float* c, float* h, int rows, int units);

// The integer kernel (int16 weights and activations, int32 sums; docs/benchmarks.md#the-integer-kernel).
// Activations are LSTM outputs h in [−1, 1], quantised as round(h · kActivationScale) clamped to
// ±kActivationScale. A weight matrix W [k × n] is quantised per output column j by its own
// factor s_j (the largest that keeps |q| <= 32767 and the column's worst-case sum
// kActivationScale · Σ|q_kj| within int32, so no sum can overflow), stored with its rows in
// pairs, interleaved for i32x4.dot_i16x8_s: pairs[(p·n + j)·2 + r] = q[2p + r][j] (a zero row pads
// an odd k); dequant[j] = 1 / (s_j · kActivationScale). Integer sums are exact, so the WASM SIMD
// and the plain native loops below give the same sums in any order.
inline constexpr float kActivationScale = 8192.0f;
inline constexpr int paired(int k) { return k + (k & 1); }
void quantize_columns(const float* w, int k, int n, std::int16_t* pairs, float* dequant);
// q[0, n) from x[0, n); q[n] = 0 when n is odd (the pad of the last pair).
void quantize_activations(const float* x, std::int16_t* q, int n);
// C[m × n] = C0 + (A · W) · dequant (per column), A [m × paired(k)] int16 row-major, W as
// quantize_columns left it; C0 as in gemm (bias row, or C's own values when bias is null).
// n must be a multiple of 4 (LSTM gate blocks are 4u wide).
void gemm_int16(const std::int16_t* a, const std::int16_t* w, const float* dequant, const float* bias, float* c, int m,
                int k, int n);

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

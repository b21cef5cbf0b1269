// The hot loops of the forward pass, in one place. Two builds of the same maths:
// WebAssembly SIMD intrinsics (Eigen 3.4 has no WASM-SIMD path, see toolchain.md) and plain
// loops that native compilers vectorise. Both keep float32 accumulation in the same order
// per output, so results agree to rounding.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace stockcast::nn::kernels {

// C[m × n] += A[m × k] · W[k × n], all row-major.
void gemm_acc(const float* a, const float* w, float* c, int m, int k, int n);

// LSTM cell update for `rows` independent rows. gates [rows × 4u] holds pre-activations in
// Keras order (i, f, c, o); c and h are [rows × u] and are updated in place.
void lstm_cell(float* gates, float* c, float* h, int rows, int units);

// Elementwise activations used by the dense head.
inline void relu(float* x, int n) {
    for (int i = 0; i < n; ++i) x[i] = std::max(x[i], 0.0f);
}

}  // namespace stockcast::nn::kernels

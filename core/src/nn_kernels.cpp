#include "nn_kernels.hpp"

#include "stockcast/nn.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#include <Eigen/Core>
#endif

namespace stockcast::nn::kernels {
namespace {

// The cell's five activations from one exponential each:
//   σ(x) = 1 / (1 + e^-x),  tanh(x) = (1 − e^-2x) / (1 + e^-2x),
// with divisions shared: for gates i, f, g (candidate), o and E_q = e^-q (E_g = e^-2g),
//   c' = c / (1 + E_f) + (1 − E_g) / ((1 + E_i)(1 + E_g)),  h = (1 − E_c') / ((1 + E_o)(1 + E_c')),
// three divisions instead of five. e^x = 2^y = 2^n · p(y − n), n = round(y), p a degree-5
// minimax polynomial on [−1/2, 1/2] (relative error 1.9e-7 evaluated in float; the cell's
// outputs are within 2.1e-7 of σ and tanh in double over a dense grid of all floats, see
// bench/wasm/bench_nn.cpp). y is clamped to ±60, so 1 + 2^y and a product of two stay finite and
// no inf/inf or 0·inf (NaN) can arise whatever the gates, ±inf included; σ and tanh are then
// within 2^-60 of 0, 1 or ±1 anyway. Adding the shifter 1.5·2^23 rounds y to n and leaves n in
// the low mantissa bits, so (bits + 127) << 23 is 2^n (the shifter's own bits shift out).
// Against the previous Cephes exp (min/max, nearest, trunc_sat: multi-instruction sequences
// in V8) and five divisions: cell 45 → 16 µs per 60 steps at batch 1.
constexpr float kClamp = 60.0f;
constexpr float kShifter = 12582912.0f;
constexpr float kP1 = 6.931470037e-01f, kP2 = 2.402224243e-01f, kP3 = 5.550733581e-02f,
                kP4 = 9.671512991e-03f, kP5 = 1.326472964e-03f;
constexpr float kMinusLog2e = -1.44269504088896341f;   // e^-x = 2^(−x log2 e)
constexpr float kMinus2Log2e = -2.88539008177792682f;  // e^-2x

}  // namespace

void quantize_columns(const float* w, int k, int n, std::int16_t* pairs, float* dequant) {
    // Worst case of one column's sum: kActivationScale · Σ|q| <= 2^31 − 1, with Σ|q| <= s·Σ|w| + k/2 (rounding).
    const double budget = 2147483647.0 / kActivationScale - 0.5 * k;
    for (int j = 0; j < n; ++j) {
        double amax = 0, l1 = 0;
        for (int p = 0; p < k; ++p) {
            const double a = std::fabs(static_cast<double>(w[static_cast<std::ptrdiff_t>(p) * n + j]));
            amax = std::max(amax, a);
            l1 += a;
        }
        const double s = amax > 0 ? std::min(32767.0 / amax, budget / l1) : 0.0;
        dequant[j] = s > 0 ? static_cast<float>(1.0 / (s * kActivationScale)) : 0.0f;
        for (int p = 0; p < paired(k); ++p) {
            const double q = p < k ? std::nearbyint(static_cast<double>(w[static_cast<std::ptrdiff_t>(p) * n + j]) * s) : 0.0;
            pairs[(static_cast<std::ptrdiff_t>(p / 2) * n + j) * 2 + p % 2] = static_cast<std::int16_t>(std::clamp(q, -32767.0, 32767.0));
        }
    }
}

#if defined(__wasm_simd128__)

namespace {

using V = v128_t;
#define SC_INLINE __attribute__((always_inline)) inline
SC_INLINE V splat(float x) { return wasm_f32x4_splat(x); }
SC_INLINE V add(V a, V b) { return wasm_f32x4_add(a, b); }
SC_INLINE V sub(V a, V b) { return wasm_f32x4_sub(a, b); }
SC_INLINE V mul(V a, V b) { return wasm_f32x4_mul(a, b); }
SC_INLINE V div(V a, V b) { return wasm_f32x4_div(a, b); }

// pmin/pmax (not min/max): one x86 instruction each instead of a NaN-propagating sequence.
SC_INLINE V exp2_clamped(V y) {
    y = wasm_f32x4_pmin(wasm_f32x4_pmax(y, splat(-kClamp)), splat(kClamp));
    const V t = add(y, splat(kShifter));
    const V f = sub(y, sub(t, splat(kShifter)));
    V p = add(mul(splat(kP5), f), splat(kP4));
    p = add(mul(p, f), splat(kP3));
    p = add(mul(p, f), splat(kP2));
    p = add(mul(p, f), splat(kP1));
    p = add(mul(p, f), splat(1.0f));
    return mul(p, wasm_i32x4_shl(wasm_i32x4_add(t, wasm_i32x4_splat(127)), 23));
}

struct State {
    V c, h;
};

// Four units from the exponentials of their gates: e (i), e + u (f), e + 2u (candidate),
// e + 3u (o); old cell state c.
SC_INLINE State cell4(const float* e, int u, V c) {
    const V one = splat(1.0f);
    const V ei = wasm_v128_load(e), ef = wasm_v128_load(e + u), eg = wasm_v128_load(e + 2 * u), eo = wasm_v128_load(e + 3 * u);
    const V cn = add(div(c, add(one, ef)), div(sub(one, eg), mul(add(one, ei), add(one, eg))));
    const V ec = exp2_clamped(mul(cn, splat(kMinus2Log2e)));
    return {cn, div(sub(one, ec), mul(add(one, eo), add(one, ec)))};
}

// e = 2^(s·x) over x[0, n), n >= 4; a partial last vector overlaps the one before (out of place,
// so computing those lanes twice is harmless).
SC_INLINE void exp_row(const float* x, float* e, int n, float s) {
    int j = 0;
    for (; j + 4 <= n; j += 4) wasm_v128_store(e + j, exp2_clamped(mul(wasm_v128_load(x + j), splat(s))));
    if (j < n) wasm_v128_store(e + n - 4, exp2_clamped(mul(wasm_v128_load(x + n - 4), splat(s))));
}

constexpr int kBlock = 512;  // units per cell_block (its scratch is on the stack)

// Units [0, len) of one row, 4 <= len <= kBlock; gate q of unit j at g[q·stride + j].
// Two passes: first the exponentials of all gates (short independent chains the CPU overlaps),
// then the state update with the one long chain c' → e^-2c' → h. In one pass per vector the
// cell was latency-bound: two passes, cell 20 → 16 µs per 60 steps at batch 1.
void cell_block(const float* g, int stride, float* c, float* h, int len) {
    alignas(16) float e[4 * kBlock];
    for (int q = 0; q < 4; ++q) exp_row(g + q * stride, e + q * len, len, q == 2 ? kMinus2Log2e : kMinusLog2e);
    // A partial last vector is done as the vector of the last four units, overlapping the one
    // before: computed first, from the old state, and stored last, so the overlapped lanes get
    // the same values twice.
    const int tail = len % 4 != 0 ? len - 4 : len;
    State last{};
    if (tail < len) last = cell4(e + tail, len, wasm_v128_load(c + tail));
    for (int j = 0; j + 4 <= len; j += 4) {
        const State s = cell4(e + j, len, wasm_v128_load(c + j));
        wasm_v128_store(c + j, s.c);
        wasm_v128_store(h + j, s.h);
    }
    if (tail < len) {
        wasm_v128_store(c + tail, last.c);
        wasm_v128_store(h + tail, last.h);
    }
}

// R rows × 4·VW columns of C, accumulators in registers across the whole k loop; each weight
// vector loaded serves all R rows. c0 (row stride c0_stride) holds the starting values.
// Splats first, then each weight vector used as soon as it is loaded: fewer live registers in
// V8's allocator (−4 % against loading all VW first). Wider tiles (2×5, 2×6, 3×3, 3×4, 1×12)
// measured 10–60 % slower: V8 then spills accumulators.
template <int R, int VW>
SC_INLINE void tile(const float* a, const float* w, const float* c0, int c0_stride, float* c, int k, int n) {
    V acc[R][VW];
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < VW; ++v) acc[r][v] = wasm_v128_load(c0 + r * c0_stride + 4 * v);
    const float* wp = w;
    for (int p = 0; p < k; ++p, wp += n) {
        V s[R];
        for (int r = 0; r < R; ++r) s[r] = wasm_v128_load32_splat(a + r * k + p);
        for (int v = 0; v < VW; ++v) {
            const V wv = wasm_v128_load(wp + 4 * v);
            for (int r = 0; r < R; ++r) acc[r][v] = add(acc[r][v], mul(s[r], wv));
        }
    }
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < VW; ++v) wasm_v128_store(c + r * n + 4 * v, acc[r][v]);
}

template <int R, int VW>
SC_INLINE void tile_upto(int width, const float* a, const float* w, const float* c0, int c0_stride, float* c, int k, int n) {
    if constexpr (VW > 1) {
        if (width < VW) return tile_upto<R, VW - 1>(width, a, w, c0, c0_stride, c, k, n);
    }
    tile<R, VW>(a, w, c0, c0_stride, c, k, n);
}

// Vectors [v0, v1) of R rows in tiles of at most VMax vectors, of near-equal widths: a narrow
// last tile would leave its few accumulators a long chain of dependent adds.
template <int R, int VMax>
void row_tiles(const float* a, const float* w, const float* c0, int c0_stride, float* c, int k, int n, int v0, int v1) {
    const int tiles = (v1 - v0 + VMax - 1) / VMax;
    for (int t = 0, b = v0; t < tiles; ++t) {
        const int e = v0 + (v1 - v0) * (t + 1) / tiles;
        tile_upto<R, VMax>(e - b, a, w + 4 * b, c0 + 4 * b, c0_stride, c + 4 * b, k, n);
        b = e;
    }
}

// R rows × 4·VW columns of the integer product: each step of p adds one pair of A's columns
// (one i32 splat of two int16) times two rows of W (8 int16: 4 columns × the pair) with
// i32x4.dot_i16x8_s; then C = C0 + float(sum) · dequant.
template <int R, int VW>
SC_INLINE void tile_i16(const std::int16_t* a, int a_stride, const std::int16_t* w, const float* dequant, const float* c0,
                        int c0_stride, float* c, int pairs, int n) {
    V acc[R][VW];
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < VW; ++v) acc[r][v] = wasm_i32x4_splat(0);
    const std::int16_t* wp = w;
    for (int p = 0; p < pairs; ++p, wp += 2 * n) {
        V s[R];
        for (int r = 0; r < R; ++r) s[r] = wasm_v128_load32_splat(a + r * a_stride + 2 * p);
        for (int v = 0; v < VW; ++v) {
            const V wv = wasm_v128_load(wp + 8 * v);
            for (int r = 0; r < R; ++r) acc[r][v] = wasm_i32x4_add(acc[r][v], wasm_i32x4_dot_i16x8(s[r], wv));
        }
    }
    for (int v = 0; v < VW; ++v) {
        const V d = wasm_v128_load(dequant + 4 * v);
        for (int r = 0; r < R; ++r)
            wasm_v128_store(c + r * n + 4 * v, add(wasm_v128_load(c0 + r * c0_stride + 4 * v), mul(wasm_f32x4_convert_i32x4(acc[r][v]), d)));
    }
}

template <int R, int VW>
SC_INLINE void tile_i16_upto(int width, const std::int16_t* a, int a_stride, const std::int16_t* w, const float* dequant,
                             const float* c0, int c0_stride, float* c, int pairs, int n) {
    if constexpr (VW > 1) {
        if (width < VW) return tile_i16_upto<R, VW - 1>(width, a, a_stride, w, dequant, c0, c0_stride, c, pairs, n);
    }
    tile_i16<R, VW>(a, a_stride, w, dequant, c0, c0_stride, c, pairs, n);
}

template <int R, int VMax>
void row_tiles_i16(const std::int16_t* a, int a_stride, const std::int16_t* w, const float* dequant, const float* c0, int c0_stride,
                   float* c, int pairs, int n) {
    const int nv = n / 4;
    const int tiles = (nv + VMax - 1) / VMax;
    for (int t = 0, b = 0; t < tiles; ++t) {
        const int e = nv * (t + 1) / tiles;
        tile_i16_upto<R, VMax>(e - b, a, a_stride, w + 8 * b, dequant + 4 * b, c0 + 4 * b, c0_stride, c + 4 * b, pairs, n);
        b = e;
    }
}

#undef SC_INLINE

}  // namespace

void quantize_activations(const float* x, std::int16_t* q, int n) {
    const V scale = splat(kActivationScale), lo = splat(-kActivationScale), hi = splat(kActivationScale);
    auto q4 = [&](const float* p) {
        return wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_f32x4_nearest(mul(wasm_v128_load(p), scale)), lo), hi));
    };
    int j = 0;
    for (; j + 8 <= n; j += 8) wasm_v128_store(q + j, wasm_i16x8_narrow_i32x4(q4(x + j), q4(x + j + 4)));
    for (; j < n; ++j)
        q[j] = static_cast<std::int16_t>(std::clamp(std::nearbyint(x[j] * kActivationScale), -kActivationScale, kActivationScale));
    if (n & 1) q[n] = 0;
}

void gemm_int16(const std::int16_t* a, const std::int16_t* w, const float* dequant, const float* bias, float* c, int m, int k,
                int n) {
    const float* c0 = bias != nullptr ? bias : c;
    const int c0_stride = bias != nullptr ? 0 : n;
    const int kp = paired(k);
    int i = 0;
    if (m > 1)
        for (; i + 2 <= m; i += 2) {
            const std::ptrdiff_t r = i;
            row_tiles_i16<2, 4>(a + r * kp, kp, w, dequant, c0 + r * c0_stride, c0_stride, c + r * n, kp / 2, n);
        }
    for (; i < m; ++i) {
        const std::ptrdiff_t r = i;
        row_tiles_i16<1, 8>(a + r * kp, kp, w, dequant, c0 + r * c0_stride, c0_stride, c + r * n, kp / 2, n);
    }
}

void gemm(const float* a, const float* w, const float* bias, float* c, int m, int k, int n) {
    // Starting from the bias inside the product, not from a copy of it in C (the -Oz libc memcpy
    // is byte-wise). Tiles: one row × 8 vectors (8 independent sums) when m = 1, the recurrent
    // step of a single window; else 2 rows × 4 vectors in panels of 64 columns (k × 64 weights
    // stay in L1 while the rows stream past). All tiles add an output's products in the same
    // order, so any m gives the same bits per row.
    const float* c0 = bias != nullptr ? bias : c;
    const int c0_stride = bias != nullptr ? 0 : n;
    const int nv = n / 4;
    if (m == 1) {
        row_tiles<1, 8>(a, w, c0, 0, c, k, n, 0, nv);
    } else {
        for (int v0 = 0; v0 < nv; v0 += 16) {
            const int v1 = std::min(nv, v0 + 16);
            int i = 0;
            for (; i + 2 <= m; i += 2) {
                const std::ptrdiff_t r = i;
                row_tiles<2, 4>(a + r * k, w, c0 + r * c0_stride, c0_stride, c + r * n, k, n, v0, v1);
            }
            if (i < m) {
                const std::ptrdiff_t r = i;
                row_tiles<1, 8>(a + r * k, w, c0 + r * c0_stride, c0_stride, c + r * n, k, n, v0, v1);
            }
        }
    }
    for (int j = 4 * nv; j < n; ++j) {  // the last n % 4 columns (dense layers only: LSTM gates are 4u wide)
        for (std::ptrdiff_t i = 0; i < m; ++i) {
            float s = c0[i * c0_stride + j];
            for (int p = 0; p < k; ++p) s += a[i * k + p] * w[p * n + j];
            c[i * n + j] = s;
        }
    }
}

void lstm_cell(const float* gates, float* c, float* h, int rows, int units) {
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
        const float* g = gates + r * 4 * units;
        float* cr = c + r * units;
        float* hr = h + r * units;
        if (units < 4) {  // gate blocks narrower than a vector: one zero-padded vector
            alignas(16) float gp[16] = {}, cp[4] = {}, hp[4];
            for (int j = 0; j < units; ++j) {
                for (int q = 0; q < 4; ++q) gp[4 * q + j] = g[q * units + j];
                cp[j] = cr[j];
            }
            cell_block(gp, 4, cp, hp, 4);
            for (int j = 0; j < units; ++j) {
                cr[j] = cp[j];
                hr[j] = hp[j];
            }
            continue;
        }
        // Blocks of near-equal width (each >= 4 units) when a layer is wider than kBlock.
        const int blocks = (units + kBlock - 1) / kBlock;
        for (int b = 0, j0 = 0; b < blocks; ++b) {
            const int j1 = units * (b + 1) / blocks;
            cell_block(g + j0, units, cr + j0, hr + j0, j1 - j0);
            j0 = j1;
        }
    }
}

void softmax_rows(float* s, int rows, int n) {
    alignas(16) float e[kMaxSoftmax];
    alignas(16) float pad[4];
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
        float* x = s + r * n;
        float mx = x[0];
        for (int j = 1; j < n; ++j) mx = std::max(mx, x[j]);
        for (int j = 0; j < n; ++j) x[j] -= mx;
        if (n >= 4) {
            exp_row(x, e, n, -kMinusLog2e);
        } else {  // fewer than one vector: padded
            std::fill(pad, pad + 4, 0.0f);
            std::copy(x, x + n, pad);
            exp_row(pad, e, 4, -kMinusLog2e);
        }
        V acc = splat(0.0f);  // four interleaved partial sums, then the rest in order
        int j = 0;
        for (; j + 4 <= n; j += 4) acc = add(acc, wasm_v128_load(e + j));
        float sum = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
                    (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
        for (; j < n; ++j) sum += e[j];
        const float inv = 1.0f / sum;
        for (j = 0; j < n; ++j) x[j] = e[j] * inv;
    }
}

#else

namespace {

float exp2_clamped(float y) {
    y = std::min(std::max(y, -kClamp), kClamp);
    const float t = y + kShifter;
    const float f = y - (t - kShifter);
    const float p = ((((kP5 * f + kP4) * f + kP3) * f + kP2) * f + kP1) * f + 1.0f;
    std::uint32_t bits;
    std::memcpy(&bits, &t, sizeof bits);
    bits = (bits + 127u) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

}  // namespace

// Natively Eigen's blocked GEMM (SSE/AVX/AVX-512 as the build allows) is hard to beat.
void gemm(const float* a, const float* w, const float* bias, float* c, int m, int k, int n) {
    using Map = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    using ConstMap = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    Map out(c, m, n);
    if (bias != nullptr) out.rowwise() = Eigen::Map<const Eigen::RowVectorXf>(bias, n);
    out.noalias() += ConstMap(a, m, k) * ConstMap(w, k, n);
}

void lstm_cell(const float* gates, float* c, float* h, int rows, int units) {
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
        const float* g = gates + r * 4 * units;
        float* cr = c + r * units;
        float* hr = h + r * units;
        for (int j = 0; j < units; ++j) {
            const float ei = exp2_clamped(g[j] * kMinusLog2e), ef = exp2_clamped(g[units + j] * kMinusLog2e);
            const float eg = exp2_clamped(g[2 * units + j] * kMinus2Log2e), eo = exp2_clamped(g[3 * units + j] * kMinusLog2e);
            const float cn = cr[j] / (1.0f + ef) + (1.0f - eg) / ((1.0f + ei) * (1.0f + eg));
            const float ec = exp2_clamped(cn * kMinus2Log2e);
            cr[j] = cn;
            hr[j] = (1.0f - ec) / ((1.0f + eo) * (1.0f + ec));
        }
    }
}

void quantize_activations(const float* x, std::int16_t* q, int n) {
    for (int j = 0; j < n; ++j)
        q[j] = static_cast<std::int16_t>(std::clamp(std::nearbyint(x[j] * kActivationScale), -kActivationScale, kActivationScale));
    if (n & 1) q[n] = 0;
}

// The same sums as the WASM kernel (exact in int64 here; they fit int32 by construction).
void gemm_int16(const std::int16_t* a, const std::int16_t* w, const float* dequant, const float* bias, float* c, int m, int k,
                int n) {
    const int kp = paired(k);
    std::int64_t acc[4 * kMaxUnits];  // n <= 4 · kMaxUnits (LSTM gates)
    for (std::ptrdiff_t i = 0; i < m; ++i) {
        const std::int16_t* ai = a + i * kp;
        std::fill(acc, acc + n, 0);
        for (int p = 0; p < kp; p += 2) {
            const std::int16_t* wp = w + static_cast<std::ptrdiff_t>(p / 2) * n * 2;
            for (int j = 0; j < n; ++j) acc[j] += static_cast<std::int32_t>(ai[p]) * wp[2 * j] + static_cast<std::int32_t>(ai[p + 1]) * wp[2 * j + 1];
        }
        for (int j = 0; j < n; ++j) {
            const float c0 = bias != nullptr ? bias[j] : c[i * n + j];
            c[i * n + j] = c0 + static_cast<float>(static_cast<std::int32_t>(acc[j])) * dequant[j];
        }
    }
}

void softmax_rows(float* s, int rows, int n) {
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
        float* x = s + r * n;
        float mx = x[0];
        for (int j = 1; j < n; ++j) mx = std::max(mx, x[j]);
        float sum = 0;
        for (int j = 0; j < n; ++j) sum += x[j] = exp2_clamped((x[j] - mx) * -kMinusLog2e);
        const float inv = 1.0f / sum;
        for (int j = 0; j < n; ++j) x[j] *= inv;
    }
}

#endif

}  // namespace stockcast::nn::kernels

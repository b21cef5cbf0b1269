#include "nn_kernels.hpp"

#if !defined(__wasm_simd128__)
#include <Eigen/Core>
#endif

namespace stockcast::nn::kernels {
namespace {

// exp(x) for float, Cephes-style: 2^n · p(r) with |r| <= ln2/2; relative error ~2e-7.
// Written branch-free so the plain version vectorises and the SIMD version mirrors it.
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kExpClamp = 87.0f;
constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f,
                kP3 = 4.1665795894e-2f, kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;

inline float exp_approx(float x) {
    x = std::min(std::max(x, -kExpClamp), kExpClamp);
    const float n = std::nearbyint(x * kLog2e);
    const float r = (x - n * kLn2Hi) - n * kLn2Lo;
    float p = kP0;
    p = p * r + kP1;
    p = p * r + kP2;
    p = p * r + kP3;
    p = p * r + kP4;
    p = p * r + kP5;
    p = p * r * r + r + 1.0f;
    const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}
inline float sigmoid(float x) { return 1.0f / (1.0f + exp_approx(-x)); }
inline float tanh_approx(float x) { return 2.0f / (1.0f + exp_approx(-2.0f * x)) - 1.0f; }

#if defined(__wasm_simd128__)
__attribute__((always_inline)) inline v128_t exp4(v128_t x) {
    x = wasm_f32x4_min(wasm_f32x4_max(x, wasm_f32x4_splat(-kExpClamp)), wasm_f32x4_splat(kExpClamp));
    const v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(kLog2e)));
    const v128_t r = wasm_f32x4_sub(wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(kLn2Hi))),
                                    wasm_f32x4_mul(n, wasm_f32x4_splat(kLn2Lo)));
    v128_t p = wasm_f32x4_splat(kP0);
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(kP1));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(kP2));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(kP3));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(kP4));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(kP5));
    p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), wasm_f32x4_splat(1.0f));
    const v128_t bits = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
    return wasm_f32x4_mul(p, bits);
}
__attribute__((always_inline)) inline v128_t sigmoid4(v128_t x) {
    const v128_t one = wasm_f32x4_splat(1.0f);
    return wasm_f32x4_div(one, wasm_f32x4_add(one, exp4(wasm_f32x4_neg(x))));
}
__attribute__((always_inline)) inline v128_t tanh4(v128_t x) {
    const v128_t one = wasm_f32x4_splat(1.0f);
    const v128_t e = exp4(wasm_f32x4_mul(x, wasm_f32x4_splat(-2.0f)));
    return wasm_f32x4_sub(wasm_f32x4_div(wasm_f32x4_splat(2.0f), wasm_f32x4_add(one, e)), one);
}
#endif

}  // namespace

#if defined(__wasm_simd128__)

void gemm_acc(const float* a, const float* w, float* c, int m, int k, int n) {
    // Columns in blocks of 16 (four vectors kept in registers across the k loop), two rows at
    // a time so each weight vector loaded serves both rows. Every path adds the k products of
    // an output in the same order, so a window gives bit-identical outputs alone or in a batch.
    int j = 0;
    if (m == 1) {  // one row (the recurrent step of a single window): 32 columns, 8 independent sums
        for (; j + 32 <= n; j += 32) {
            float* c0 = c + j;
            v128_t x[8];
            for (int v = 0; v < 8; ++v) x[v] = wasm_v128_load(c0 + 4 * v);
            for (int p = 0; p < k; ++p) {
                const float* wr = w + p * n + j;
                const v128_t s0 = wasm_f32x4_splat(a[p]);
                for (int v = 0; v < 8; ++v) x[v] = wasm_f32x4_add(x[v], wasm_f32x4_mul(s0, wasm_v128_load(wr + 4 * v)));
            }
            for (int v = 0; v < 8; ++v) wasm_v128_store(c0 + 4 * v, x[v]);
        }
    }
    for (; j + 16 <= n; j += 16) {
        int i = 0;
        for (; i + 2 <= m; i += 2) {
            float* c0 = c + i * n + j;
            float* c1 = c0 + n;
            v128_t x0 = wasm_v128_load(c0), x1 = wasm_v128_load(c0 + 4), x2 = wasm_v128_load(c0 + 8), x3 = wasm_v128_load(c0 + 12);
            v128_t y0 = wasm_v128_load(c1), y1 = wasm_v128_load(c1 + 4), y2 = wasm_v128_load(c1 + 8), y3 = wasm_v128_load(c1 + 12);
            const float* a0 = a + i * k;
            const float* a1 = a0 + k;
            for (int p = 0; p < k; ++p) {
                const float* wr = w + p * n + j;
                const v128_t w0 = wasm_v128_load(wr), w1 = wasm_v128_load(wr + 4), w2 = wasm_v128_load(wr + 8), w3 = wasm_v128_load(wr + 12);
                const v128_t s0 = wasm_f32x4_splat(a0[p]), s1 = wasm_f32x4_splat(a1[p]);
                x0 = wasm_f32x4_add(x0, wasm_f32x4_mul(s0, w0));
                x1 = wasm_f32x4_add(x1, wasm_f32x4_mul(s0, w1));
                x2 = wasm_f32x4_add(x2, wasm_f32x4_mul(s0, w2));
                x3 = wasm_f32x4_add(x3, wasm_f32x4_mul(s0, w3));
                y0 = wasm_f32x4_add(y0, wasm_f32x4_mul(s1, w0));
                y1 = wasm_f32x4_add(y1, wasm_f32x4_mul(s1, w1));
                y2 = wasm_f32x4_add(y2, wasm_f32x4_mul(s1, w2));
                y3 = wasm_f32x4_add(y3, wasm_f32x4_mul(s1, w3));
            }
            wasm_v128_store(c0, x0); wasm_v128_store(c0 + 4, x1); wasm_v128_store(c0 + 8, x2); wasm_v128_store(c0 + 12, x3);
            wasm_v128_store(c1, y0); wasm_v128_store(c1 + 4, y1); wasm_v128_store(c1 + 8, y2); wasm_v128_store(c1 + 12, y3);
        }
        for (; i < m; ++i) {
            float* c0 = c + i * n + j;
            v128_t x0 = wasm_v128_load(c0), x1 = wasm_v128_load(c0 + 4), x2 = wasm_v128_load(c0 + 8), x3 = wasm_v128_load(c0 + 12);
            const float* a0 = a + i * k;
            for (int p = 0; p < k; ++p) {
                const float* wr = w + p * n + j;
                const v128_t s0 = wasm_f32x4_splat(a0[p]);
                x0 = wasm_f32x4_add(x0, wasm_f32x4_mul(s0, wasm_v128_load(wr)));
                x1 = wasm_f32x4_add(x1, wasm_f32x4_mul(s0, wasm_v128_load(wr + 4)));
                x2 = wasm_f32x4_add(x2, wasm_f32x4_mul(s0, wasm_v128_load(wr + 8)));
                x3 = wasm_f32x4_add(x3, wasm_f32x4_mul(s0, wasm_v128_load(wr + 12)));
            }
            wasm_v128_store(c0, x0); wasm_v128_store(c0 + 4, x1); wasm_v128_store(c0 + 8, x2); wasm_v128_store(c0 + 12, x3);
        }
    }
    for (; j + 4 <= n; j += 4) {
        for (int i = 0; i < m; ++i) {
            v128_t x0 = wasm_v128_load(c + i * n + j);
            for (int p = 0; p < k; ++p)
                x0 = wasm_f32x4_add(x0, wasm_f32x4_mul(wasm_f32x4_splat(a[i * k + p]), wasm_v128_load(w + p * n + j)));
            wasm_v128_store(c + i * n + j, x0);
        }
    }
    for (; j < n; ++j)
        for (int i = 0; i < m; ++i)
            for (int p = 0; p < k; ++p) c[i * n + j] += a[i * k + p] * w[p * n + j];
}

// Applies f to x[0, n) into y (n >= 4), four at a time; the last vector overlaps the one before
// it instead of falling back to scalar code (out-of-place, so recomputing is harmless).
template <class F>
__attribute__((always_inline)) inline void map4(const float* x, float* y, int n, F f) {
    int j = 0;
    for (; j + 4 <= n; j += 4) wasm_v128_store(y + j, f(wasm_v128_load(x + j)));
    if (j < n) wasm_v128_store(y + n - 4, f(wasm_v128_load(x + n - 4)));
}

void lstm_cell(float* gates, float* c, float* h, int rows, int units) {
    // Activations in place would break the overlapping tail, so they go to a scratch row first.
    alignas(16) float act[4 * 512];
    for (int r = 0; r < rows; ++r) {
        const float* g = gates + r * 4 * units;
        float* cr = c + r * units;
        float* hr = h + r * units;
        if (units < 4 || units > 512) {  // tiny or huge layers: plain code
            for (int j = 0; j < units; ++j) {
                const float cn = sigmoid(g[units + j]) * cr[j] + sigmoid(g[j]) * tanh_approx(g[2 * units + j]);
                cr[j] = cn;
                hr[j] = sigmoid(g[3 * units + j]) * tanh_approx(cn);
            }
            continue;
        }
        map4(g, act, 2 * units, sigmoid4);                             // i, f
        map4(g + 2 * units, act + 2 * units, units, tanh4);            // candidate
        map4(g + 3 * units, act + 3 * units, units, sigmoid4);         // o
        int j = 0;
        for (; j + 4 <= units; j += 4) {
            const v128_t cn = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(act + units + j), wasm_v128_load(cr + j)),
                                             wasm_f32x4_mul(wasm_v128_load(act + j), wasm_v128_load(act + 2 * units + j)));
            wasm_v128_store(cr + j, cn);
            wasm_v128_store(hr + j, wasm_f32x4_mul(wasm_v128_load(act + 3 * units + j), tanh4(cn)));
        }
        if (j < units) {  // the last 1..3 units through one padded vector
            alignas(16) float fi[4] = {}, ii[4] = {}, cc[4] = {}, oo[4] = {}, cold[4] = {}, cnew[4], hnew[4];
            for (int k = 0; j + k < units; ++k) {
                ii[k] = act[j + k];
                fi[k] = act[units + j + k];
                cc[k] = act[2 * units + j + k];
                oo[k] = act[3 * units + j + k];
                cold[k] = cr[j + k];
            }
            const v128_t cn = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(fi), wasm_v128_load(cold)),
                                             wasm_f32x4_mul(wasm_v128_load(ii), wasm_v128_load(cc)));
            wasm_v128_store(cnew, cn);
            wasm_v128_store(hnew, wasm_f32x4_mul(wasm_v128_load(oo), tanh4(cn)));
            for (int k = 0; j + k < units; ++k) {
                cr[j + k] = cnew[k];
                hr[j + k] = hnew[k];
            }
        }
    }
}

#else

// Natively Eigen's blocked GEMM (SSE/AVX/AVX-512 as the build allows) is hard to beat.
void gemm_acc(const float* a, const float* w, float* c, int m, int k, int n) {
    using Map = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    using ConstMap = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    Map(c, m, n).noalias() += ConstMap(a, m, k) * ConstMap(w, k, n);
}

void lstm_cell(float* gates, float* c, float* h, int rows, int units) {
    for (int r = 0; r < rows; ++r) {
        float* g = gates + r * 4 * units;
        float* cr = c + r * units;
        float* hr = h + r * units;
        for (int j = 0; j < units; ++j) {
            const float cn = sigmoid(g[units + j]) * cr[j] + sigmoid(g[j]) * tanh_approx(g[2 * units + j]);
            cr[j] = cn;
            hr[j] = sigmoid(g[3 * units + j]) * tanh_approx(cn);
        }
    }
}

#endif

}  // namespace stockcast::nn::kernels

// The transformer_v1 forward pass (see transformer.hpp). Every matrix product is
// kernels::gemm, the LSTM's kernel (WASM SIMD tiles in the browser, Eigen natively); the
// attention of each (window, head) is two small products over contiguous copies of its
// q, kᵀ and v, so it takes the same vectorised path.
#include "stockcast/transformer.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "nn_detail.hpp"
#include "nn_kernels.hpp"

namespace stockcast::nn::transformer {
namespace {

using detail::check_dim;
using detail::resize;

// Σ v[0, n) in four interleaved partial sums (lane l adds v[l], v[l+4], …): SIMD adds instead of
// one chain of dependent ones; a fixed order, so a row gives the same bits in any batch.
inline float sum4(const float* v, int n) {
    float a[4] = {0, 0, 0, 0};
    int j = 0;
    for (; j + 4 <= n; j += 4)
        for (int l = 0; l < 4; ++l) a[l] += v[j + l];
    for (; j < n; ++j) a[0] += v[j];
    return (a[0] + a[1]) + (a[2] + a[3]);
}

// x[r] = LayerNorm(x[r] + y[r]) over `rows` rows of d values (two passes in float: mean, then the
// variance about it; within 4e-7 of PyTorch's float64 on the golden network). `tmp`: d floats.
void add_layer_norm(float* x, const float* y, const Vector& weight, const Vector& bias, std::size_t rows, int d, float* tmp) {
    const float* w = weight.data();
    const float* b = bias.data();
    for (std::size_t r = 0; r < rows; ++r) {
        float* xr = x + r * d;
        const float* yr = y + r * d;
        for (int j = 0; j < d; ++j) xr[j] += yr[j];
        const float mean = sum4(xr, d) / static_cast<float>(d);
        for (int j = 0; j < d; ++j) tmp[j] = (xr[j] - mean) * (xr[j] - mean);
        const float inv = 1.0f / std::sqrt(sum4(tmp, d) / static_cast<float>(d) + kLayerNormEps);
        for (int j = 0; j < d; ++j) xr[j] = (xr[j] - mean) * inv * w[j] + b[j];
    }
}

}  // namespace

static_assert(kMaxWindow <= kernels::kMaxSoftmax, "attention rows are window wide");

Status validate(const Architecture& a) {
    if (Status s = check_dim("window", a.window, 1, kMaxWindow); !s) return s;
    if (Status s = check_dim("features", a.features, 1, kMaxFeatures); !s) return s;
    if (Status s = check_dim("outputs", a.outputs, 1, kMaxOutputs); !s) return s;
    if (Status s = check_dim("d_model", a.d_model, 1, kMaxModelDim); !s) return s;
    if (Status s = check_dim("heads", a.heads, 1, kMaxHeads); !s) return s;
    if (Status s = check_dim("encoder_layers", a.encoder_layers, 1, kMaxEncoderLayers); !s) return s;
    if (Status s = check_dim("ff_units", a.ff_units, 1, kMaxFeedForward); !s) return s;
    if (a.d_model % a.heads != 0)
        return make_error(ErrorCode::bad_header, {"architecture.d_model: ", a.d_model, " is not a multiple of heads (", a.heads, ")"});
    if (!a.lstm_units.empty() || a.dense_units != 0 || a.embedding_count != 0 || a.embedding_dim != 0)
        return make_error(ErrorCode::bad_header, "architecture: a transformer has no LSTM, dense or embedding sizes");
    if (!(a.dropout >= 0.0f && a.dropout < 1.0f))
        return make_error(ErrorCode::bad_header, {"architecture.dropout: expected [0, 1), got ", a.dropout});
    return Ok{};
}

std::vector<TensorSpec> expected_tensors(const Architecture& a) {
    const int d = a.d_model, ff = a.ff_units;
    std::vector<TensorSpec> out{{"input_proj.kernel", {a.features, d}}, {"input_proj.bias", {d}},
                                {"positional_encoding", {a.window, d}}};
    for (int l = 0; l < a.encoder_layers; ++l) {
        const std::string p = cat({"layers.", l, "."});
        out.push_back({p + "self_attn.in_proj.kernel", {d, 3 * d}});
        out.push_back({p + "self_attn.in_proj.bias", {3 * d}});
        out.push_back({p + "self_attn.out_proj.kernel", {d, d}});
        out.push_back({p + "self_attn.out_proj.bias", {d}});
        out.push_back({p + "linear1.kernel", {d, ff}});
        out.push_back({p + "linear1.bias", {ff}});
        out.push_back({p + "linear2.kernel", {ff, d}});
        out.push_back({p + "linear2.bias", {d}});
        out.push_back({p + "norm1.weight", {d}});
        out.push_back({p + "norm1.bias", {d}});
        out.push_back({p + "norm2.weight", {d}});
        out.push_back({p + "norm2.bias", {d}});
    }
    out.push_back({"head.kernel", {d, a.outputs}});
    out.push_back({"head.bias", {a.outputs}});
    return out;
}

void zeros(Network& net) {
    const Architecture& a = net.arch;
    const int d = a.d_model, ff = a.ff_units;
    net.input_proj = DenseLayer{MatrixRM::Zero(a.features, d), Vector::Zero(d), Activation::linear};
    net.encoder.assign(static_cast<std::size_t>(a.encoder_layers), EncoderLayer{});
    for (EncoderLayer& L : net.encoder) {
        L.in_proj = MatrixRM::Zero(d, 3 * d);
        L.in_proj_bias = Vector::Zero(3 * d);
        L.out_proj = MatrixRM::Zero(d, d);
        L.out_proj_bias = Vector::Zero(d);
        L.linear1 = MatrixRM::Zero(d, ff);
        L.linear1_bias = Vector::Zero(ff);
        L.linear2 = MatrixRM::Zero(ff, d);
        L.linear2_bias = Vector::Zero(d);
        for (Vector* v : {&L.norm1_weight, &L.norm1_bias, &L.norm2_weight, &L.norm2_bias}) *v = Vector::Zero(d);
    }
    net.dense2 = DenseLayer{MatrixRM::Zero(d, a.outputs), Vector::Zero(a.outputs), Activation::linear};
    net.positional = MatrixRM::Zero(a.window, d);
}

std::vector<float*> tensor_data(Network& net) {
    std::vector<float*> out{net.input_proj.kernel.data(), net.input_proj.bias.data(), net.positional.data()};
    for (EncoderLayer& L : net.encoder)
        for (float* p : {L.in_proj.data(), L.in_proj_bias.data(), L.out_proj.data(), L.out_proj_bias.data(), L.linear1.data(),
                         L.linear1_bias.data(), L.linear2.data(), L.linear2_bias.data(), L.norm1_weight.data(),
                         L.norm1_bias.data(), L.norm2_weight.data(), L.norm2_bias.data()})
            out.push_back(p);
    out.push_back(net.dense2.kernel.data());
    out.push_back(net.dense2.bias.data());
    return out;
}

void forward(const Network& net, const float* x, int batch, float* out, Workspace& ws) {
    const Architecture& a = net.arch;
    const int T = a.window, F = a.features, d = a.d_model, heads = a.heads, dh = d / heads, ff = a.ff_units;
    const std::size_t rows = static_cast<std::size_t>(batch) * T;  // row b·T + t: windows are contiguous
    const int m = static_cast<int>(rows);
    const float scale = 1.0f / std::sqrt(static_cast<float>(dh));

    // Input projection plus positional encoding.
    resize(ws.a, rows * d);
    float* hid = ws.a.data();
    kernels::gemm(x, net.input_proj.kernel.data(), net.input_proj.bias.data(), hid, m, F, d);
    for (std::size_t r = 0; r < rows; ++r) {
        const float* pe = net.positional.data() + (r % static_cast<std::size_t>(T)) * d;
        for (int j = 0; j < d; ++j) hid[r * d + j] += pe[j];
    }

    resize(ws.b, rows * d);      // attention output (heads concatenated)
    resize(ws.h, rows * d);      // projections added back to the residual stream
    resize(ws.gates, rows * std::max(3 * d, ff));  // q | k | v, then the feed-forward hidden layer
    // Per (window, head) scratch. The key axis is padded to Tp, a multiple of 4, with zero kᵀ
    // columns and zero v rows: the scores' padded columns come out 0, are left out of the softmax,
    // and add nothing to P·v, so every product runs on whole SIMD vectors (no scalar tail).
    const int Tp = (T + 3) / 4 * 4;
    const std::size_t head_scratch = static_cast<std::size_t>(T) * dh + 2 * static_cast<std::size_t>(Tp) * dh +
                                     static_cast<std::size_t>(T) * Tp + static_cast<std::size_t>(std::max(Tp, dh)) +
                                     static_cast<std::size_t>(d);
    resize(ws.c, head_scratch);
    float* attn = ws.b.data();
    float* proj = ws.h.data();
    float* wide = ws.gates.data();
    float* q = ws.c.data();                            // [T × dh], scaled by 1/√dh
    float* kt = q + static_cast<std::size_t>(T) * dh;  // kᵀ [dh × Tp]
    float* v = kt + static_cast<std::size_t>(Tp) * dh; // [Tp × dh]
    float* s = v + static_cast<std::size_t>(Tp) * dh;  // scores [T × Tp], then P
    float* zero = s + static_cast<std::size_t>(T) * Tp;  // a zero "bias": products start from 0
    float* norm_tmp = zero + std::max(Tp, dh);         // d floats for the layer norms
    std::fill(kt, kt + static_cast<std::ptrdiff_t>(Tp) * dh * 2, 0.0f);  // kᵀ and v, padding included
    std::fill(zero, zero + std::max(Tp, dh), 0.0f);

    for (const EncoderLayer& L : net.encoder) {
        kernels::gemm(hid, L.in_proj.data(), L.in_proj_bias.data(), wide, m, d, 3 * d);
        for (int b = 0; b < batch; ++b)
            for (int h = 0; h < heads; ++h) {
                const float* base = wide + static_cast<std::size_t>(b) * T * 3 * d + h * dh;
                for (int t = 0; t < T; ++t) {
                    const float* row = base + static_cast<std::size_t>(t) * 3 * d;
                    for (int k = 0; k < dh; ++k) {
                        q[t * dh + k] = row[k] * scale;
                        kt[k * Tp + t] = row[d + k];
                        v[t * dh + k] = row[2 * d + k];
                    }
                }
                kernels::gemm(q, kt, zero, s, T, dh, Tp);
                for (int t = 0; t < T; ++t) kernels::softmax_rows(s + static_cast<std::ptrdiff_t>(t) * Tp, 1, T);
                // P·v into q's place (q is no longer needed), then into the head's columns.
                kernels::gemm(s, v, zero, q, T, Tp, dh);
                for (int t = 0; t < T; ++t)
                    std::copy(q + t * dh, q + (t + 1) * dh, attn + (static_cast<std::size_t>(b) * T + t) * d + h * dh);
            }
        kernels::gemm(attn, L.out_proj.data(), L.out_proj_bias.data(), proj, m, d, d);
        add_layer_norm(hid, proj, L.norm1_weight, L.norm1_bias, rows, d, norm_tmp);
        kernels::gemm(hid, L.linear1.data(), L.linear1_bias.data(), wide, m, d, ff);
        kernels::relu(wide, m * ff);
        kernels::gemm(wide, L.linear2.data(), L.linear2_bias.data(), proj, m, ff, d);
        add_layer_norm(hid, proj, L.norm2_weight, L.norm2_bias, rows, d, norm_tmp);
    }

    // Mean over time, then the head.
    resize(ws.head, static_cast<std::size_t>(batch) * d);
    float* pooled = ws.head.data();
    for (int b = 0; b < batch; ++b) {
        float* pb = pooled + static_cast<std::size_t>(b) * d;
        std::fill(pb, pb + d, 0.0f);
        for (int t = 0; t < T; ++t) {
            const float* r = hid + (static_cast<std::size_t>(b) * T + t) * d;
            for (int j = 0; j < d; ++j) pb[j] += r[j];
        }
        for (int j = 0; j < d; ++j) pb[j] /= static_cast<float>(T);
    }
    kernels::gemm(pooled, net.dense2.kernel.data(), net.dense2.bias.data(), out, batch, d, a.outputs);
}

}  // namespace stockcast::nn::transformer

#include "stockcast/nn.hpp"

#include <cmath>
#include <iterator>

#include "nn_detail.hpp"
#include "nn_kernels.hpp"
// STOCKCAST_WITHOUT_TRANSFORMER: the build of stockcast.wasm, the forecasting module on every page's
// predict path (core/src/lstm_only/nn.cpp). It serves the LSTM networks only and refuses a
// transformer_v1 file at validation (so no other entry point below sees one): the Transformer's
// forward pass (~8 KB gzip) ships in the on-demand stockcast-ensemble.wasm, which serves
// predict({ model: 'transformer' }) and the ensemble.
#ifndef STOCKCAST_WITHOUT_TRANSFORMER
#include "stockcast/transformer.hpp"
#endif

namespace stockcast::nn {
namespace {

using detail::check_dim;
using detail::resize;

}  // namespace

Status Architecture::validate() const {
#ifdef STOCKCAST_WITHOUT_TRANSFORMER
    if (is_transformer())
        return make_error(ErrorCode::unsupported_version,
                          "architecture.type: transformer_v1 is served by stockcast-ensemble.wasm, not by this module (LSTM networks only)");
#else
    if (is_transformer()) return transformer::validate(*this);
#endif
    if (Status s = check_dim("window", window, 1, kMaxWindow); !s) return s;
    if (Status s = check_dim("features", features, 1, kMaxFeatures); !s) return s;
    if (lstm_units.empty() || lstm_units.size() > 3)
        return make_error(ErrorCode::bad_header,
                          {"architecture.lstm_units: expected 1..3 layers, got ", lstm_units.size()});
    for (int u : lstm_units)
        if (Status s = check_dim("lstm_units", u, 1, kMaxUnits); !s) return s;
    if (Status s = check_dim("dense_units", dense_units, 1, kMaxUnits); !s) return s;
    if (Status s = check_dim("outputs", outputs, 1, kMaxOutputs); !s) return s;
    if (embedding_count != 0 || embedding_dim != 0) {
        if (Status s = check_dim("embedding_count", embedding_count, 1, kMaxEmbeddingCount); !s) return s;
        if (Status s = check_dim("embedding_dim", embedding_dim, 1, kMaxEmbeddingDim); !s) return s;
    }
    if (!(dropout >= 0.0f && dropout < 1.0f))
        return make_error(ErrorCode::bad_header, {"architecture.dropout: expected [0, 1), got ", dropout});
    return Ok{};
}

Network Network::zeros(const Architecture& arch) {
    Network net;
    net.arch = arch;
#ifndef STOCKCAST_WITHOUT_TRANSFORMER
    if (arch.is_transformer()) {
        transformer::zeros(net);
        return net;
    }
#endif
    int in = arch.features;
    for (int u : arch.lstm_units) {
        LstmLayer layer;
        layer.kernel = MatrixRM::Zero(in, 4 * u);
        layer.recurrent = MatrixRM::Zero(u, 4 * u);
        layer.bias = Vector::Zero(4 * u);
        net.lstm.push_back(std::move(layer));
        in = u;
    }
    if (arch.has_embedding()) {
        net.embedding = MatrixRM::Zero(arch.embedding_count, arch.embedding_dim);
        in += arch.embedding_dim;
    }
    net.dense1 = DenseLayer{MatrixRM::Zero(in, arch.dense_units), Vector::Zero(arch.dense_units), Activation::relu};
    net.dense2 = DenseLayer{MatrixRM::Zero(arch.dense_units, arch.outputs), Vector::Zero(arch.outputs), Activation::linear};
    return net;
}

std::size_t TensorSpec::count() const {
    std::size_t n = 1;
    for (int d : shape) n *= static_cast<std::size_t>(d);
    return n;
}

std::vector<TensorSpec> expected_tensors(const Architecture& arch) {
#ifndef STOCKCAST_WITHOUT_TRANSFORMER
    if (arch.is_transformer()) return transformer::expected_tensors(arch);
#endif
    std::vector<TensorSpec> out;
    int in = arch.features;
    for (std::size_t i = 0; i < arch.lstm_units.size(); ++i) {
        const int u = arch.lstm_units[i];
        const std::string p = cat({"lstm", i + 1, "."});
        out.push_back({p + "kernel", {in, 4 * u}});
        out.push_back({p + "recurrent_kernel", {u, 4 * u}});
        out.push_back({p + "bias", {4 * u}});
        in = u;
    }
    if (arch.has_embedding()) {
        out.push_back({"embedding.embeddings", {arch.embedding_count, arch.embedding_dim}});
        in += arch.embedding_dim;
    }
    out.push_back({"dense1.kernel", {in, arch.dense_units}});
    out.push_back({"dense1.bias", {arch.dense_units}});
    out.push_back({"dense2.kernel", {arch.dense_units, arch.outputs}});
    out.push_back({"dense2.bias", {arch.outputs}});
    return out;
}

std::vector<Network::TensorRef> Network::tensors() {
    std::vector<float*> data;
#ifndef STOCKCAST_WITHOUT_TRANSFORMER
    if (arch.is_transformer()) data = transformer::tensor_data(*this);
#endif
    for (LstmLayer& layer : lstm) {
        data.push_back(layer.kernel.data());
        data.push_back(layer.recurrent.data());
        data.push_back(layer.bias.data());
    }
    if (arch.has_embedding()) data.push_back(embedding.data());
    if (!arch.is_transformer())
        for (DenseLayer* layer : {&dense1, &dense2}) {
            data.push_back(layer->kernel.data());
            data.push_back(layer->bias.data());
        }
    std::vector<TensorRef> out;
    std::vector<TensorSpec> specs = expected_tensors(arch);
    for (std::size_t i = 0; i < specs.size(); ++i) out.push_back({specs[i].name, specs[i].shape, data[i]});
    return out;
}

Result<Kernel> kernel_named(const std::string& name) {
    for (int k = 0; k < static_cast<int>(std::size(kKernelNames)); ++k)
        if (name == kKernelNames[k]) return static_cast<Kernel>(k);
    static_assert(std::size(kKernelNames) == 2, "name every kernel in the message below");
    return input_error("kernel", {"expected ", kKernelNames[0], " or ", kKernelNames[1], ", got '", name, "'"});
}

void Network::quantize() {
    int16.clear();
    auto quantize_matrix = [](const MatrixRM& w) {
        const int k = static_cast<int>(w.rows()), n = static_cast<int>(w.cols());
        QuantizedMatrix q;
        q.pairs.resize(static_cast<std::size_t>(kernels::paired(k)) * n);
        q.dequant.resize(static_cast<std::size_t>(n));
        kernels::quantize_columns(w.data(), k, n, q.pairs.data(), q.dequant.data());
        return q;
    };
    for (std::size_t l = 0; l < lstm.size(); ++l)
        int16.push_back({l == 0 ? QuantizedMatrix{} : quantize_matrix(lstm[l].kernel), quantize_matrix(lstm[l].recurrent)});
}

namespace {

// The LSTM stack with the integer kernel: as the float loop in Network::forward, but every h is
// kept as int16 (the next step's and the next layer's input) and the products after the first
// layer's input projection are int16 × int16 sums. Leaves the last layer's final h (float) in ws.h.
void lstm_int16(const Network& net, int batch, Workspace& ws) {
    const int T = net.arch.window;
    int in = net.arch.features;
    for (std::size_t l = 0; l < net.lstm.size(); ++l) {
        const LstmLayer& layer = net.lstm[l];
        const QuantizedLstm& q = net.int16[l];
        const int u = layer.units(), g = 4 * u, up = kernels::paired(u);
        const std::size_t rows = static_cast<std::size_t>(T) * batch;
        resize(ws.gates, rows * g);
        if (l == 0) kernels::gemm(ws.a.data(), layer.kernel.data(), layer.bias.data(), ws.gates.data(), T * batch, in, g);
        else kernels::gemm_int16(ws.qa.data(), q.kernel.pairs.data(), q.kernel.dequant.data(), layer.bias.data(), ws.gates.data(), T * batch, in, g);
        const std::size_t step = static_cast<std::size_t>(batch) * u;
        resize(ws.c, step);
        std::fill(ws.c.begin(), ws.c.begin() + static_cast<std::ptrdiff_t>(step), 0.0f);
        resize(ws.h, step);
        if (ws.qb.size() < rows * up) ws.qb.resize(rows * up);
        for (int t = 0; t < T; ++t) {
            float* gt = ws.gates.data() + static_cast<std::size_t>(t) * batch * g;
            std::int16_t* qt = ws.qb.data() + static_cast<std::size_t>(t) * batch * up;
            if (t > 0) kernels::gemm_int16(qt - static_cast<std::size_t>(batch) * up, q.recurrent.pairs.data(), q.recurrent.dequant.data(), nullptr, gt, batch, u, g);
            kernels::lstm_cell(gt, ws.c.data(), ws.h.data(), batch, u);
            for (int b = 0; b < batch; ++b) kernels::quantize_activations(ws.h.data() + static_cast<std::size_t>(b) * u, qt + static_cast<std::size_t>(b) * up, u);
        }
        in = u;
        std::swap(ws.qa, ws.qb);
    }
}

}  // namespace

Status Network::forward(const float* x, const int* stock_ids, int batch, float* out, Workspace& ws) const {
    if (batch < 1 || batch > kMaxBatch)
        return make_error(ErrorCode::invalid_input, {"batch: expected 1..", kMaxBatch, ", got ", batch});
    if (x == nullptr || out == nullptr) return make_error(ErrorCode::invalid_input, "x/out: null buffer");
    const int T = arch.window, F = arch.features;
    const std::size_t values = static_cast<std::size_t>(batch) * T * F;
    for (std::size_t i = 0; i < values; ++i)
        if (!std::isfinite(x[i]))
            return make_error(ErrorCode::invalid_input, {"x[", i, "]: not a finite number"});
    if (arch.is_transformer()) {
#ifdef STOCKCAST_WITHOUT_TRANSFORMER
        return arch.validate();
#else
        transformer::forward(*this, x, batch, out, ws);
        return Ok{};
#endif
    }
    if (arch.has_embedding()) {
        if (stock_ids == nullptr) return make_error(ErrorCode::invalid_input, "stock_ids: required by the general network");
        for (int b = 0; b < batch; ++b)
            if (stock_ids[b] < -1 || stock_ids[b] >= arch.embedding_count)
                return make_error(ErrorCode::invalid_input, {"stock_ids[", b, "]: expected -1..", arch.embedding_count - 1, ", got ", stock_ids[b]});
    }

    // Sequence buffers are time-major (row t*batch + b) so each step's rows are contiguous.
    resize(ws.a, values);
    for (int b = 0; b < batch; ++b)
        for (int t = 0; t < T; ++t)
            for (int f = 0; f < F; ++f) ws.a[(static_cast<std::size_t>(t) * batch + b) * F + f] = x[(static_cast<std::size_t>(b) * T + t) * F + f];

    int in = F;
    Workspace::Buffer* seq_in = &ws.a;
    Workspace::Buffer* seq_out = &ws.b;
    if (!int16.empty()) {
        lstm_int16(*this, batch, ws);
        in = arch.lstm_units.back();
    }
    for (std::size_t l = 0; l < lstm.size() && int16.empty(); ++l) {
        const LstmLayer& layer = lstm[l];
        const int u = layer.units();
        const int g = 4 * u;
        const bool last = l + 1 == lstm.size();
        const std::size_t step = static_cast<std::size_t>(batch) * u;  // one time step of h or c
        // Input projections of all time steps at once (one matrix product), bias included.
        resize(ws.gates, static_cast<std::size_t>(T) * batch * g);
        kernels::gemm(seq_in->data(), layer.kernel.data(), layer.bias.data(), ws.gates.data(), T * batch, in, g);
        resize(ws.c, step);
        std::fill(ws.c.begin(), ws.c.begin() + static_cast<std::ptrdiff_t>(step), 0.0f);
        // h goes straight to where it is read next: the next layer's input sequence (row
        // t·batch + b), or for the last layer over the previous step's h (already consumed).
        resize(last ? ws.h : *seq_out, last ? step : T * step);
        for (int t = 0; t < T; ++t) {
            float* gt = ws.gates.data() + static_cast<std::size_t>(t) * batch * g;
            float* ht = last ? ws.h.data() : seq_out->data() + t * step;
            if (t > 0) kernels::gemm(last ? ht : ht - step, layer.recurrent.data(), nullptr, gt, batch, u, g);
            kernels::lstm_cell(gt, ws.c.data(), ht, batch, u);
        }
        in = u;
        std::swap(seq_in, seq_out);
    }

    // Head: [h_last, embedding] -> Dense(relu) -> Dense(linear).
    const int hidden = in + (arch.has_embedding() ? arch.embedding_dim : 0);
    const int d = arch.dense_units;
    resize(ws.head, static_cast<std::size_t>(batch) * (hidden + d));
    const float* feat = ws.h.data();  // without an embedding the features are h itself
    float* dense = ws.head.data();
    if (arch.has_embedding()) {
        float* concat = ws.head.data() + static_cast<std::size_t>(batch) * d;
        feat = concat;
        for (int b = 0; b < batch; ++b) {
            float* fb = concat + static_cast<std::size_t>(b) * hidden;
            std::copy(ws.h.begin() + static_cast<std::ptrdiff_t>(b) * in, ws.h.begin() + static_cast<std::ptrdiff_t>(b + 1) * in, fb);
            float* e = fb + in;
            if (stock_ids[b] >= 0) {
                for (int k = 0; k < arch.embedding_dim; ++k) e[k] = embedding(stock_ids[b], k);
            } else {  // unseen stock: the neutral (mean) embedding
                for (int k = 0; k < arch.embedding_dim; ++k) e[k] = embedding.col(k).mean();
            }
        }
    }
    kernels::gemm(feat, dense1.kernel.data(), dense1.bias.data(), dense, batch, hidden, d);
    if (dense1.activation == Activation::relu) kernels::relu(dense, batch * d);
    kernels::gemm(dense, dense2.kernel.data(), dense2.bias.data(), out, batch, d, arch.outputs);
    return Ok{};
}

}  // namespace stockcast::nn

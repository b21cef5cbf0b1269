// Internal: the templated training network (forward with caches, backward through time).
// Parameters live in one flat vector (Adam, clipping and gradient checks work on it directly);
// each tensor is a column-major Eigen map in "output rows" layout:
//   LSTM l:  W [4u x in], U [4u x u], b [4u]   (rows in Keras gate order i, f, c, o)
//   embedding E [dim x count], Dense1 D1 [d x (u + dim)], b1 [d], Dense2 D2 [H x d], b2 [H]
// i.e. the transposes of the Keras tensors of nn::Network.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "stockcast/nn.hpp"

namespace stockcast::train::detail {

template <class S>
class TrainNet {
public:
    using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
    using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;
    using MapM = Eigen::Map<Mat>;
    using CMapM = Eigen::Map<const Mat>;

    struct Slot {
        std::string name;  // Keras tensor name
        std::size_t offset;
        int rows, cols;    // of the internal (transposed) layout
    };

    nn::Architecture arch;
    // Aligned like Eigen's own allocations: reductions over maps of it then take the same
    // vectorised path on every run, so training is bit-reproducible whatever malloc returns.
    std::vector<S, Eigen::aligned_allocator<S>> theta;
    std::vector<Slot> slots;
    int emb_slot = -1, d1_slot = 0;  // d1, b1, d2, b2 follow d1_slot

    explicit TrainNet(const nn::Architecture& a) : arch(a) {
        std::size_t off = 0;
        auto add = [&](std::string name, int r, int c) {
            slots.push_back({std::move(name), off, r, c});
            off += static_cast<std::size_t>(r) * static_cast<std::size_t>(c);
        };
        int in = arch.features;
        for (std::size_t l = 0; l < arch.lstm_units.size(); ++l) {
            const int u = arch.lstm_units[l];
            const std::string p = "lstm" + std::to_string(l + 1);
            add(p + ".kernel", 4 * u, in);
            add(p + ".recurrent_kernel", 4 * u, u);
            add(p + ".bias", 4 * u, 1);
            in = u;
        }
        if (arch.has_embedding()) {
            emb_slot = static_cast<int>(slots.size());
            add("embedding.embeddings", arch.embedding_dim, arch.embedding_count);
        }
        d1_slot = static_cast<int>(slots.size());
        const int head_in = in + (arch.has_embedding() ? arch.embedding_dim : 0);
        add("dense1.kernel", arch.dense_units, head_in);
        add("dense1.bias", arch.dense_units, 1);
        add("dense2.kernel", arch.outputs, arch.dense_units);
        add("dense2.bias", arch.outputs, 1);
        theta.assign(off, S(0));
    }

    std::size_t size() const { return theta.size(); }
    MapM P(int k, S* base) const {
        const Slot& s = slots[static_cast<std::size_t>(k)];
        return MapM(base + s.offset, s.rows, s.cols);
    }
    MapM P(int k) { return P(k, theta.data()); }
    int n_lstm() const { return static_cast<int>(arch.lstm_units.size()); }

    // ---- conversion from / to the inference network (Keras layout = transposes)
    void load(const nn::Network& net) {
        for (int l = 0; l < n_lstm(); ++l) {
            P(3 * l) = net.lstm[l].kernel.transpose().template cast<S>();
            P(3 * l + 1) = net.lstm[l].recurrent.transpose().template cast<S>();
            P(3 * l + 2) = net.lstm[l].bias.template cast<S>();
        }
        if (emb_slot >= 0) P(emb_slot) = net.embedding.transpose().template cast<S>();
        P(d1_slot) = net.dense1.kernel.transpose().template cast<S>();
        P(d1_slot + 1) = net.dense1.bias.template cast<S>();
        P(d1_slot + 2) = net.dense2.kernel.transpose().template cast<S>();
        P(d1_slot + 3) = net.dense2.bias.template cast<S>();
    }
    void store(nn::Network& net) {
        for (int l = 0; l < n_lstm(); ++l) {
            net.lstm[l].kernel = P(3 * l).transpose().template cast<float>();
            net.lstm[l].recurrent = P(3 * l + 1).transpose().template cast<float>();
            net.lstm[l].bias = P(3 * l + 2).template cast<float>();
        }
        if (emb_slot >= 0) net.embedding = P(emb_slot).transpose().template cast<float>();
        net.dense1.kernel = P(d1_slot).transpose().template cast<float>();
        net.dense1.bias = P(d1_slot + 1).template cast<float>();
        net.dense2.kernel = P(d1_slot + 2).transpose().template cast<float>();
        net.dense2.bias = P(d1_slot + 3).template cast<float>();
    }
};

// Per-batch caches and scratch; one per thread of work.
template <class S>
struct Cache {
    using Mat = typename TrainNet<S>::Mat;
    struct Layer {
        Mat X;      // input sequence [in x T*B]
        Mat G;      // post-activation gates [4u x T*B]
        Mat C, TC;  // cell state and tanh(cell) [u x T*B]
        Mat H;      // hidden state [u x T*B]
        Mat dZ;     // pre-activation gate gradients [4u x T*B]
    };
    std::vector<Layer> layers;
    Mat a, z1, r1, y;      // head: [in1 x B], [d x B], [d x B], [H x B]
    Mat m1, m2;            // dropout masks (already scaled by 1/keep)
    std::vector<int> ids;  // embedding rows of the batch
    int B = 0;
};

// Loss, and optionally gradients, of one mini-batch. x: B windows (time-major), t: B x H targets.
// grad (if non-null) is overwritten with d(mean loss)/d(theta).
template <class S>
S batch_loss(const TrainNet<S>& net, const float* x, const float* t, const int* ids, int B, double huber_delta,
             double dropout, std::mt19937_64* rng, Cache<S>& cache, S* grad);

// Forward only (no dropout): out = B x H row-major outputs.
template <class S>
void batch_forward(const TrainNet<S>& net, const float* x, const int* ids, int B, Cache<S>& cache, float* out);

// Fine-tuning's head (finetune.cpp: new embedding row, Dense1, Dense2 on frozen LSTM outputs):
// the largest relative error |analytic - numeric| / max(|analytic| + |numeric|, 1e-2) of its
// hand-written gradient against central differences, on a small random problem with fixed
// dropout masks (float: eps 2e-3, so expect ~1e-3; entries next to a relu kink are skipped).
double fine_tune_head_gradient_check(std::uint64_t seed);

}  // namespace stockcast::train::detail

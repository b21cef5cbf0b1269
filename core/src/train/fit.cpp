// Initialisation, Adam + clipping + early stopping, prediction and gradient checks.
#include <Eigen/QR>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "stockcast/train.hpp"
#include "train/trainer.hpp"

namespace stockcast::train {

using detail::Cache;
using detail::TrainNet;

namespace {

Status check_dataset(const nn::Architecture& a, const Dataset& d, const char* what) {
    const std::string w(what);
    if (d.window != a.window || d.features != a.features || d.outputs != a.outputs)
        return make_error(ErrorCode::invalid_input, w + ": dataset shape (window " + std::to_string(d.window) +
                                                        ", features " + std::to_string(d.features) + ", outputs " +
                                                        std::to_string(d.outputs) + ") differs from the network");
    const std::size_t n = d.size();
    if (d.x.size() != n * static_cast<std::size_t>(a.window) * static_cast<std::size_t>(a.features))
        return make_error(ErrorCode::invalid_input, w + ": x has " + std::to_string(d.x.size()) + " values, expected " +
                                                        std::to_string(n * a.window * a.features));
    if (a.has_embedding()) {
        if (d.stock.size() != n)
            return make_error(ErrorCode::invalid_input, w + ": stock ids " + std::to_string(d.stock.size()) +
                                                            " vs windows " + std::to_string(n));
        for (int id : d.stock)
            if (id < -1 || id >= a.embedding_count)
                return make_error(ErrorCode::invalid_input, w + ": stock id " + std::to_string(id) + " out of range");
    }
    for (float v : d.x)
        if (!std::isfinite(v)) return make_error(ErrorCode::invalid_input, w + ": non-finite input value");
    for (float v : d.y)
        if (!std::isfinite(v)) return make_error(ErrorCode::invalid_input, w + ": non-finite target value");
    return Ok{};
}

// Gathers the windows `idx[from, from+B)` into contiguous buffers.
struct Batch {
    std::vector<float, Eigen::aligned_allocator<float>> x, y;
    std::vector<int> ids;
    void gather(const Dataset& d, const std::size_t* idx, int B) {
        const std::size_t wx = static_cast<std::size_t>(d.window) * d.features;
        x.resize(wx * B);
        y.resize(static_cast<std::size_t>(d.outputs) * B);
        ids.resize(d.stock.empty() ? 0 : static_cast<std::size_t>(B));
        for (int b = 0; b < B; ++b) {
            const std::size_t i = idx[b];
            std::copy_n(d.x.data() + i * wx, wx, x.data() + b * wx);
            std::copy_n(d.y.data() + i * d.outputs, d.outputs, y.data() + static_cast<std::size_t>(b) * d.outputs);
            if (!d.stock.empty()) ids[b] = d.stock[i];
        }
    }
};

template <class S>
double mean_loss(const TrainNet<S>& net, const Dataset& d, double delta, int batch) {
    const std::size_t n = d.size();
    if (n == 0) return 0;
    Cache<S> cache;
    Batch bt;
    std::vector<std::size_t> idx(n);
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    double total = 0;
    for (std::size_t s = 0; s < n; s += static_cast<std::size_t>(batch)) {
        const int B = static_cast<int>(std::min<std::size_t>(batch, n - s));
        bt.gather(d, idx.data() + s, B);
        total += static_cast<double>(detail::batch_loss<S>(net, bt.x.data(), bt.y.data(),
                                                             bt.ids.empty() ? nullptr : bt.ids.data(), B, delta, 0.0,
                                                             nullptr, cache, nullptr)) *
                 B;
    }
    return total / static_cast<double>(n);
}

}  // namespace

nn::Network init_network(const nn::Architecture& arch, std::uint64_t seed) {
    nn::Network net = nn::Network::zeros(arch);
    std::mt19937_64 rng(seed);
    auto uniform = [&](nn::MatrixRM& m, double limit) {
        std::uniform_real_distribution<double> u(-limit, limit);
        for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = static_cast<float>(u(rng));
    };
    std::normal_distribution<double> normal(0.0, 1.0);
    int in = arch.features;
    for (std::size_t l = 0; l < arch.lstm_units.size(); ++l) {
        const int u = arch.lstm_units[l];
        auto& L = net.lstm[l];
        uniform(L.kernel, std::sqrt(6.0 / (in + 4 * u)));
        Eigen::MatrixXd g(4 * u, u);
        for (Eigen::Index k = 0; k < g.size(); ++k) g.data()[k] = normal(rng);
        Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
        Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(4 * u, u);
        // sign fix as in Keras' orthogonal initialiser (uniform distribution over orthogonal matrices)
        const Eigen::MatrixXd r = qr.matrixQR().topRows(u).template triangularView<Eigen::Upper>();
        for (int j = 0; j < u; ++j)
            if (r(j, j) < 0) q.col(j) *= -1.0;
        L.recurrent = q.transpose().cast<float>();  // [u, 4u]
        L.bias.setZero();
        L.bias.segment(u, u).setOnes();  // unit forget bias
        in = u;
    }
    if (arch.has_embedding()) uniform(net.embedding, 0.05);
    const int head_in = in + (arch.has_embedding() ? arch.embedding_dim : 0);
    uniform(net.dense1.kernel, std::sqrt(6.0 / (head_in + arch.dense_units)));
    net.dense1.bias.setZero();
    uniform(net.dense2.kernel, std::sqrt(6.0 / (arch.dense_units + arch.outputs)));
    net.dense2.bias.setZero();
    return net;
}

Result<TrainReport> fit(nn::Network& net, const Dataset& train, const Dataset& val, const TrainOptions& o) {
    if (Status s = net.arch.validate(); !s) return s.error();
    if (Status s = check_dataset(net.arch, train, "training set"); !s) return s.error();
    if (Status s = check_dataset(net.arch, val, "validation set"); !s) return s.error();
    if (train.size() == 0) return make_error(ErrorCode::insufficient_history, "training set is empty");
    if (o.batch < 1 || o.max_epochs < 0 || o.learning_rate <= 0 || o.dropout < 0 || o.dropout >= 1)
        return make_error(ErrorCode::invalid_input, "training options out of range");
    const auto t0 = std::chrono::steady_clock::now();
    TrainNet<float> tn(net.arch);
    tn.load(net);
    const std::size_t P = tn.size();
    using Buffer = std::vector<float, Eigen::aligned_allocator<float>>;
    Buffer grad(P), m(P, 0.f), v(P, 0.f), best = tn.theta;
    std::mt19937_64 rng(o.seed);
    Cache<float> cache;
    Batch bt;
    TrainReport rep;
    const Dataset& stop_set = val.size() > 0 ? val : train;
    rep.best_val_loss = mean_loss(tn, stop_set, o.huber_delta, 512);
    rep.val_loss.push_back(rep.best_val_loss);
    rep.train_loss.push_back(std::nan(""));
    if (o.verbose) std::fprintf(stderr, "  epoch   0  (initial weights)  val %.5f\n", rep.best_val_loss);
    const std::size_t n = train.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    const double b1 = 0.9, b2 = 0.999, eps = 1e-7;
    long step = 0;
    int since_best = 0;
    for (int epoch = 1; epoch <= o.max_epochs; ++epoch) {
        std::shuffle(order.begin(), order.end(), rng);
        const std::size_t count = o.epoch_samples > 0 ? std::min(o.epoch_samples, n) : n;
        double total = 0;
        std::size_t seen = 0;
        for (std::size_t s = 0; s < count; s += static_cast<std::size_t>(o.batch)) {
            const int B = static_cast<int>(std::min<std::size_t>(o.batch, count - s));
            bt.gather(train, order.data() + s, B);
            const float loss = detail::batch_loss<float>(tn, bt.x.data(), bt.y.data(),
                                                         bt.ids.empty() ? nullptr : bt.ids.data(), B, o.huber_delta,
                                                         o.dropout, &rng, cache, grad.data());
            total += static_cast<double>(loss) * B;
            seen += static_cast<std::size_t>(B);
            double norm2 = 0;
            for (float g : grad) norm2 += static_cast<double>(g) * g;
            const double norm = std::sqrt(norm2);
            if (!std::isfinite(norm)) continue;  // skip a poisoned step rather than corrupt the weights
            const double clip = (o.clip_norm > 0 && norm > o.clip_norm) ? o.clip_norm / norm : 1.0;
            ++step;
            const double lr_t = o.learning_rate * std::sqrt(1 - std::pow(b2, static_cast<double>(step))) /
                                (1 - std::pow(b1, static_cast<double>(step)));
            const float fb1 = static_cast<float>(b1), fb2 = static_cast<float>(b2);
            const float fclip = static_cast<float>(clip), flr = static_cast<float>(lr_t);
            const float feps = static_cast<float>(eps);
            for (std::size_t k = 0; k < P; ++k) {
                const float g = grad[k] * fclip;
                m[k] = fb1 * m[k] + (1 - fb1) * g;
                v[k] = fb2 * v[k] + (1 - fb2) * g * g;
                tn.theta[k] -= flr * m[k] / (std::sqrt(v[k]) + feps);
            }
        }
        const double tl = total / static_cast<double>(std::max<std::size_t>(seen, 1));
        const double vl = mean_loss(tn, stop_set, o.huber_delta, 512);
        rep.train_loss.push_back(tl);
        rep.val_loss.push_back(vl);
        rep.epochs_run = epoch;
        if (std::isfinite(vl) && vl < rep.best_val_loss) {
            rep.best_val_loss = vl;
            rep.best_epoch = epoch;
            best = tn.theta;
            since_best = 0;
        } else {
            ++since_best;
        }
        if (o.verbose) {
            const double sec =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::fprintf(stderr, "  epoch %3d  train %.5f  val %.5f%s  (%.0f s)\n", epoch, tl, vl,
                         rep.best_epoch == epoch ? " *" : "", sec);
        }
        if (since_best >= o.patience) break;
    }
    tn.theta = best;
    tn.store(net);
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

Result<std::vector<float>> predict(const nn::Network& net, const Dataset& data) {
    if (net.arch.is_transformer()) {  // not trained here (PipelineConfig::external_fit): the inference pass
        if (data.window != net.arch.window || data.features != net.arch.features || data.outputs != net.arch.outputs ||
            data.x.size() != data.size() * static_cast<std::size_t>(data.window) * data.features)
            return make_error(ErrorCode::invalid_input, "dataset: shape does not match the network");
        std::vector<float> out(data.y.size());
        nn::Workspace ws;
        const std::size_t wx = static_cast<std::size_t>(data.window) * data.features;
        for (std::size_t s = 0; s < data.size(); s += 256) {
            const int B = static_cast<int>(std::min<std::size_t>(256, data.size() - s));
            if (Status st = net.forward(data.x.data() + s * wx, nullptr, B, out.data() + s * data.outputs, ws); !st) return st.error();
        }
        return out;
    }
    if (Status s = check_dataset(net.arch, data, "dataset"); !s) return s.error();
    TrainNet<float> tn(net.arch);
    tn.load(net);
    Cache<float> cache;
    const std::size_t n = data.size();
    const std::size_t wx = static_cast<std::size_t>(data.window) * data.features;
    std::vector<float> out(n * static_cast<std::size_t>(data.outputs));
    const std::size_t batch = 512;
    for (std::size_t s = 0; s < n; s += batch) {
        const int B = static_cast<int>(std::min(batch, n - s));
        detail::batch_forward<float>(tn, data.x.data() + s * wx, data.stock.empty() ? nullptr : data.stock.data() + s,
                                     B, cache, out.data() + s * data.outputs);
    }
    return out;
}

Result<double> evaluate_loss(const nn::Network& net, const Dataset& data, double huber_delta) {
    if (Status s = check_dataset(net.arch, data, "dataset"); !s) return s.error();
    TrainNet<float> tn(net.arch);
    tn.load(net);
    return mean_loss(tn, data, huber_delta, 512);
}

Result<std::vector<GradCheckEntry>> gradient_check(const nn::Network& net, const Dataset& data, double huber_delta,
                                                   int per_tensor, double eps, std::uint64_t seed) {
    if (Status s = check_dataset(net.arch, data, "dataset"); !s) return s.error();
    const int B = static_cast<int>(data.size());
    if (B == 0) return make_error(ErrorCode::invalid_input, "gradient_check: empty dataset");
    TrainNet<double> tn(net.arch);
    tn.load(net);
    Cache<double> cache;
    const int* ids = data.stock.empty() ? nullptr : data.stock.data();
    std::vector<double, Eigen::aligned_allocator<double>> grad(tn.size());
    detail::batch_loss<double>(tn, data.x.data(), data.y.data(), ids, B, huber_delta, 0.0, nullptr, cache, grad.data());
    std::mt19937_64 rng(seed);
    std::vector<GradCheckEntry> out;
    GradCheckEntry all{"all", 0, 0, 0, 0};
    for (const auto& slot : tn.slots) {
        GradCheckEntry e{slot.name, 0, 0, 0, 0};
        const std::size_t count = static_cast<std::size_t>(slot.rows) * slot.cols;
        std::vector<std::size_t> pick(count);
        std::iota(pick.begin(), pick.end(), std::size_t{0});
        if (per_tensor > 0 && count > static_cast<std::size_t>(per_tensor)) {
            std::shuffle(pick.begin(), pick.end(), rng);
            pick.resize(static_cast<std::size_t>(per_tensor));
        }
        for (std::size_t k : pick) {
            const std::size_t p = slot.offset + k;
            const double keep = tn.theta[p];
            tn.theta[p] = keep + eps;
            const double lp = detail::batch_loss<double>(tn, data.x.data(), data.y.data(), ids, B, huber_delta, 0.0,
                                                         nullptr, cache, nullptr);
            tn.theta[p] = keep - eps;
            const double lm = detail::batch_loss<double>(tn, data.x.data(), data.y.data(), ids, B, huber_delta, 0.0,
                                                         nullptr, cache, nullptr);
            tn.theta[p] = keep;
            const double num = (lp - lm) / (2 * eps);
            const double rel = std::abs(num - grad[p]) / std::max(std::abs(num) + std::abs(grad[p]), 1e-7);
            e.max_rel_error = std::max(e.max_rel_error, rel);
            e.max_abs_error = std::max(e.max_abs_error, std::abs(num - grad[p]));
            e.max_abs_gradient = std::max(e.max_abs_gradient, std::abs(grad[p]));
            ++e.checked;
        }
        all.max_rel_error = std::max(all.max_rel_error, e.max_rel_error);
        all.max_abs_error = std::max(all.max_abs_error, e.max_abs_error);
        all.max_abs_gradient = std::max(all.max_abs_gradient, e.max_abs_gradient);
        all.checked += e.checked;
        out.push_back(e);
    }
    out.push_back(all);
    return out;
}

}  // namespace stockcast::train

// Forward with caches and backpropagation through time for the training network.
// Column j = t*B + b of every sequence matrix holds time step t of batch entry b.
#include <cmath>

#include "train/trainer.hpp"

namespace stockcast::train::detail {

namespace {

template <class S>
using Mat = typename TrainNet<S>::Mat;

template <class S>
Eigen::Map<const Mat<S>> cmap(const TrainNet<S>& net, int k) {
    const auto& s = net.slots[static_cast<std::size_t>(k)];
    return Eigen::Map<const Mat<S>>(net.theta.data() + s.offset, s.rows, s.cols);
}

template <class S>
Eigen::Map<Mat<S>> gmap(const TrainNet<S>& net, S* grad, int k) {
    const auto& s = net.slots[static_cast<std::size_t>(k)];
    return Eigen::Map<Mat<S>>(grad + s.offset, s.rows, s.cols);
}

template <class S, class Derived>
void sigmoid_inplace(Eigen::ArrayBase<Derived>&& a) {
    a = S(1) / (S(1) + (-a).exp());
}

// Forward of one LSTM layer over the whole sequence; L.X must be set.
template <class S>
void lstm_forward(const TrainNet<S>& net, int l, int T, int B, typename Cache<S>::Layer& L) {
    const int u = net.arch.lstm_units[static_cast<std::size_t>(l)];
    const auto W = cmap(net, 3 * l);
    const auto U = cmap(net, 3 * l + 1);
    const auto b = cmap(net, 3 * l + 2);
    const Eigen::Index TB = static_cast<Eigen::Index>(T) * B;
    L.G.noalias() = W * L.X;
    L.G.colwise() += b.col(0);
    L.C.resize(u, TB);
    L.TC.resize(u, TB);
    L.H.resize(u, TB);
    for (int t = 0; t < T; ++t) {
        auto g = L.G.middleCols(static_cast<Eigen::Index>(t) * B, B);
        if (t > 0) g.noalias() += U * L.H.middleCols(static_cast<Eigen::Index>(t - 1) * B, B);
        sigmoid_inplace<S>(g.topRows(2 * u).array());
        g.middleRows(2 * u, u) = g.middleRows(2 * u, u).array().tanh();
        sigmoid_inplace<S>(g.bottomRows(u).array());
        auto c = L.C.middleCols(static_cast<Eigen::Index>(t) * B, B);
        if (t > 0) {
            c = g.middleRows(u, u).cwiseProduct(L.C.middleCols(static_cast<Eigen::Index>(t - 1) * B, B)) +
                g.topRows(u).cwiseProduct(g.middleRows(2 * u, u));
        } else {
            c = g.topRows(u).cwiseProduct(g.middleRows(2 * u, u));
        }
        auto tc = L.TC.middleCols(static_cast<Eigen::Index>(t) * B, B);
        tc = c.array().tanh();
        L.H.middleCols(static_cast<Eigen::Index>(t) * B, B) = g.bottomRows(u).cwiseProduct(tc);
    }
}

// Backward of one LSTM layer. dH: gradient w.r.t. every h_t from above [u x T*B] (consumed).
// Accumulates parameter gradients; writes dX (gradient w.r.t. the layer input) when wanted.
template <class S>
void lstm_backward(const TrainNet<S>& net, int l, int T, int B, typename Cache<S>::Layer& L, Mat<S>& dH, S* grad,
                   Mat<S>* dX) {
    const int u = net.arch.lstm_units[static_cast<std::size_t>(l)];
    const auto W = cmap(net, 3 * l);
    const auto U = cmap(net, 3 * l + 1);
    const Eigen::Index TB = static_cast<Eigen::Index>(T) * B;
    L.dZ.resize(4 * u, TB);
    Mat<S> dh_next = Mat<S>::Zero(u, B);
    Mat<S> dc_next = Mat<S>::Zero(u, B);
    Mat<S> dh(u, B), dc(u, B);
    for (int t = T - 1; t >= 0; --t) {
        const Eigen::Index c0 = static_cast<Eigen::Index>(t) * B;
        const auto g = L.G.middleCols(c0, B);
        const auto i = g.topRows(u).array();
        const auto f = g.middleRows(u, u).array();
        const auto gg = g.middleRows(2 * u, u).array();
        const auto o = g.bottomRows(u).array();
        const auto tc = L.TC.middleCols(c0, B).array();
        dh = dH.middleCols(c0, B) + dh_next;
        dc.array() = dc_next.array() + dh.array() * o * (S(1) - tc * tc);
        auto dz = L.dZ.middleCols(c0, B);
        dz.bottomRows(u).array() = dh.array() * tc * o * (S(1) - o);
        dz.topRows(u).array() = dc.array() * gg * i * (S(1) - i);
        dz.middleRows(2 * u, u).array() = dc.array() * i * (S(1) - gg * gg);
        if (t > 0) {
            dz.middleRows(u, u).array() = dc.array() * L.C.middleCols(c0 - B, B).array() * f * (S(1) - f);
            dh_next.noalias() = U.transpose() * dz;
        } else {
            dz.middleRows(u, u).setZero();
        }
        dc_next.array() = dc.array() * f;
    }
    auto gW = gmap(net, grad, 3 * l);
    auto gU = gmap(net, grad, 3 * l + 1);
    auto gb = gmap(net, grad, 3 * l + 2);
    gW.noalias() += L.dZ * L.X.transpose();
    if (T > 1) gU.noalias() += L.dZ.rightCols(TB - B) * L.H.leftCols(TB - B).transpose();
    gb.col(0) += L.dZ.rowwise().sum();
    if (dX) dX->noalias() = W.transpose() * L.dZ;
}

template <class S>
void forward_all(const TrainNet<S>& net, const float* x, const int* ids, int B, double dropout, std::mt19937_64* rng,
                 Cache<S>& cache) {
    const nn::Architecture& a = net.arch;
    const int T = a.window, F = a.features, nl = net.n_lstm();
    const Eigen::Index TB = static_cast<Eigen::Index>(T) * B;
    cache.B = B;
    cache.layers.resize(static_cast<std::size_t>(nl));
    // layer-0 input: column t*B+b <- x[b][t][:]
    auto& X0 = cache.layers[0].X;
    X0.resize(F, TB);
    for (int b = 0; b < B; ++b)
        for (int t = 0; t < T; ++t)
            for (int f = 0; f < F; ++f)
                X0(f, static_cast<Eigen::Index>(t) * B + b) =
                    static_cast<S>(x[(static_cast<std::size_t>(b) * T + t) * F + f]);
    for (int l = 0; l < nl; ++l) {
        if (l > 0) cache.layers[l].X = cache.layers[l - 1].H;
        lstm_forward(net, l, T, B, cache.layers[l]);
    }
    const int u = a.lstm_units.back();
    const int dim = a.has_embedding() ? a.embedding_dim : 0;
    const bool drop = dropout > 0 && rng != nullptr;
    const S keep = S(1) - static_cast<S>(dropout);
    std::bernoulli_distribution bern(drop ? 1.0 - dropout : 1.0);
    auto make_mask = [&](Mat<S>& m, int rows) {
        m.resize(rows, B);
        if (!drop) {
            m.setOnes();
            return;
        }
        for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = bern(*rng) ? S(1) / keep : S(0);
    };
    make_mask(cache.m1, u);
    cache.a.resize(u + dim, B);
    cache.a.topRows(u) = cache.layers.back().H.rightCols(B).cwiseProduct(cache.m1);
    cache.ids.assign(ids ? ids : static_cast<const int*>(nullptr), ids ? ids + B : static_cast<const int*>(nullptr));
    if (dim > 0) {
        const auto E = cmap(net, net.emb_slot);
        const Eigen::Matrix<S, Eigen::Dynamic, 1> mean = E.rowwise().mean();
        for (int b = 0; b < B; ++b) {
            const int id = ids ? ids[b] : -1;
            if (id >= 0)
                cache.a.col(b).bottomRows(dim) = E.col(id);
            else
                cache.a.col(b).bottomRows(dim) = mean;
        }
    }
    const auto D1 = cmap(net, net.d1_slot);
    const auto b1 = cmap(net, net.d1_slot + 1);
    const auto D2 = cmap(net, net.d1_slot + 2);
    const auto b2 = cmap(net, net.d1_slot + 3);
    cache.z1.noalias() = D1 * cache.a;
    cache.z1.colwise() += b1.col(0);
    make_mask(cache.m2, a.dense_units);
    cache.r1 = cache.z1.cwiseMax(S(0)).cwiseProduct(cache.m2);
    cache.y.noalias() = D2 * cache.r1;
    cache.y.colwise() += b2.col(0);
}

}  // namespace

template <class S>
void batch_forward(const TrainNet<S>& net, const float* x, const int* ids, int B, Cache<S>& cache, float* out) {
    forward_all(net, x, ids, B, 0.0, nullptr, cache);
    const int H = net.arch.outputs;
    for (int b = 0; b < B; ++b)
        for (int h = 0; h < H; ++h) out[static_cast<std::size_t>(b) * H + h] = static_cast<float>(cache.y(h, b));
}

template <class S>
S batch_loss(const TrainNet<S>& net, const float* x, const float* t, const int* ids, int B, double huber_delta,
             double dropout, std::mt19937_64* rng, Cache<S>& cache, S* grad) {
    forward_all(net, x, ids, B, dropout, rng, cache);
    const nn::Architecture& a = net.arch;
    const int H = a.outputs;
    const S delta = static_cast<S>(huber_delta);
    const S norm = S(1) / static_cast<S>(static_cast<double>(B) * H);
    Mat<S> dy(H, B);
    S loss = 0;
    for (int b = 0; b < B; ++b) {
        for (int h = 0; h < H; ++h) {
            const S e = cache.y(h, b) - static_cast<S>(t[static_cast<std::size_t>(b) * H + h]);
            if (delta > 0 && std::abs(e) > delta) {
                loss += delta * (std::abs(e) - S(0.5) * delta);
                dy(h, b) = (e > 0 ? delta : -delta) * norm;
            } else {
                loss += S(0.5) * e * e;
                dy(h, b) = e * norm;
            }
        }
    }
    loss *= norm;
    if (!grad) return loss;

    std::fill(grad, grad + net.size(), S(0));
    const int u = a.lstm_units.back();
    const int dim = a.has_embedding() ? a.embedding_dim : 0;
    const auto D1 = cmap(net, net.d1_slot);
    const auto D2 = cmap(net, net.d1_slot + 2);
    gmap(net, grad, net.d1_slot + 2).noalias() += dy * cache.r1.transpose();
    gmap(net, grad, net.d1_slot + 3).col(0) += dy.rowwise().sum();
    Mat<S> dz1 = (D2.transpose() * dy).cwiseProduct(cache.m2);
    dz1.array() *= (cache.z1.array() > S(0)).template cast<S>();
    gmap(net, grad, net.d1_slot).noalias() += dz1 * cache.a.transpose();
    gmap(net, grad, net.d1_slot + 1).col(0) += dz1.rowwise().sum();
    const Mat<S> da = D1.transpose() * dz1;
    if (dim > 0) {
        auto gE = gmap(net, grad, net.emb_slot);
        const S inv_count = S(1) / static_cast<S>(a.embedding_count);
        for (int b = 0; b < B; ++b) {
            const int id = cache.ids.empty() ? -1 : cache.ids[static_cast<std::size_t>(b)];
            if (id >= 0)
                gE.col(id) += da.col(b).bottomRows(dim);
            else
                gE.colwise() += da.col(b).bottomRows(dim) * inv_count;  // neutral row = mean of rows
        }
    }
    const int T = a.window, nl = net.n_lstm();
    const Eigen::Index TB = static_cast<Eigen::Index>(T) * B;
    Mat<S> dH = Mat<S>::Zero(u, TB);
    dH.rightCols(B) = da.topRows(u).cwiseProduct(cache.m1);
    Mat<S> dX;
    for (int l = nl - 1; l >= 0; --l) {
        lstm_backward(net, l, T, B, cache.layers[static_cast<std::size_t>(l)], dH, grad, l > 0 ? &dX : nullptr);
        if (l > 0) dH.swap(dX);
    }
    return loss;
}

template void batch_forward<float>(const TrainNet<float>&, const float*, const int*, int, Cache<float>&, float*);
template void batch_forward<double>(const TrainNet<double>&, const float*, const int*, int, Cache<double>&, float*);
template float batch_loss<float>(const TrainNet<float>&, const float*, const float*, const int*, int, double, double,
                                 std::mt19937_64*, Cache<float>&, float*);
template double batch_loss<double>(const TrainNet<double>&, const float*, const float*, const int*, int, double, double,
                                   std::mt19937_64*, Cache<double>&, double*);

}  // namespace stockcast::train::detail

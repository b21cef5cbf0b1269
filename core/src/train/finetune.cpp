// Fine-tuning a general model on one user series (issue 17). See train.hpp, docs/training.md.
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "stockcast/features.hpp"
#include "stockcast/train.hpp"
#include "train/trainer.hpp"

namespace stockcast::train {

namespace {

using MatF = Eigen::MatrixXf;
using VecF = Eigen::VectorXf;

bool valid_name(const std::string& name) {
    if (name.empty() || name.size() > 32) return false;
    for (char ch : name) {
        const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                        ch == '_' || ch == '-' || ch == '.';
        if (!ok) return false;
    }
    return true;
}

// The trainable head: new embedding row e, Dense1 (kernel rows of the LSTM output, bias),
// Dense2. The general Dense1 rows that multiply the embedding (Ke) stay fixed, so training e
// moves the stock along the directions the general model learnt for stocks.
struct Head {
    MatF D1;  // [d x u]
    VecF b1;  // [d]
    MatF Ke;  // [d x dim] fixed
    VecF e;   // [dim]
    MatF D2;  // [H x d]
    VecF b2;  // [H]

    std::vector<float*> params() { return {D1.data(), b1.data(), e.data(), D2.data(), b2.data()}; }
    std::vector<Eigen::Index> sizes() const { return {D1.size(), b1.size(), e.size(), D2.size(), b2.size()}; }
};

struct Grad {
    MatF D1;
    VecF b1, e;
    MatF D2;
    VecF b2;
};

// Mean Huber loss of a batch (A: [u x B] LSTM outputs, T: [H x B] scaled targets); with `g`,
// its gradient. Masks m1 [u x B], m2 [d x B] (inverted dropout; empty: none).
float head_loss(const Head& hd, const MatF& A, const MatF& T, const MatF& m1, const MatF& m2, double delta,
                Grad* g) {
    const Eigen::Index B = A.cols();
    const MatF Ad = m1.size() ? MatF(A.cwiseProduct(m1)) : A;
    const VecF bias1 = hd.b1 + hd.Ke * hd.e;
    MatF z1 = hd.D1 * Ad;
    z1.colwise() += bias1;
    MatF r = z1.cwiseMax(0.0f);
    if (m2.size()) r = r.cwiseProduct(m2);
    MatF y = hd.D2 * r;
    y.colwise() += hd.b2;
    const Eigen::Index H = y.rows();
    const float norm = 1.0f / static_cast<float>(B * H);
    const float fd = static_cast<float>(delta);
    MatF dy(H, B);
    float loss = 0;
    for (Eigen::Index b = 0; b < B; ++b)
        for (Eigen::Index h = 0; h < H; ++h) {
            const float err = y(h, b) - T(h, b);
            if (fd > 0 && std::abs(err) > fd) {
                loss += fd * (std::abs(err) - 0.5f * fd);
                dy(h, b) = (err > 0 ? fd : -fd) * norm;
            } else {
                loss += 0.5f * err * err;
                dy(h, b) = err * norm;
            }
        }
    loss *= norm;
    if (!g) return loss;
    g->D2.noalias() = dy * r.transpose();
    g->b2 = dy.rowwise().sum();
    MatF dz = hd.D2.transpose() * dy;
    if (m2.size()) dz = dz.cwiseProduct(m2);
    dz.array() *= (z1.array() > 0.0f).cast<float>();
    g->D1.noalias() = dz * Ad.transpose();
    g->b1 = dz.rowwise().sum();
    g->e.noalias() = hd.Ke.transpose() * g->b1;
    return loss;
}

MatF head_forward(const Head& hd, const MatF& A) {
    MatF z1 = hd.D1 * A;
    z1.colwise() += hd.b1 + hd.Ke * hd.e;
    MatF y = hd.D2 * z1.cwiseMax(0.0f);
    y.colwise() += hd.b2;
    return y;
}

// Portable randomness: std::shuffle and the std distributions are implementation-defined
// (libstdc++ natively, libc++ under Emscripten draw differently from the same mt19937_64), so
// the native and WebAssembly trainers would train on different batches and masks. These use
// the engine's raw 64-bit output only, which the standard fixes.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0); }
void portable_shuffle(std::vector<std::size_t>& v, std::mt19937_64& rng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(uniform01(rng) * static_cast<double>(i));
        std::swap(v[i - 1], v[std::min(j, i - 1)]);
    }
}

Error series_error(std::string field, std::string reason) {
    Error e = input_error(std::move(field), reason);
    return e;
}

}  // namespace

std::size_t fine_tune_required_rows(const Model& base) {
    const std::size_t need = required_history(base.input, base.net.arch.window);
    const int hmax = base.output.horizons.empty()
                         ? 0
                         : *std::max_element(base.output.horizons.begin(), base.output.horizons.end());
    return need - 1 + 2 * static_cast<std::size_t>(hmax) + kFineTuneMinTrain + kFineTuneMinHoldout;
}

struct FineTuneSession::State {
    const Model* base = nullptr;
    PriceSeries series;
    std::string name;
    FineTuneOptions o;
    std::chrono::steady_clock::time_point t0;
    std::vector<int> horizons;
    std::vector<double> tscale;
    int W = 0, F = 0, u = 0, d = 0;
    std::size_t need = 0, hmax = 0, nt = 0, nv = 0, first_train = 0, first_val = 0, P = 0;
    std::vector<std::size_t> origins_val;
    nn::Network net;
    MatF At, Tt, Av, Tv;
    std::vector<double> actual_v;
    Head hd;
    std::vector<Eigen::Index> sizes;
    std::vector<float> m, v, flat, best, gflat;
    std::vector<std::size_t> order;
    std::mt19937_64 rng;
    Grad g;
    TrainReport rep;
    double initial = 0;
    long step = 0;
    int since_best = 0;
    bool started = false, stopped = false, finished = false;

    void save(std::vector<float>& to) {
        std::size_t off = 0;
        auto ps = hd.params();
        for (std::size_t k = 0; k < ps.size(); ++k) {
            std::copy_n(ps[k], sizes[k], to.data() + off);
            off += static_cast<std::size_t>(sizes[k]);
        }
    }
    void restore(const std::vector<float>& from) {
        std::size_t off = 0;
        auto ps = hd.params();
        for (std::size_t k = 0; k < ps.size(); ++k) {
            std::copy_n(from.data() + off, sizes[k], ps[k]);
            off += static_cast<std::size_t>(sizes[k]);
        }
    }
    double val_loss() const {
        static const MatF none;
        return static_cast<double>(head_loss(hd, Av, Tv, none, none, o.huber_delta, nullptr));
    }
};

FineTuneSession::FineTuneSession() : s_(new State) {}
FineTuneSession::~FineTuneSession() { delete s_; }
bool FineTuneSession::done() const { return !s_->started || s_->stopped || s_->rep.epochs_run >= s_->o.max_epochs; }
std::size_t FineTuneSession::train_windows() const { return s_->nt; }
std::size_t FineTuneSession::holdout_windows() const { return s_->nv; }
double FineTuneSession::initial_val_loss() const { return s_->initial; }

Status FineTuneSession::start(const Model& base, const PriceSeries& series, const std::string& name,
                              const FineTuneOptions& o) {
    State& S = *s_;
    if (S.started) return input_error("session", "already started");
    S.t0 = std::chrono::steady_clock::now();
    if (!valid_name(name))
        return input_error("name", {"'", name, "' is not 1-32 characters of A-Z a-z 0-9 _ - ."});
    if (!base.net.arch.has_embedding() || base.meta.kind != "general")
        return input_error("base", {"'", base.meta.name, "' is not a general model (fine-tuning adapts one)"});
    if (o.max_epochs < 0 || o.max_epochs > 10000 || o.patience < 1 || o.batch < 1 || !(o.learning_rate > 0) ||
        !(o.dropout >= 0 && o.dropout < 1) || !(o.holdout_fraction > 0 && o.holdout_fraction < 1))
        return input_error("options", "out of range (maxEpochs 0-10000, patience >= 1, batch >= 1, lr > 0, "
                                      "0 <= dropout < 1, 0 < holdout < 1)");
    // ---- the series
    const std::size_t n = series.close.size();
    if (series.dates.size() != n)
        return input_error("history.dates", {"has ", series.dates.size(), " dates for ", n, " closes"});
    if (!series.volume.empty() && series.volume.size() != n)
        return input_error("history.volume", {"has ", series.volume.size(), " values for ", n, " closes"});
    for (std::size_t i = 0; i < n; ++i) {
        const double c = series.close[i];
        if (!std::isfinite(c)) return series_error("history.close", cat({"row ", i, " (", series.dates[i], ") is not a finite number"}));
        if (c <= 0) return series_error("history.close", cat({"row ", i, " (", series.dates[i], ") is ", c, "; closes must be > 0"}));
        if (!is_iso_date(series.dates[i]))
            return series_error("history.dates", cat({"row ", i, " '", series.dates[i], "' is not a YYYY-MM-DD date"}));
        if (i > 0 && series.dates[i] == series.dates[i - 1])
            return series_error("history.dates", cat({"duplicate date ", series.dates[i], " at rows ", i - 1, " and ", i}));
        if (i > 0 && series.dates[i] < series.dates[i - 1])
            return series_error("history.dates", cat({"not in ascending order: ", series.dates[i - 1], " (row ", i - 1,
                                                      ") before ", series.dates[i], " (row ", i, ")"}));
    }
    const std::size_t required = fine_tune_required_rows(base);
    if (n < required)
        return history_error("fine-tuning (one " + std::to_string(base.net.arch.window) +
                                 "-day window, the longest horizon twice: targets and a gap before the held-out "
                                 "part, and 64 training + 64 held-out windows)",
                             static_cast<long long>(required), static_cast<long long>(n));

    // ---- the base model's scales
    const Json* ts = json_find(base.meta.metrics, "target_scale");
    S.horizons = base.output.horizons;
    const std::size_t H = S.horizons.size();
    if (ts == nullptr || !ts->is_array() || ts->size() != H)
        return input_error("base", "metrics.target_scale missing or not one per horizon");
    S.tscale.resize(H);
    for (std::size_t h = 0; h < H; ++h) {
        if (!(*ts)[h].is_number()) return input_error("base", "metrics.target_scale not numeric");
        S.tscale[h] = (*ts)[h].get<double>();
    }
    S.base = &base;
    S.series = series;
    S.name = name;
    S.o = o;
    const int W = S.W = base.net.arch.window;
    const int F = S.F = base.net.arch.features;
    S.need = required_history(base.input, W);
    S.hmax = static_cast<std::size_t>(*std::max_element(S.horizons.begin(), S.horizons.end()));
    if (S.series.volume.empty()) S.series.volume.assign(n, std::nan(""));

    // ---- split: origins [need-1, n-1-hmax]; the last `nv` are held out, a gap of hmax before them
    const std::size_t usable = n - (S.need - 1) - 2 * S.hmax;
    S.nv = std::max<std::size_t>(kFineTuneMinHoldout,
                                 static_cast<std::size_t>(std::llround(o.holdout_fraction * static_cast<double>(usable))));
    if (usable - S.nv < static_cast<std::size_t>(kFineTuneMinTrain)) S.nv = usable - kFineTuneMinTrain;
    S.nt = usable - S.nv;
    S.first_train = S.need - 1;
    S.first_val = n - S.hmax - S.nv;
    std::vector<std::size_t> origins_train(S.nt);
    S.origins_val.resize(S.nv);
    std::iota(origins_train.begin(), origins_train.end(), S.first_train);
    std::iota(S.origins_val.begin(), S.origins_val.end(), S.first_val);

    auto sn = specialise_general(base, -1);
    if (!sn) return sn.error();
    S.net = std::move(sn.value());
    S.net.arch.dropout = static_cast<float>(o.dropout);

    // LSTM outputs of every window, once (the LSTMs are frozen)
    const std::size_t wf = static_cast<std::size_t>(W) * static_cast<std::size_t>(F);
    const int u = S.u = base.net.arch.lstm_units.back();
    S.d = base.net.arch.dense_units;
    detail::TrainNet<float> tn(S.net.arch);
    tn.load(S.net);
    detail::Cache<float> cache;
    std::vector<double> raw(wf);
    const PriceSeries& ps = S.series;
    auto lstm_out = [&](const std::vector<std::size_t>& origins, MatF& A, MatF& T, std::vector<double>& actual) {
        const std::size_t cnt = origins.size();
        A.resize(u, static_cast<Eigen::Index>(cnt));
        T.resize(static_cast<Eigen::Index>(H), static_cast<Eigen::Index>(cnt));
        actual.resize(cnt * H);
        std::vector<float, Eigen::aligned_allocator<float>> x;
        std::vector<float> out;
        const std::size_t batch = 256;
        for (std::size_t s = 0; s < cnt; s += batch) {
            const std::size_t B = std::min(batch, cnt - s);
            x.resize(B * wf);
            for (std::size_t b = 0; b < B; ++b) {
                build_window_raw(base.input.features, W, ps.close.data(), ps.volume.data(), origins[s + b], raw.data());
                for (std::size_t k = 0; k < wf; ++k)
                    x[b * wf + k] = static_cast<float>(raw[k] * base.input.scale[k % static_cast<std::size_t>(F)]);
            }
            out.resize(B * H);
            detail::batch_forward<float>(tn, x.data(), nullptr, static_cast<int>(B), cache, out.data());
            A.middleCols(static_cast<Eigen::Index>(s), static_cast<Eigen::Index>(B)) = cache.a.topRows(u);
        }
        for (std::size_t i = 0; i < cnt; ++i)
            for (std::size_t h = 0; h < H; ++h) {
                const double r = std::log(ps.close[origins[i] + static_cast<std::size_t>(S.horizons[h])] /
                                          ps.close[origins[i]]);
                actual[i * H + h] = r;
                T(static_cast<Eigen::Index>(h), static_cast<Eigen::Index>(i)) = static_cast<float>(r / S.tscale[h]);
            }
    };
    std::vector<double> actual_t;
    lstm_out(origins_train, S.At, S.Tt, actual_t);
    lstm_out(S.origins_val, S.Av, S.Tv, S.actual_v);
    if (!S.At.allFinite() || !S.Av.allFinite()) return make_error(ErrorCode::diverged, "non-finite LSTM output");

    // ---- the head, starting from the general model with the mean embedding row
    Head& hd = S.hd;
    const int dim = base.net.arch.embedding_dim;
    hd.D1 = base.net.dense1.kernel.topRows(u).transpose();
    hd.b1 = base.net.dense1.bias;
    hd.Ke = base.net.dense1.kernel.bottomRows(dim).transpose();
    hd.e = base.net.embedding.colwise().mean().transpose();
    hd.D2 = base.net.dense2.kernel.transpose();
    hd.b2 = base.net.dense2.bias;
    S.sizes = hd.sizes();
    S.P = 0;
    for (auto k : S.sizes) S.P += static_cast<std::size_t>(k);
    S.m.assign(S.P, 0.f);
    S.v.assign(S.P, 0.f);
    S.flat.resize(S.P);
    S.gflat.resize(S.P);
    S.best.resize(S.P);
    S.save(S.best);
    S.initial = S.val_loss();
    S.rep.best_val_loss = S.initial;
    S.rep.val_loss.push_back(S.initial);
    S.rep.train_loss.push_back(std::nan(""));
    S.rng.seed(o.seed);
    S.order.resize(S.nt);
    std::iota(S.order.begin(), S.order.end(), std::size_t{0});
    S.started = true;
    return Ok{};
}

Result<EpochProgress> FineTuneSession::epoch() {
    State& S = *s_;
    if (S.finished || done()) return input_error("session", "no epoch left to run");
    const FineTuneOptions& o = S.o;
    const int epoch = S.rep.epochs_run + 1;
    const Eigen::Index H = static_cast<Eigen::Index>(S.horizons.size());
    const double b1 = 0.9, b2 = 0.999, eps = 1e-7;
    const float keep = static_cast<float>(1.0 - o.dropout);
    const double p_keep = 1.0 - o.dropout;
    portable_shuffle(S.order, S.rng);
    double total = 0;
    for (std::size_t s = 0; s < S.nt; s += static_cast<std::size_t>(o.batch)) {
        const Eigen::Index B = static_cast<Eigen::Index>(std::min<std::size_t>(static_cast<std::size_t>(o.batch), S.nt - s));
        MatF A(S.u, B), T(H, B), m1, m2;
        for (Eigen::Index b = 0; b < B; ++b) {
            A.col(b) = S.At.col(static_cast<Eigen::Index>(S.order[s + static_cast<std::size_t>(b)]));
            T.col(b) = S.Tt.col(static_cast<Eigen::Index>(S.order[s + static_cast<std::size_t>(b)]));
        }
        if (o.dropout > 0) {
            m1.resize(S.u, B);
            m2.resize(S.d, B);
            for (Eigen::Index k = 0; k < m1.size(); ++k) m1.data()[k] = uniform01(S.rng) < p_keep ? 1.0f / keep : 0.0f;
            for (Eigen::Index k = 0; k < m2.size(); ++k) m2.data()[k] = uniform01(S.rng) < p_keep ? 1.0f / keep : 0.0f;
        }
        const float loss = head_loss(S.hd, A, T, m1, m2, o.huber_delta, &S.g);
        total += static_cast<double>(loss) * static_cast<double>(B);
        {
            std::size_t off = 0;
            const float* gs[] = {S.g.D1.data(), S.g.b1.data(), S.g.e.data(), S.g.D2.data(), S.g.b2.data()};
            for (std::size_t k = 0; k < 5; ++k) {
                std::copy_n(gs[k], S.sizes[k], S.gflat.data() + off);
                off += static_cast<std::size_t>(S.sizes[k]);
            }
        }
        double norm2 = 0;
        for (float x : S.gflat) norm2 += static_cast<double>(x) * x;
        const double norm = std::sqrt(norm2);
        if (!std::isfinite(norm) || !std::isfinite(loss)) {
            S.stopped = true;
            return make_error(ErrorCode::diverged, cat({"non-finite loss or gradient in epoch ", epoch}));
        }
        const double clip = (o.clip_norm > 0 && norm > o.clip_norm) ? o.clip_norm / norm : 1.0;
        ++S.step;
        const double lr_t = o.learning_rate * std::sqrt(1 - std::pow(b2, static_cast<double>(S.step))) /
                            (1 - std::pow(b1, static_cast<double>(S.step)));
        const float fb1 = static_cast<float>(b1), fb2 = static_cast<float>(b2);
        const float fclip = static_cast<float>(clip), flr = static_cast<float>(lr_t), feps = static_cast<float>(eps);
        S.save(S.flat);
        for (std::size_t k = 0; k < S.P; ++k) {
            const float gk = S.gflat[k] * fclip;
            S.m[k] = fb1 * S.m[k] + (1 - fb1) * gk;
            S.v[k] = fb2 * S.v[k] + (1 - fb2) * gk * gk;
            S.flat[k] -= flr * S.m[k] / (std::sqrt(S.v[k]) + feps);
        }
        S.restore(S.flat);
    }
    const double tl = total / static_cast<double>(S.nt);
    const double vl = S.val_loss();
    S.rep.train_loss.push_back(tl);
    S.rep.val_loss.push_back(vl);
    S.rep.epochs_run = epoch;
    if (!std::isfinite(tl) || !std::isfinite(vl) || vl > 1000.0 * std::max(S.initial, 1e-3)) {
        S.stopped = true;
        return make_error(ErrorCode::diverged, cat({"validation loss ", vl, " in epoch ", epoch, " (started at ",
                                                    S.initial, "); try a lower learning rate"}));
    }
    const bool improved = vl < S.rep.best_val_loss;
    if (improved) {
        S.rep.best_val_loss = vl;
        S.rep.best_epoch = epoch;
        S.save(S.best);
        S.since_best = 0;
    } else {
        ++S.since_best;
    }
    if (S.since_best >= o.patience) S.stopped = true;
    return EpochProgress{epoch, o.max_epochs, tl, vl, improved};
}

Result<FineTuneResult> FineTuneSession::finish() {
    State& S = *s_;
    if (!S.started || S.finished) return input_error("session", "not started or already finished");
    S.finished = true;
    const Model& base = *S.base;
    const PriceSeries& series = S.series;
    const std::size_t H = S.horizons.size();
    const std::size_t nv = S.nv;
    const int W = S.W, F = S.F, u = S.u;
    S.restore(S.best);
    Head& hd = S.hd;

    // ---- calibration on the held-out windows
    const MatF yv = head_forward(hd, S.Av);
    std::vector<float> y(nv * H);
    for (std::size_t i = 0; i < nv; ++i)
        for (std::size_t h = 0; h < H; ++h) y[i * H + h] = yv(static_cast<Eigen::Index>(h), static_cast<Eigen::Index>(i));
    std::vector<double> vol(nv);
    for (std::size_t i = 0; i < nv; ++i) vol[i] = window_volatility(series.close.data(), S.origins_val[i], W);
    SeriesCalibration cal = calibrate_series(S.horizons, S.tscale, y, S.actual_v, vol);

    // ---- the model: stock-specific network with the new embedding row folded into Dense1's bias
    FineTuneResult res;
    res.report = S.rep;
    const TrainReport& rep = res.report;
    nn::Network net = S.net;
    net.dense1.kernel.topRows(u) = hd.D1.transpose();
    net.dense1.bias = hd.b1 + hd.Ke * hd.e;
    net.dense2.kernel = hd.D2.transpose();
    net.dense2.bias = hd.b2;
    Model& md = res.model;
    md.meta.name = S.name;
    md.meta.kind = "stock_specific";
    md.meta.trained_at = series.dates.back();  // deterministic: no wall clock in the file
    md.meta.data_from = series.dates[S.first_train + 1 - S.need];
    md.meta.data_to = series.dates.back();
    Json metrics = Json::object();
    metrics["validation"] = cal.validation;
    metrics["target_scale"] = S.tscale;
    metrics["interval_scaling"] = {{"kind", "window_volatility"}, {"window", W}, {"floor", kMinWindowVolatility}};
    metrics["initialised_from"] = base.meta.name;
    metrics["fine_tuned"] = {{"base", base.meta.name}, {"base_version", base.meta.version},
                             {"base_trained_at", base.meta.trained_at}, {"trained", "embedding row, dense1, dense2"}};
    res.holdout_from = series.dates[S.first_val];
    metrics["split"] = {{"train_targets_before", res.holdout_from},
                        {"validation_from", res.holdout_from}, {"validation_targets_before", "end of series"}};
    metrics["windows"] = {{"train", S.nt}, {"validation", nv}, {"excluded_events", 0}};
    metrics["training"] = {{"epochs", rep.epochs_run}, {"best_epoch", rep.best_epoch},
                           {"best_val_loss", rep.best_val_loss}, {"initial_val_loss", S.initial},
                           {"loss", S.o.huber_delta > 0 ? "huber" : "mse"}, {"seed", S.o.seed}};
    md.meta.metrics = metrics;
    md.input = base.input;
    md.output = cal.output;
    md.intervals = cal.intervals;
    md.net = std::move(net);
    // test vector: the CLI's deterministic window (cmd_train.cpp)
    const std::size_t wf = static_cast<std::size_t>(W) * static_cast<std::size_t>(F);
    md.test_vector.x.assign(wf, 0.0f);
    for (int t = 0; t < W; ++t)
        for (int f = 0; f < F; ++f)
            md.test_vector.x[static_cast<std::size_t>(t) * F + f] =
                static_cast<float>(0.5 * std::sin(0.37 * t + f) * (W - t) / W);
    md.test_vector.stock_ids.clear();
    auto bytes = write_model(md, Dtype::f16);
    if (!bytes) return bytes.error();
    auto parsed = parse_model(bytes.value().data(), bytes.value().size());
    if (!parsed) return parsed.error();
    res.model = std::move(parsed.value());
    res.bytes = std::move(bytes.value());
    res.train_windows = S.nt;
    res.holdout_windows = nv;
    res.val_mape = cal.mean_val_mape;
    res.val_naive_mape = cal.mean_naive_mape;
    res.coverage90 = cal.mean_coverage90;
    res.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - S.t0).count();
    return res;
}

Result<FineTuneResult> fine_tune(const Model& base, const PriceSeries& series, const std::string& name,
                                 const FineTuneOptions& o, const std::function<void(const EpochProgress&)>& on_epoch,
                                 const std::function<bool()>& cancel) {
    FineTuneSession session;
    if (Status st = session.start(base, series, name, o); !st) return st.error();
    while (!session.done()) {
        if (cancel && cancel())
            return make_error(ErrorCode::cancelled, "fine-tuning cancelled; nothing was produced");
        auto p = session.epoch();
        if (!p) return p.error();
        if (on_epoch) on_epoch(p.value());
    }
    if (cancel && cancel()) return make_error(ErrorCode::cancelled, "fine-tuning cancelled; nothing was produced");
    return session.finish();
}

namespace detail {

double fine_tune_head_gradient_check(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> N(0.0f, 0.5f);
    auto fill = [&](auto& m) {
        for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = N(rng);
    };
    const int u = 5, d = 4, H = 3, dim = 2, B = 7;
    Head hd;
    hd.D1.resize(d, u), hd.b1.resize(d), hd.Ke.resize(d, dim), hd.e.resize(dim), hd.D2.resize(H, d), hd.b2.resize(H);
    fill(hd.D1), fill(hd.b1), fill(hd.Ke), fill(hd.e), fill(hd.D2), fill(hd.b2);
    MatF A(u, B), T(H, B), m1(u, B), m2(d, B);
    fill(A), fill(T);
    for (Eigen::Index k = 0; k < m1.size(); ++k) m1.data()[k] = (rng() & 3) ? 1.25f : 0.0f;
    for (Eigen::Index k = 0; k < m2.size(); ++k) m2.data()[k] = (rng() & 3) ? 1.25f : 0.0f;
    const double delta = 0.3;  // some errors beyond delta: both Huber branches are exercised
    Grad g;
    head_loss(hd, A, T, m1, m2, delta, &g);
    const float* grads[] = {g.D1.data(), g.b1.data(), g.e.data(), g.D2.data(), g.b2.data()};
    // Central differences are meaningless across a relu kink: skip the Dense1 entries of a hidden
    // unit whose pre-activation comes within 0.05 of zero on some sample (and the embedding row,
    // which feeds every unit, if any does). An eps step moves a pre-activation by < 0.01.
    MatF z1 = hd.D1 * A.cwiseProduct(m1);
    z1.colwise() += hd.b1 + hd.Ke * hd.e;
    std::vector<bool> kink(static_cast<std::size_t>(d), false);
    bool any_kink = false;
    for (int i = 0; i < d; ++i)
        for (int b = 0; b < B; ++b)
            if (std::abs(z1(i, b)) < 0.05f) kink[static_cast<std::size_t>(i)] = any_kink = true;
    auto skip = [&](std::size_t t, Eigen::Index k) {
        if (t == 0) return static_cast<bool>(kink[static_cast<std::size_t>(k % d)]);  // D1 is d x u, column-major
        if (t == 1) return static_cast<bool>(kink[static_cast<std::size_t>(k)]);
        if (t == 2) return any_kink;
        return false;
    };
    const auto params = hd.params();
    const auto sizes = hd.sizes();
    const float eps = 2e-3f;
    double worst = 0;
    for (std::size_t t = 0; t < params.size(); ++t)
        for (Eigen::Index k = 0; k < sizes[t]; ++k) {
            if (skip(t, k)) continue;
            float& p = params[t][k];
            const float keep = p;
            p = keep + eps;
            const double lp = head_loss(hd, A, T, m1, m2, delta, nullptr);
            p = keep - eps;
            const double lm = head_loss(hd, A, T, m1, m2, delta, nullptr);
            p = keep;
            const double num = (lp - lm) / (2.0 * eps), an = grads[t][k];
            worst = std::max(worst, std::abs(num - an) / std::max(std::abs(num) + std::abs(an), 1e-2));
        }
    return worst;
}

}  // namespace detail

}  // namespace stockcast::train

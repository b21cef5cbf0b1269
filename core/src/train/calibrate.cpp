// Calibration helpers shared by the pipeline and fine-tuning (no file access: also in the
// WebAssembly trainer): the general network specialised to one stock, split-conformal bounds.
#include <algorithm>
#include <cmath>

#include "stockcast/train.hpp"

namespace stockcast::train {

namespace {

double quantile_sorted(const std::vector<double>& v, double q) {
    // the ceil((n+1)q)-th smallest (1-based), clamped: split-conformal finite-sample rule
    const std::size_t n = v.size();
    if (n == 0) return 0;
    double k = std::ceil((static_cast<double>(n) + 1) * q - 1e-9);
    if (q < 0.5) k = std::floor((static_cast<double>(n) + 1) * q + 1e-9);  // symmetric rule for lower tail
    const std::size_t idx = static_cast<std::size_t>(std::clamp(k, 1.0, static_cast<double>(n))) - 1;
    return v[idx];
}

}  // namespace

Result<nn::Network> specialise_general(const Model& g, int id) {
    const nn::Architecture& ga = g.net.arch;
    if (!ga.has_embedding()) return make_error(ErrorCode::invalid_input, "init model is not a general model");
    if (id < -1 || id >= ga.embedding_count) return make_error(ErrorCode::invalid_input, "stock id out of range");
    nn::Architecture a = ga;
    a.embedding_count = 0;
    a.embedding_dim = 0;
    nn::Network n = nn::Network::zeros(a);
    n.lstm = g.net.lstm;
    const int u = ga.lstm_units.back();
    Eigen::RowVectorXf e(ga.embedding_dim);
    if (id >= 0)
        e = g.net.embedding.row(id);
    else
        e = g.net.embedding.colwise().mean();
    n.dense1.kernel = g.net.dense1.kernel.topRows(u);
    n.dense1.bias = g.net.dense1.bias + (e * g.net.dense1.kernel.bottomRows(ga.embedding_dim)).transpose();
    n.dense1.activation = g.net.dense1.activation;
    n.dense2 = g.net.dense2;
    return n;
}

std::pair<std::vector<double>, std::vector<double>> conformal_bounds(std::vector<double> residuals,
                                                                     const std::vector<double>& levels) {
    std::sort(residuals.begin(), residuals.end());
    std::vector<double> lo, hi;
    for (double L : levels) {
        lo.push_back(quantile_sorted(residuals, (1 - L) / 2));
        hi.push_back(quantile_sorted(residuals, (1 + L) / 2));
    }
    return {lo, hi};
}


SeriesCalibration calibrate_series(const std::vector<int>& horizons, const std::vector<double>& target_scale,
                                   const std::vector<float>& y, const std::vector<double>& actual,
                                   const std::vector<double>& vol) {
    SeriesCalibration c;
    const std::size_t H = horizons.size();
    const std::size_t n = vol.size();
    c.output.horizons = horizons;
    c.output.scale.assign(H, 1.0f);
    for (std::size_t h = 0; h < H; ++h) {
        auto mape = [&](double alpha) {
            double sum = 0;
            for (std::size_t i = 0; i < n; ++i)
                sum += std::abs(std::exp(alpha * target_scale[h] * y[i * H + h] - actual[i * H + h]) - 1.0);
            return n ? 100.0 * sum / static_cast<double>(n) : 0.0;
        };
        // the pipeline's grid and tie rule (train_model, stock-specific case)
        double best_alpha = 1.0, best = mape(1.0);
        for (int a = 0; a < 20; ++a) {
            const double alpha = a / 20.0;
            const double m = mape(alpha);
            if (m < best - 1e-12) {
                best = m;
                best_alpha = alpha;
            }
        }
        const double raw = mape(1.0);
        double naive = 0;
        for (std::size_t i = 0; i < n; ++i) naive += std::abs(std::exp(-actual[i * H + h]) - 1.0);
        naive = n ? 100.0 * naive / static_cast<double>(n) : 0.0;
        c.output.scale[h] = static_cast<float>(target_scale[h] * best_alpha);
        const double sq = std::sqrt(static_cast<double>(horizons[h]));
        std::vector<double> resid(n);
        for (std::size_t i = 0; i < n; ++i)
            resid[i] = (actual[i * H + h] - static_cast<double>(c.output.scale[h]) * y[i * H + h]) / (vol[i] * sq);
        auto [lo, hi] = conformal_bounds(resid, c.intervals.levels);
        c.intervals.lower.push_back(lo);
        c.intervals.upper.push_back(hi);
        // Honest coverage of the 90 % band: bounds from one half of the held-out windows
        // (chronological halves) checked on the other half, both ways.
        std::size_t inside = 0;
        const std::size_t half = n / 2;
        for (int fold = 0; fold < 2; ++fold) {
            const std::vector<double> cal(fold == 0 ? resid.begin() : resid.begin() + static_cast<std::ptrdiff_t>(half),
                                          fold == 0 ? resid.begin() + static_cast<std::ptrdiff_t>(half) : resid.end());
            const auto b = conformal_bounds(cal, {0.9});
            for (std::size_t i = (fold == 0 ? half : 0); i < (fold == 0 ? n : half); ++i)
                if (resid[i] >= b.first[0] && resid[i] <= b.second[0]) ++inside;
        }
        const double coverage = n ? static_cast<double>(inside) / static_cast<double>(n) : 0.0;
        Json e;
        e["val_mape"] = best;
        e["val_mape_unshrunk"] = raw;
        e["val_naive_mape"] = naive;
        e["shrink"] = best_alpha;
        e["coverage90_crossfit"] = coverage;
        c.validation[std::to_string(horizons[h]) + "d"] = e;
        c.mean_val_mape += best / static_cast<double>(H);
        c.mean_naive_mape += naive / static_cast<double>(H);
        c.mean_coverage90 += coverage / static_cast<double>(H);
    }
    return c;
}

}  // namespace stockcast::train

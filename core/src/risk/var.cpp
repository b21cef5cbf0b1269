#include "stockcast/risk/var.hpp"

#include <algorithm>
#include <cmath>

namespace stockcast::risk {

Result<VarEstimate> historical_var(VecRef r, double level, int horizon) {
    if (!(level > 0.5 && level < 1))
        return make_error(ErrorCode::invalid_input, "VaR level: expected a value in (0.5, 1), got " + number_text(level));
    if (horizon < 1) return make_error(ErrorCode::invalid_input, "VaR horizon: expected >= 1 day, got " + std::to_string(horizon));
    const Eigen::Index m = r.size() - horizon + 1;
    if (m < 50)
        return make_error(ErrorCode::insufficient_history, "historical VaR (" + std::to_string(horizon) + " days): requires " +
                                                               std::to_string(49 + horizon) + " returns, provided " + std::to_string(r.size()));
    // Overlapping horizon sums through a running sum.
    Vec sums(m);
    double s = r.head(horizon).sum();
    for (Eigen::Index i = 0; i < m; ++i) {
        if (i > 0) s += r[i + horizon - 1] - r[i - 1];
        sums[i] = s;
    }
    std::sort(sums.data(), sums.data() + m);
    const double q = quantile_sorted(sums, 1 - level);
    double tail = 0;
    Eigen::Index k = 0;
    for (; k < m && sums[k] <= q; ++k) tail += 1 - std::exp(sums[k]);
    // k >= 1: q lies between the smallest sums, so at least the smallest is <= q.
    return VarEstimate{"historical", level, horizon, 1 - std::exp(q), tail / static_cast<double>(std::max<Eigen::Index>(k, 1))};
}

VarEstimate normal_var(std::string method, double m, double s, double level, int horizon) {
    const double p = 1 - level;
    const double z = normal_quantile(p);
    const double var = 1 - std::exp(m + s * z);
    const double es = 1 - std::exp(m + 0.5 * s * s) * normal_cdf(z - s) / p;
    return VarEstimate{std::move(method), level, horizon, var, es};
}

Result<std::vector<VarEstimate>> value_at_risk(VecRef r, const VolatilityModel* vol, const std::vector<double>& levels,
                                               const std::vector<int>& horizons) {
    if (!r.allFinite()) return make_error(ErrorCode::invalid_input, "VaR: returns must be finite");
    std::vector<VarEstimate> out;
    const double mu = mean(r), sigma = sample_std(r);
    for (int h : horizons)
        for (double level : levels) {
            auto hist = historical_var(r, level, h);
            if (!hist) return hist.error();
            out.push_back(hist.value());
            const double hd = static_cast<double>(h);
            out.push_back(normal_var("parametric", mu * hd, sigma * std::sqrt(hd), level, h));
            if (vol)
                for (const VolForecast& f : vol->forecasts)
                    if (f.horizon == h) out.push_back(normal_var("garch", vol->mean * hd, f.cumulative, level, h));
        }
    return out;
}

}  // namespace stockcast::risk

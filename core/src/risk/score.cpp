#include "stockcast/risk/score.hpp"

#include <algorithm>
#include <cmath>

#include "stockcast/risk/stats.hpp"

namespace stockcast::risk {
namespace {

// x rounded to `decimals` places, for messages (printf-free: see number_text).
std::string fmt(double x, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return number_text(std::round(x * scale) / scale);
}

double capped(double scale, double raw) { return std::min(100.0, scale * raw); }

}  // namespace

const char* risk_level(double score) {
    if (score < 25) return "low";
    if (score < 50) return "medium";
    if (score < 75) return "high";
    return "extreme";
}

Result<RiskScore> risk_score(const PriceSeries& s, const std::vector<PriceEvent>& events, const ScoreOptions& o) {
    if (o.window < 3 || o.swing_window < 2 || o.swing_window > o.window)
        return make_error(ErrorCode::invalid_input, "score options: expected 2 <= swing_window <= window and window >= 3, got window " +
                                                        std::to_string(o.window) + ", swing_window " + std::to_string(o.swing_window));
    const auto n = static_cast<Eigen::Index>(s.size());
    const Eigen::Index w = o.window;
    if (n < w)
        return make_error(ErrorCode::insufficient_history, "risk score: requires " + std::to_string(w) + " closes, provided " + std::to_string(n));

    const Eigen::Map<const Vec> all_close(s.close.data(), n);
    const Vec close = all_close.tail(w);
    RiskScore out;

    // Volatility, as the original service defined it: np.std(prices[-30:]) / np.mean(prices[-30:]),
    // i.e. the population standard deviation (divisor n) of the window's closes over their mean.
    const double vol = population_std(close) / close.mean();
    out.factors.push_back({"volatility", vol, capped(200, vol), 0.4, true});

    // Price swing, as the original: (max - min) / mean of the last swing_window (7) closes.
    const auto last_rows = close.tail(o.swing_window);
    const double swing = (last_rows.maxCoeff() - last_rows.minCoeff()) / last_rows.mean();
    out.factors.push_back({"price_swing", swing, capped(150, swing), 0.3, true});

    // Extra measure (no weight): the widest swing over any swing_window consecutive rows in the window.
    for (Eigen::Index k = 0; k + o.swing_window <= w; ++k) {
        const auto seg = close.segment(k, o.swing_window);
        out.max_rolling_swing = std::max(out.max_rolling_swing, (seg.maxCoeff() - seg.minCoeff()) / seg.mean());
    }

    // Volume volatility: coefficient of variation of the window's volumes. With no trade at all the
    // ratio is 0/0; we use its supremum sqrt(window) (one trading day among zeros), i.e. score 100.
    bool has_volume = s.volume.size() == s.size();
    Vec volume;
    if (has_volume) {
        volume = Eigen::Map<const Vec>(s.volume.data(), n).tail(w);
        has_volume = volume.allFinite();
    }
    if (has_volume) {
        const double m = volume.mean();
        const double cv = m > 0 ? sample_std(volume) / m : std::sqrt(static_cast<double>(w));
        out.factors.push_back({"volume_volatility", cv, capped(50, cv), 0.2, true});
    } else {
        out.factors.push_back({"volume_volatility", 0, 0, 0.2, false});
    }

    // Trend strength: |least-squares slope| of log close per row, times the window length,
    // i.e. the log move the straight-line trend implies over the window.
    const Vec t = Vec::LinSpaced(w, 0, static_cast<double>(w - 1)).array() - static_cast<double>(w - 1) / 2;
    const Vec y = close.array().log();
    const double slope = t.dot(y.array().matrix() - Vec::Constant(w, y.mean())) / t.squaredNorm();
    const double trend = std::abs(slope) * static_cast<double>(w);
    out.factors.push_back({"trend_strength", trend, capped(500, trend), 0.1, true});

    double wsum = 0, total = 0;
    for (const RiskFactor& f : out.factors)
        if (f.available) { wsum += f.weight; total += f.weight * f.score; }
    out.total = total / wsum;  // wsum >= 0.8: volatility, swing and trend are always available
    out.level = risk_level(out.total);

    // Warnings.
    if (has_volume) {
        const double zero_share = static_cast<double>((volume.array() == 0).count()) / static_cast<double>(w);
        if (zero_share > o.thin_trading_threshold)
            out.warnings.push_back({"thin_trading", "no trades on " + fmt(100 * zero_share, 1) + "% of the last " + std::to_string(w) +
                                                        " days; prices may be stale and risk understated",
                                    zero_share, o.thin_trading_threshold});
    }
    const std::string& first = s.dates[static_cast<std::size_t>(n - w)];
    const std::string& last = s.dates.back();
    for (const PriceEvent& e : events) {
        if (e.symbol != s.symbol || e.date < first || e.date > last) continue;
        out.warnings.push_back({"recent_jump", "price jump on " + e.date + " (log return " + fmt(e.log_return, 4) +
                                                   "): possible split, bonus issue or data error" + (e.note.empty() ? "" : "; " + e.note),
                                e.log_return, 0});
    }
    const Vec r = adjusted_log_returns(s, events);
    if (r.size() >= o.regime_long_window && o.regime_long_window >= w) {
        const double recent = sample_std(r.tail(w));
        const double year = sample_std(r.tail(o.regime_long_window));
        const double ratio = year > 0 ? recent / year : 1.0;  // year == 0 implies recent == 0: no change
        if (ratio > o.regime_ratio_threshold)
            out.warnings.push_back({"volatility_regime_change", "volatility of the last " + std::to_string(w) + " returns is " + fmt(ratio, 2) +
                                                                    "x its one-year level",
                                    ratio, o.regime_ratio_threshold});
    }
    return out;
}

}  // namespace stockcast::risk

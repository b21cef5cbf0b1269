#include "stockcast/risk/indicators.hpp"

#include <cmath>

namespace stockcast::risk {

Result<IndicatorSeries> ema(VecRef x, int n, bool wilder) {
    if (n < 1) return make_error(ErrorCode::invalid_input, "EMA period: expected >= 1, got " + std::to_string(n));
    if (x.size() < n)
        return make_error(ErrorCode::insufficient_history, "EMA(" + std::to_string(n) + "): requires " + std::to_string(n) +
                                                               " values, provided " + std::to_string(x.size()));
    const double a = wilder ? 1.0 / n : 2.0 / (n + 1);
    IndicatorSeries out;
    out.offset = static_cast<std::size_t>(n - 1);
    out.values.resize(x.size() - n + 1);
    out.values[0] = x.head(n).mean();
    for (Eigen::Index i = 1; i < out.values.size(); ++i) out.values[i] = a * x[n - 1 + i] + (1 - a) * out.values[i - 1];
    return out;
}

Result<IndicatorSeries> rsi(VecRef close, int n) {
    if (n < 1) return make_error(ErrorCode::invalid_input, "RSI period: expected >= 1, got " + std::to_string(n));
    if (close.size() < n + 1)
        return make_error(ErrorCode::insufficient_history, "RSI(" + std::to_string(n) + "): requires " + std::to_string(n + 1) +
                                                               " closes, provided " + std::to_string(close.size()));
    const Vec moves = close.tail(close.size() - 1) - close.head(close.size() - 1);
    auto up = ema(moves.cwiseMax(0.0), n, true);
    auto dn = ema((-moves).cwiseMax(0.0), n, true);
    if (!up) return up.error();
    if (!dn) return dn.error();
    IndicatorSeries out;
    out.offset = up.value().offset + 1;  // moves[i] ends at close[i + 1]
    const Vec& u = up.value().values;
    const Vec& d = dn.value().values;
    out.values.resize(u.size());
    for (Eigen::Index i = 0; i < u.size(); ++i) out.values[i] = u[i] + d[i] > 0 ? 100 * u[i] / (u[i] + d[i]) : 50.0;
    return out;
}

Result<MacdSeries> macd(VecRef close, int fast, int slow, int signal) {
    if (fast < 1 || slow <= fast || signal < 1)
        return make_error(ErrorCode::invalid_input, "MACD periods: expected 1 <= fast < slow and signal >= 1, got " + std::to_string(fast) +
                                                        ", " + std::to_string(slow) + ", " + std::to_string(signal));
    if (close.size() < slow + signal - 1)
        return make_error(ErrorCode::insufficient_history, "MACD(" + std::to_string(fast) + "," + std::to_string(slow) + "," +
                                                               std::to_string(signal) + "): requires " + std::to_string(slow + signal - 1) +
                                                               " closes, provided " + std::to_string(close.size()));
    auto f = ema(close, fast);
    auto s = ema(close, slow);
    if (!f) return f.error();
    if (!s) return s.error();
    MacdSeries out;
    out.macd.offset = s.value().offset;
    out.macd.values = f.value().values.tail(s.value().values.size()) - s.value().values;
    auto sig = ema(out.macd.values, signal);
    if (!sig) return sig.error();
    out.signal.offset = out.macd.offset + sig.value().offset;
    out.signal.values = std::move(sig.value().values);
    return out;
}

Result<VolumeTrend> volume_trend(const std::vector<double>& volume, int recent, int previous, double up, double down) {
    if (recent < 1 || previous < 1 || !(up >= 1) || !(down <= 1) || !(down >= 0))
        return make_error(ErrorCode::invalid_input, "volume trend: expected recent, previous >= 1 and 0 <= down <= 1 <= up");
    const int need = recent + previous;
    if (static_cast<int>(volume.size()) < need)
        return make_error(ErrorCode::insufficient_history, "volume trend: requires " + std::to_string(need) + " volumes, provided " +
                                                               std::to_string(volume.size()));
    VolumeTrend out;
    const Eigen::Map<const Vec> v(volume.data(), static_cast<Eigen::Index>(volume.size()));
    const Vec tail = v.tail(need);
    if (!tail.allFinite()) return out;  // an index or missing volumes: "unknown"
    out.recent_mean = tail.tail(recent).mean();
    out.previous_mean = tail.head(previous).mean();
    if (out.previous_mean > 0) {
        out.ratio = out.recent_mean / out.previous_mean;
        out.label = *out.ratio > up ? "increasing" : *out.ratio < down ? "decreasing" : "flat";
    } else {
        out.label = out.recent_mean > 0 ? "increasing" : "flat";
    }
    return out;
}

Result<Indicators> indicators(const PriceSeries& s) {
    const Eigen::Map<const Vec> close(s.close.data(), static_cast<Eigen::Index>(s.close.size()));
    auto r = rsi(close, 14);
    if (!r) return r.error();
    auto m = macd(close, 12, 26, 9);
    if (!m) return m.error();
    Indicators out;
    const Vec& rv = r.value().values;
    out.rsi = rv[rv.size() - 1];
    out.rsi_label = out.rsi > 70 ? "overbought" : out.rsi < 30 ? "oversold" : "neutral";
    const Vec& mv = m.value().macd.values;
    const Vec& sv = m.value().signal.values;
    out.macd = mv[mv.size() - 1];
    out.signal = sv[sv.size() - 1];
    out.histogram = out.macd - out.signal;
    // Below rounding noise relative to the price (flat prices) the lines are equal.
    const double tie = 1e-10 * close[close.size() - 1];
    out.macd_label = out.histogram > tie ? "bullish" : out.histogram < -tie ? "bearish" : "neutral";
    if (s.volume.size() == s.close.size()) {
        auto vt = volume_trend(s.volume);
        if (vt) out.volume = vt.value();  // too short for the trend: stays "unknown"
    }
    return out;
}

}  // namespace stockcast::risk

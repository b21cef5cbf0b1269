#include "stockcast/forecast.hpp"

#include "stockcast/normal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace stockcast {

namespace {

int level_index(const IntervalSpec& iv, double level) {
    for (std::size_t k = 0; k < iv.levels.size(); ++k)
        if (std::abs(iv.levels[k] - level) < 1e-9) return static_cast<int>(k);
    return -1;
}

// The half-width of "neutral" at a horizon: the band grows like a random walk's spread.
double neutral_tau(const ForecastOptions& o, int horizon) { return o.neutral_band * std::sqrt(static_cast<double>(horizon)); }

}  // namespace

const char* realised_direction(double last_close, double actual, int horizon, const ForecastOptions& options) {
    return direction_label(std::log(actual / last_close), neutral_tau(options, horizon));
}

const char* direction_label(double r, double tau) {
    if (r > tau) return "bullish";
    if (r < -tau) return "bearish";
    return "neutral";
}

DirectionProbabilities direction_probabilities(double r, double tau, double s_lo, double s_hi) {
    s_lo = std::max(s_lo, 1e-12);
    s_hi = std::max(s_hi, 1e-12);
    tau = std::max(tau, 0.0);
    auto cdf = [&](double x) {  // P(R < x), R = r + e, e split normal with median 0
        const double e = x - r;
        return e < 0 ? normal_cdf(e / s_lo) : normal_cdf(e / s_hi);
    };
    DirectionProbabilities p{};
    p.bearish = cdf(-tau);
    p.bullish = 1.0 - cdf(tau);
    p.neutral = std::max(0.0, 1.0 - p.bearish - p.bullish);
    const double sum = p.bearish + p.neutral + p.bullish;
    p.bearish /= sum;
    p.neutral /= sum;
    p.bullish /= sum;
    return p;
}

Status validate_forecast_model(const Model& m) {
    const std::size_t H = m.output.horizons.size();
    if (H == 0 || static_cast<int>(H) != m.net.arch.outputs || m.output.scale.size() != H)
        return make_error(ErrorCode::bad_header, {"output: horizons ", H, ", scales ", m.output.scale.size(), ", network outputs ", m.net.arch.outputs, " must agree"});
    for (std::size_t h = 0; h < H; ++h) {
        if (m.output.horizons[h] < 1) return make_error(ErrorCode::bad_header, "output.horizons must be >= 1");
        if (!std::isfinite(m.output.scale[h])) return make_error(ErrorCode::non_finite, "output.scale not finite");
    }
    const IntervalSpec& iv = m.intervals;
    if (iv.levels.empty() || iv.lower.size() != H || iv.upper.size() != H)
        return make_error(ErrorCode::bad_header, {"intervals: need lower/upper for each of ", H, " horizons"});
    for (std::size_t h = 0; h < H; ++h) {
        if (iv.lower[h].size() != iv.levels.size() || iv.upper[h].size() != iv.levels.size())
            return make_error(ErrorCode::bad_header, "intervals: one bound per level expected");
        for (std::size_t k = 0; k < iv.levels.size(); ++k)
            if (!std::isfinite(iv.lower[h][k]) || !std::isfinite(iv.upper[h][k]) || iv.lower[h][k] > iv.upper[h][k])
                return make_error(ErrorCode::bad_header, "intervals: bounds must be finite with lower <= upper");
    }
    for (double l : iv.levels)
        if (!(l > 0 && l < 1)) return make_error(ErrorCode::bad_header, "intervals.levels must lie in (0, 1)");
    if (Status s = validate_input_spec(m.input); !s) return s.error();
    if (static_cast<int>(m.input.features.size()) != m.net.arch.features)
        return make_error(ErrorCode::bad_header, "input.features count differs from the network's features");
    return Ok{};
}

bool interval_volatility_scaled(const Model& m) { return m.calibration.volatility_scaled; }

std::vector<double> output_scale_for(const Model& m, int stock_id) {
    const auto& table = m.calibration.stock_output_scale;
    if (stock_id >= 0 && static_cast<std::size_t>(stock_id) < table.size()) return table[static_cast<std::size_t>(stock_id)];
    return std::vector<double>(m.output.scale.begin(), m.output.scale.end());
}

std::vector<double> interval_scale_for(const Model& m, int stock_id) {
    const auto& table = m.calibration.stock_interval_scale;
    if (stock_id >= 0 && static_cast<std::size_t>(stock_id) < table.size()) return table[static_cast<std::size_t>(stock_id)];
    return std::vector<double>(m.output.horizons.size(), 1.0);
}

Result<Forecast> forecast_from_output(const Model& m, int stock_id, double last_close, const float* y,
                                      double volatility, const ForecastOptions& o) {
    if (Status s = validate_forecast_model(m); !s) return s.error();
    const bool scaled = interval_volatility_scaled(m);
    if (scaled && (!std::isfinite(volatility) || volatility <= 0))
        return make_error(ErrorCode::invalid_input, "volatility must be finite and > 0");
    if (!std::isfinite(last_close) || last_close <= 0)
        return make_error(ErrorCode::invalid_input, "last close must be a finite price > 0");
    const int li = level_index(m.intervals, o.level);
    if (li < 0) {
        std::string lv;
        for (double l : m.intervals.levels) lv += (lv.empty() ? "" : ", ") + number_text(l);
        return input_error("level", {o.level, " is not among the model's levels (", lv, ")"});
    }
    if (!std::isfinite(o.neutral_band) || o.neutral_band < 0)
        return make_error(ErrorCode::invalid_input, "neutral_band must be finite and >= 0");
    // scales of the split normal: from the 0.9 level, else the widest stored level
    int di = level_index(m.intervals, 0.9);
    if (di < 0)
        di = static_cast<int>(std::max_element(m.intervals.levels.begin(), m.intervals.levels.end()) -
                              m.intervals.levels.begin());
    const double z = normal_quantile(0.5 + m.intervals.levels[static_cast<std::size_t>(di)] / 2);
    const std::vector<double> scale = output_scale_for(m, stock_id);
    const std::vector<double> width = interval_scale_for(m, stock_id);
    Forecast f;
    f.last_close = last_close;
    for (std::size_t h = 0; h < m.output.horizons.size(); ++h) {
        if (!std::isfinite(y[h])) return make_error(ErrorCode::non_finite, "network output is not finite");
        HorizonForecast hf;
        hf.horizon = m.output.horizons[h];
        hf.log_return = scale[h] * static_cast<double>(y[h]);
        hf.expected_return = std::expm1(hf.log_return);
        hf.price = last_close * std::exp(hf.log_return);
        hf.level = m.intervals.levels[static_cast<std::size_t>(li)];
        const double k = (scaled ? volatility * std::sqrt(static_cast<double>(hf.horizon)) : 1.0) * width[h];
        hf.lower = last_close * std::exp(hf.log_return + k * m.intervals.lower[h][static_cast<std::size_t>(li)]);
        hf.upper = last_close * std::exp(hf.log_return + k * m.intervals.upper[h][static_cast<std::size_t>(li)]);
        const double s_lo = -k * m.intervals.lower[h][static_cast<std::size_t>(di)] / z;
        const double s_hi = k * m.intervals.upper[h][static_cast<std::size_t>(di)] / z;
        const double tau = neutral_tau(o, hf.horizon);
        const DirectionProbabilities p = direction_probabilities(hf.log_return, tau, s_lo, s_hi);
        hf.p_bearish = p.bearish;
        hf.p_neutral = p.neutral;
        hf.p_bullish = p.bullish;
        hf.direction = direction_label(hf.log_return, tau);
        hf.confidence_score = confidence_score(hf);
        f.horizons.push_back(hf);
    }
    return f;
}

Result<std::vector<Result<Forecast>>> forecast_batch(const Model& m, const std::vector<int>& stock_ids,
                                                     const std::vector<HistoryView>& histories,
                                                     const ForecastOptions& o) {
    if (Status s = validate_forecast_model(m); !s) return s.error();
    if (level_index(m.intervals, o.level) < 0 || !std::isfinite(o.neutral_band) || o.neutral_band < 0) {
        const float zeros[nn::kMaxOutputs] = {};
        auto probe = forecast_from_output(m, -1, 1.0, zeros, 1.0, o);  // produces the descriptive error
        if (!probe) return probe.error();
    }
    if (m.net.arch.has_embedding() && stock_ids.size() != histories.size())
        return make_error(ErrorCode::invalid_input, {"stock_ids: ", stock_ids.size(), " entries for ", histories.size(), " histories"});
    if (histories.size() > static_cast<std::size_t>(nn::kMaxBatch))
        return make_error(ErrorCode::invalid_input, "too many histories in one batch");
    const std::size_t wx = static_cast<std::size_t>(m.net.arch.window) * m.net.arch.features;
    const int H = m.net.arch.outputs;
    std::vector<Result<Forecast>> out;
    out.reserve(histories.size());
    std::vector<float> x;
    std::vector<int> ids, slot;
    std::vector<float> window(wx);
    for (std::size_t i = 0; i < histories.size(); ++i) {
        Status s = build_window(m.input, m.net.arch.window, histories[i], window.data());
        if (s && m.net.arch.has_embedding() && (stock_ids[i] < -1 || stock_ids[i] >= m.net.arch.embedding_count))
            s = make_error(ErrorCode::invalid_input, {"stock id ", stock_ids[i], " out of range"});
        if (!s) {
            out.emplace_back(s.error());
            continue;
        }
        out.emplace_back(Forecast{});
        x.insert(x.end(), window.begin(), window.end());
        if (m.net.arch.has_embedding()) ids.push_back(stock_ids[i]);
        slot.push_back(static_cast<int>(i));
    }
    if (slot.empty()) return out;
    std::vector<float> y(slot.size() * static_cast<std::size_t>(H));
    // Scratch reused across calls (grows to the largest batch seen, per thread): a fresh one per
    // call cost ~15 % of a single prediction in zero-filling and allocation. The WebAssembly
    // modules are single-threaded, and thread_local there would need the atomics feature.
#if defined(__EMSCRIPTEN__)
    static nn::Workspace ws;
#else
    thread_local nn::Workspace ws;
#endif
    if (Status s = m.net.forward(x.data(), ids.empty() ? nullptr : ids.data(), static_cast<int>(slot.size()),
                                 y.data(), ws);
        !s)
        return s.error();
    for (std::size_t j = 0; j < slot.size(); ++j) {
        const HistoryView& h = histories[static_cast<std::size_t>(slot[j])];
        out[static_cast<std::size_t>(slot[j])] =
            forecast_from_output(m, ids.empty() ? -1 : ids[j], h.close[h.size - 1],
                                 y.data() + j * static_cast<std::size_t>(H),
                                 window_volatility(h.close, h.size - 1, m.net.arch.window), o);
    }
    return out;
}

Result<Forecast> forecast(const Model& m, int stock_id, const HistoryView& history, const ForecastOptions& o) {
    auto r = forecast_batch(m, std::vector<int>{stock_id}, std::vector<HistoryView>{history}, o);
    if (!r) return r.error();
    return std::move(r.value()[0]);
}

double confidence_score(const HorizonForecast& f) {
    const double p_max = std::max({f.p_bearish, f.p_neutral, f.p_bullish});
    const double d = std::clamp((p_max - 1.0 / 3.0) / (2.0 / 3.0), 0.0, 1.0);
    const double rel_width = (f.upper - f.lower) / f.price;
    if (!std::isfinite(d) || !std::isfinite(rel_width) || f.price <= 0) return 0;
    const double t = 1.0 / (1.0 + std::max(0.0, rel_width));
    return (d + t) / 2;
}

double past_return(const std::vector<double>& closes, int days) {
    if (days < 1 || closes.size() < static_cast<std::size_t>(days) + 1) return std::numeric_limits<double>::quiet_NaN();
    const double then = closes[closes.size() - 1 - static_cast<std::size_t>(days)];
    return closes.back() / then - 1;
}

}  // namespace stockcast

// Forecasts from a Model and a price history: the single home of the formulas.
//
// Per horizon h (trading days):
//   log_return  r = OutputSpec.scale[h] * y[h]           (y = network output; the scale folds in
//                                                         the shrinkage toward "no change")
//               General models may carry per-stock shrinkage chosen on validation:
//               meta.metrics["stock_shrink"][symbol] = [a_1..a_H] with a in [0, 1]; for a known stock
//               id listed there r = metrics["target_scale"][h] * a_h * y[h] instead (unseen stocks,
//               id -1, keep OutputSpec.scale).
//   price       = last close * exp(r)
//   interval    = last close * exp(r + q * k), q = IntervalSpec lower/upper conformal residual
//                 quantiles at the requested level (one of IntervalSpec.levels, e.g. 0.8/0.9/0.95);
//                 k = 1 for absolute quantiles; for models whose meta.metrics["interval_scaling"]
//                 is {"kind": "window_volatility", ...} the quantiles are of normalised residuals
//                 (actual - predicted) / (sigma * sqrt(h)) and k = sigma * sqrt(h), where sigma is
//                 window_volatility() of the input window (features.hpp): intervals widen with
//                 the stock's own recent volatility (locally adaptive split-conformal).
//                 General models may also carry meta.metrics["stock_interval_scale"][symbol] =
//                 [c_1..c_H]: the width of that stock's own validation residual band relative to
//                 the pooled one; for a listed stock k is multiplied by c_h (unseen stocks: 1).
//   direction   the predictive distribution of the realised log return is a split normal with
//               median r: left scale  s_lo = -k lower90 / 1.6449, right scale s_hi = k upper90 / 1.6449
//               (from the stored 90 % conformal quantiles, so it matches them exactly; without a
//               0.9 level the widest stored level is used with its own z). With the neutral band
//               tau_h = neutral_band * sqrt(h):
//                 p_bearish = P(R < -tau), p_bullish = P(R > tau), p_neutral = 1 - both;
//               direction = the class of the median r itself: bullish if r > tau, bearish if
//               r < -tau, else neutral (so a realised return can be scored against it directly).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/features.hpp"
#include "stockcast/model.hpp"
#include "stockcast/nn.hpp"

namespace stockcast {

struct ForecastOptions {
    double level = 0.9;          // interval level; must be one of the model's IntervalSpec.levels
    double neutral_band = 0.005; // per-day log-return half-width of "neutral"; scaled by sqrt(h)
};

struct HorizonForecast {
    int horizon = 0;             // trading days
    double log_return = 0;       // predicted log return to the horizon
    double expected_return = 0;  // exp(log_return) - 1
    double price = 0;            // last close * exp(log_return)
    double lower = 0, upper = 0; // interval prices at `level`
    double level = 0;
    std::string direction;       // "bearish" | "neutral" | "bullish"
    double p_bearish = 0, p_neutral = 0, p_bullish = 0;  // sum to 1
    double confidence_score = 0; // in [0, 1]: see confidence_score() below
};

// How much a horizon's forecast commits, in [0, 1] (docs/package.md, "confidenceScore"): the mean
// of the direction certainty d = (max(p_bearish, p_neutral, p_bullish) - 1/3) / (2/3) (0 for an
// even three-way split, 1 for a certain direction) and the interval tightness
// t = 1 / (1 + (upper - lower) / price) (1 for a point forecast; 0.5 when the interval is as wide
// as the price itself). Uses only the fields above; 0 when they are not finite.
double confidence_score(const HorizonForecast& f);

// The simple return over the last `days` rows: close[n-1] / close[n-1-days] - 1 (the package's
// pastMonthReturn uses days = 21 trading days). NaN when fewer than days + 1 closes or days < 1.
double past_return(const std::vector<double>& closes, int days);

struct Forecast {
    double last_close = 0;
    std::vector<HorizonForecast> horizons;  // in the model's OutputSpec order
};

// Validates a model's output/interval specs against its network (used by the functions below).
Status validate_forecast_model(const Model& model);

// True when the model's interval quantiles are volatility-normalised (see above).
bool interval_volatility_scaled(const Model& model);

// The factor r = factor[h] * y[h] for this stock (see the per-stock shrinkage above); H entries.
std::vector<double> output_scale_for(const Model& model, int stock_id);

// The per-stock interval width factors c_h (see above); H entries, 1 when not listed.
std::vector<double> interval_scale_for(const Model& model, int stock_id);

// Turns one row of network outputs into a forecast (no network call). `volatility` is the
// window volatility sigma (used only by volatility-scaled models).
Result<Forecast> forecast_from_output(const Model& model, int stock_id, double last_close, const float* y,
                                      double volatility, const ForecastOptions& options = {});

// One history. stock_id: embedding row for general models (Model::stock_id), -1 = unseen stock
// (neutral embedding); ignored by stock-specific models.
Result<Forecast> forecast(const Model& model, int stock_id, const HistoryView& history,
                          const ForecastOptions& options = {});

// Many histories in one network call. Histories that fail validation get their own error; the
// others are still forecast. A model-level problem (bad options, bad model) fails the whole call.
Result<std::vector<Result<Forecast>>> forecast_batch(const Model& model, const std::vector<int>& stock_ids,
                                                     const std::vector<HistoryView>& histories,
                                                     const ForecastOptions& options = {});

// The direction probabilities of the split normal above, for a predicted log return `r`,
// neutral half-width `tau` and scales s_lo, s_hi (> 0). Returns {bearish, neutral, bullish}.
struct DirectionProbabilities {
    double bearish, neutral, bullish;
};
DirectionProbabilities direction_probabilities(double r, double tau, double s_lo, double s_hi);
// "bullish" if r > tau, "bearish" if r < -tau, else "neutral".
const char* direction_label(double r, double tau);
// The class of a realised move from `last_close` to `actual` over `horizon` days, by the rule of
// a forecast's direction (tau = options.neutral_band · √horizon): what a direction is scored against.
const char* realised_direction(double last_close, double actual, int horizon, const ForecastOptions& options = {});

}  // namespace stockcast

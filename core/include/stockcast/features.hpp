// Price history -> network input window, as described by a model's InputSpec.
//
// Known feature names (InputSpec::features), each per time step t of the window, multiplied by
// its InputSpec::scale entry:
//   "log_close_rel_last"  ln(close_t / close_last): the window's closes relative to the last one;
//                         scale-free, so a price level never seen in training cannot break it.
//   "log_return"          ln(close_t / close_{t-1}): the daily log return (needs one close
//                         before the window, so the history must be window + 1 long).
//   "log_volume_rel_mean" ln((1 + volume_t) / (1 + mean volume of the window)); requires volumes
//                         (finite, >= 0).
// Histories are validated: fewer closes than required -> insufficient_history (required vs
// provided); a NaN, infinite or <= 0 close (or a bad volume when needed) -> invalid_input.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/model.hpp"

namespace stockcast {

// A read-only view of one price history (oldest first). volume may be null.
struct HistoryView {
    const double* close = nullptr;
    const double* volume = nullptr;
    std::size_t size = 0;
};

// True when `name` is a known feature.
bool is_known_feature(const std::string& name);

// Checks feature names and scales (finite, non-zero) of a spec.
Status validate_input_spec(const InputSpec& spec);

// Number of closes a history must have for this spec and window length.
std::size_t required_history(const InputSpec& spec, int window);

// Writes one window (window x features, time-major) built from the END of `history` into out.
Status build_window(const InputSpec& spec, int window, const HistoryView& history, float* out);

// Volatility of the window for interval scaling: the standard deviation (population) of the
// daily log returns among the last `window` closes of a validated history, floored at
// kMinWindowVolatility (a flat, untraded stretch still gets a non-degenerate interval).
inline constexpr double kMinWindowVolatility = 1e-3;
double window_volatility(const double* close, std::size_t last, int window);

// Unscaled feature values of the window ending at row `last` (inclusive) of a full series,
// without validation (training code that has validated the series itself). out: window x features.
void build_window_raw(const std::vector<std::string>& features, int window, const double* close,
                      const double* volume, std::size_t last, double* out);

}  // namespace stockcast

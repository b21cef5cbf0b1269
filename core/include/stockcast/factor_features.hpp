// Factor features of one trading day, computed from daily OHLCV (oldest first). The one list,
// used natively to build training rows (`stockcast factor-rows`) and in the browser to build
// inference rows (`predictFactors({symbol | history})`), so both sides compute the same numbers.
//
//   name               definition at day t                                   rows needed
//   clv                (close − low) / (high − low), clamped to [0, 1]; 0.5 when high ≤ low   1
//   log_volume_rel_20  ln((1 + volume_t) / (1 + mean volume of days t−19..t))             20
//   range_rel          (high − low) / close (0 when high ≤ low)                            1
//   ret_1              ln(close_t / close_{t−1})                                            2
//   ret_5              ln(close_t / close_{t−5})                                            6
//   ret_20             ln(close_t / close_{t−20})                                          21
//   rsi_14             100 · G / (G + L), G and L the sums of the 14 latest up and down
//                      close changes (simple averages, not Wilder's smoothing, so the value
//                      depends on 15 closes only); 50 when the closes did not move          15
//   vol_20             population standard deviation of the 20 latest daily log returns    21
//
// A history is validated over the rows a feature reads: close finite and > 0; high, low and
// volume finite and ≥ 0 (invalid_input naming the field and row); too few rows ->
// insufficient_history (required vs provided).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "stockcast/error.hpp"

namespace stockcast {

inline constexpr std::size_t kFactorHistoryRows = 21;  // rows every feature of the list needs

// A read-only view of daily bars, oldest first. high/low may be null (taken as close); volume
// may be null only when no volume feature is asked for.
struct OhlcvView {
    const double* high = nullptr;
    const double* low = nullptr;
    const double* close = nullptr;
    const double* volume = nullptr;
    std::size_t size = 0;
};

// Every known factor feature, in the documented order.
const std::vector<std::string>& factor_feature_names();
bool is_factor_feature(const std::string& name);

// The features `names` of day `t` (0-based row of `bars`), written to out[0..names.size()).
Status factor_features_at(const OhlcvView& bars, std::size_t t, const std::vector<std::string>& names, double* out);

// The features of the last row.
Result<std::vector<double>> latest_factor_features(const OhlcvView& bars, const std::vector<std::string>& names);

}  // namespace stockcast

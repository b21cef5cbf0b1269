// Technical indicators, computed exactly as R's TTR package does (see docs/risk.md):
//   EMA(n): seeded with the simple mean of the first n values, placed at index n - 1, then
//           ema_t = a x_t + (1 - a) ema_{t-1}, a = 2 / (n + 1), or 1 / n for Wilder's smoothing.
//   RSI(n): 100 * U / (U + D), U and D Wilder EMAs of the up / down close-to-close moves
//           (TTR::RSI defaults: maType "EMA", wilder = TRUE). 50 when U + D = 0 (flat prices).
//   MACD(fast, slow, signal): EMA_fast - EMA_slow of closes (TTR::MACD percent = FALSE),
//           signal = EMA_signal of the MACD line.
#pragma once

#include <optional>
#include <string>

#include "stockcast/data.hpp"
#include "stockcast/error.hpp"
#include "stockcast/risk/stats.hpp"

namespace stockcast::risk {

// values[k] belongs to input index offset + k (earlier indices are the warm-up, undefined).
struct IndicatorSeries {
    std::size_t offset = 0;
    Vec values;
};

Result<IndicatorSeries> ema(VecRef x, int n, bool wilder = false);   // needs n values
Result<IndicatorSeries> rsi(VecRef close, int n = 14);                 // needs n + 1 closes

struct MacdSeries {
    IndicatorSeries macd, signal;   // signal.offset = macd.offset + nsignal - 1
};
Result<MacdSeries> macd(VecRef close, int fast = 12, int slow = 26, int signal = 9);  // needs slow + signal - 1 closes

struct VolumeTrend {
    std::string label = "unknown";   // "increasing" | "decreasing" | "flat" | "unknown" (no volume data)
    std::optional<double> ratio;     // recent mean / previous mean; empty when the previous mean is 0
    double recent_mean = 0, previous_mean = 0;
};
// Mean volume of the last `recent` rows over the mean of the `previous` rows before them:
// ratio > up -> "increasing", < down -> "decreasing", else "flat". With no trade in the previous
// rows: "increasing" if any trade since, else "flat". NaN volumes (an index) -> "unknown".
Result<VolumeTrend> volume_trend(const std::vector<double>& volume, int recent = 10, int previous = 20, double up = 1.2,
                                 double down = 0.8);

struct Indicators {
    double rsi = 50;
    std::string rsi_label;           // "overbought" (> 70) | "oversold" (< 30) | "neutral"
    double macd = 0, signal = 0, histogram = 0;
    std::string macd_label;          // "bullish" (MACD above signal) | "bearish" (below) | "neutral"
    VolumeTrend volume;
};
// Latest values for a series; needs 34 closes (MACD(12, 26, 9)).
Result<Indicators> indicators(const PriceSeries& s);

}  // namespace stockcast::risk

// Composite risk score 0-100 with its factors, level and warnings (see docs/risk.md).
#pragma once

#include <string>
#include <vector>

#include "stockcast/data.hpp"
#include "stockcast/error.hpp"

namespace stockcast::risk {

struct ScoreOptions {
    int window = 30;                       // rows used by every factor
    int swing_window = 7;                  // last rows of the price-swing factor (the original's prices[-7:])
    double thin_trading_threshold = 0.20;  // warn when more than this share of the window has volume 0
    double regime_ratio_threshold = 1.5;   // warn when vol(last window returns) / vol(last year) exceeds this
    int regime_long_window = 252;          // returns in "one year"
};

struct RiskFactor {
    std::string name;        // "volatility", "price_swing", "volume_volatility", "trend_strength"
    double raw = 0;          // the measured value (see docs/risk.md for each definition)
    double score = 0;        // 0-100
    double weight = 0;       // nominal weight (0.4, 0.3, 0.2, 0.1)
    bool available = true;   // false when the input lacks the data (volume of an index); weight then redistributed
};

struct RiskWarning {
    std::string code;        // "thin_trading", "recent_jump", "volatility_regime_change"
    std::string message;
    double value = 0;        // the measured quantity that triggered it
    double threshold = 0;
};

struct RiskScore {
    std::vector<RiskFactor> factors;
    double total = 0;        // weighted mean of the available factors' scores, 0-100
    std::string level;       // "low" | "medium" | "high" | "extreme"
    // Not a factor (no weight): the widest (max - min) / mean over any swing_window consecutive
    // rows inside the window. It was the price_swing factor before that returned to the original's
    // definition (the last swing_window rows only); kept as a measure under its own name.
    double max_rolling_swing = 0;
    std::vector<RiskWarning> warnings;
};

// "low" (< 25), "medium" (< 50), "high" (< 75), "extreme" (>= 75).
const char* risk_level(double score);

// Needs at least options.window rows (insufficient_history otherwise). `events` may hold events of
// other symbols; only those of s.symbol count. The series is assumed valid (see check_series).
Result<RiskScore> risk_score(const PriceSeries& s, const std::vector<PriceEvent>& events, const ScoreOptions& options = {});

}  // namespace stockcast::risk

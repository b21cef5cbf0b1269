// The full risk report of one series: everything the risk engine measures, in one call.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stockcast/data.hpp"
#include "stockcast/error.hpp"
#include "stockcast/risk/drawdown.hpp"
#include "stockcast/risk/garch.hpp"
#include "stockcast/risk/indicators.hpp"
#include "stockcast/risk/market.hpp"
#include "stockcast/risk/score.hpp"
#include "stockcast/risk/var.hpp"

namespace stockcast::risk {

struct RiskOptions {
    ScoreOptions score;
    GarchOptions garch;
    int window = 1000;  // last daily returns used by GARCH, VaR and beta (about four years)
    int min_rows = 60;  // shorter series: insufficient_history
};

struct RiskReport {
    std::string symbol, last_date;
    double last_close = 0;
    int rows = 0;                          // closes supplied
    int window_returns = 0;                // returns in the GARCH / VaR window
    std::string window_first_date;         // end date of the window's first return
    std::vector<std::string> events_neutralised;  // event dates whose returns were set to 0
    RiskScore score;
    VolatilityModel volatility;
    std::vector<VarEstimate> var;
    Drawdown drawdown;                     // over the whole series, on the event-adjusted path
    std::optional<MarketStats> market;     // empty when no index was supplied or beta is undefined
    std::string market_note;               // why `market` is empty
    Indicators indicators;
};

// `market` may be null. Returns (daily log returns) ending on an event date of s.symbol are set
// to 0 everywhere returns are used (GARCH, VaR, drawdown path, beta, regime warning); the
// recent-jump warning still reports them. Errors: invalid_input (bad series or options),
// insufficient_history (fewer than options.min_rows closes).
Result<RiskReport> risk_report(const PriceSeries& s, const PriceSeries* market, const std::vector<PriceEvent>& events,
                               const RiskOptions& options = {});

}  // namespace stockcast::risk

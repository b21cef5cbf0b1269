// Beta and correlation of a stock to a market index (the NSE All-Share Index, NASI, by default).
#pragma once

#include <string>
#include <vector>

#include "stockcast/data.hpp"
#include "stockcast/error.hpp"

namespace stockcast::risk {

struct MarketStats {
    std::string index;          // the index series' symbol
    double beta = 0;            // cov(stock, index) / var(index)
    double correlation = 0;     // 0 when the stock's returns have zero variance (flat price)
    int n_returns = 0;          // aligned daily returns used
    std::string first_date, last_date;  // span of those returns (end dates)
};

// Inner join of both series by date string; log returns between consecutive common dates; the last
// `window` of them (all if window <= 0). Stock returns ending on an event date of stock.symbol are
// set to 0 (as everywhere in the engine). Errors: invalid_input (bad series), insufficient_history
// (fewer than 30 aligned returns), singular (the index does not move in the window).
Result<MarketStats> market_beta(const PriceSeries& stock, const PriceSeries& index, const std::vector<PriceEvent>& events,
                                int window = 1000);

}  // namespace stockcast::risk

// Maximum drawdown: the largest fall from a running peak to a later trough.
#pragma once

#include <string>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/risk/stats.hpp"

namespace stockcast::risk {

struct Drawdown {
    double max_drawdown = 0;       // (peak - trough) / peak, a positive fraction; 0 when prices never fall
    std::string peak_date, trough_date;
    std::string recovery_date;     // first later date back at or above the peak; empty if not recovered
    std::size_t peak_index = 0, trough_index = 0;
};

// `prices` must be > 0 with one date each (invalid_input otherwise); needs 2 values.
// Ties keep the earliest drawdown; with no fall, peak = trough = the first date.
Result<Drawdown> max_drawdown(VecRef prices, const std::vector<std::string>& dates);

}  // namespace stockcast::risk

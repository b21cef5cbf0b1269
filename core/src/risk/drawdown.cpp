#include "stockcast/risk/drawdown.hpp"

namespace stockcast::risk {

Result<Drawdown> max_drawdown(VecRef prices, const std::vector<std::string>& dates) {
    const Eigen::Index n = prices.size();
    if (n < 2) return make_error(ErrorCode::insufficient_history, "max drawdown: requires 2 prices, provided " + std::to_string(n));
    if (dates.size() != static_cast<std::size_t>(n))
        return make_error(ErrorCode::invalid_input, "max drawdown: expected " + std::to_string(n) + " dates, got " + std::to_string(dates.size()));
    if (!prices.allFinite() || prices.minCoeff() <= 0)
        return make_error(ErrorCode::invalid_input, "max drawdown: prices must be finite and > 0");
    Drawdown d;
    Eigen::Index peak = 0;
    for (Eigen::Index t = 1; t < n; ++t) {
        if (prices[t] > prices[peak]) { peak = t; continue; }
        const double dd = (prices[peak] - prices[t]) / prices[peak];
        if (dd > d.max_drawdown) {
            d.max_drawdown = dd;
            d.peak_index = static_cast<std::size_t>(peak);
            d.trough_index = static_cast<std::size_t>(t);
        }
    }
    d.peak_date = dates[d.peak_index];
    d.trough_date = dates[d.trough_index];
    if (d.max_drawdown > 0)
        for (auto t = static_cast<Eigen::Index>(d.trough_index) + 1; t < n; ++t)
            if (prices[t] >= prices[static_cast<Eigen::Index>(d.peak_index)]) { d.recovery_date = dates[static_cast<std::size_t>(t)]; break; }
    return d;
}

}  // namespace stockcast::risk

// Value at risk and expected shortfall.
//
// Sign convention: both are LOSSES AS POSITIVE FRACTIONS of the position's value over the horizon
// (0.031 = a 3.1 % loss). For a log return R over the horizon the loss is 1 - exp(R);
// VaR_c = 1 - exp(q), q the (1 - c) quantile of R; ES_c = E[1 - exp(R) | R <= q].
// A negative value means even the (1 - c) tail is a gain (a strong positive drift).
#pragma once

#include <string>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/risk/garch.hpp"
#include "stockcast/risk/stats.hpp"

namespace stockcast::risk {

struct VarEstimate {
    std::string method;   // "historical" | "parametric" | "garch"
    double level = 0;     // confidence, e.g. 0.95
    int horizon = 0;      // trading days
    double var = 0;
    double es = 0;
};

// Empirical: the horizon's log returns are the overlapping sums of `horizon` consecutive daily
// returns; quantile by linear interpolation (R type 7); ES = mean loss of the returns <= q.
// Needs at least 50 horizon returns (insufficient_history); level in (0.5, 1) (invalid_input).
Result<VarEstimate> historical_var(VecRef daily_log_returns, double level, int horizon);

// Normal horizon log return R ~ N(mu * horizon, sigma_h^2) (sigma_h = sigma * sqrt(horizon) for the
// parametric method, the GARCH cumulative forecast for the GARCH method). Closed forms:
// VaR = 1 - exp(m + s z), ES = 1 - exp(m + s^2 / 2) Phi(z - s) / (1 - level), z = Phi^-1(1 - level).
VarEstimate normal_var(std::string method, double mean_h, double sigma_h, double level, int horizon);

// Every method x level x horizon. `vol` (may be null) supplies the GARCH / EWMA cumulative
// volatility forecasts for the "garch" method; horizons missing from it are skipped.
Result<std::vector<VarEstimate>> value_at_risk(VecRef daily_log_returns, const VolatilityModel* vol,
                                               const std::vector<double>& levels = {0.95, 0.99},
                                               const std::vector<int>& horizons = {1, 10});

}  // namespace stockcast::risk

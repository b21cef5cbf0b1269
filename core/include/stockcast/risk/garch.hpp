// GARCH(1,1) volatility by Gaussian maximum likelihood, with an EWMA fallback.
//
//   e_t = r_t - mean(r)                 (daily log returns, demeaned)
//   h_t = omega + alpha e_{t-1}^2 + beta h_{t-1},  omega > 0, alpha, beta >= 0, alpha + beta < 1
//   h_1 = omega + (alpha + beta) v,  v = mean(e^2)  (pre-sample variance and squared residual = sample
//                                                   variance: fGarch's "mci" start, so likelihoods compare)
//   log L = -1/2 sum_t [ log(2 pi) + log h_t + e_t^2 / h_t ]
#pragma once

#include <string>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/risk/stats.hpp"

namespace stockcast::risk {

struct GarchParams {
    double omega = 0, alpha = 0, beta = 0;
};

struct GarchFit {
    GarchParams params;
    double log_likelihood = 0;
    int evaluations = 0;  // likelihood evaluations used
};

struct VolForecast {
    int horizon = 0;          // trading days ahead
    double daily = 0;         // sqrt of the forecast variance of day `horizon`
    double cumulative = 0;    // sqrt of the summed variances of days 1..horizon: vol of the horizon's return
    double annualized = 0;    // daily * sqrt(252)
};

struct GarchOptions {
    int min_returns = 250;        // fewer returns: EWMA instead of GARCH
    double ewma_lambda = 0.94;    // RiskMetrics daily decay
    int max_evaluations = 2000;   // likelihood evaluations allowed (real NSE fits use 200-600)
    double max_persistence = 0.9999;  // a fit with alpha + beta above this (the boundary) is not used
    std::vector<int> horizons = {1, 5, 10, 30};
};

struct VolatilityModel {
    std::string method;        // "garch" or "ewma"
    bool converged = false;    // true only for a converged GARCH fit (the one case method == "garch")
    std::string note;          // why EWMA was used; empty for GARCH
    GarchParams params;        // EWMA is reported as omega 0, alpha 1 - lambda, beta lambda
    double mean = 0;           // daily mean return removed before fitting
    double persistence = 0;    // alpha + beta
    double long_run_vol = 0;   // daily sqrt(omega / (1 - persistence)); EWMA: sample vol of the window
    double log_likelihood = 0; // Gaussian log-likelihood of the window under the model (0 when v == 0)
    int n_returns = 0;
    int evaluations = 0;
    Vec sigma;                 // in-sample conditional vol sqrt(h_t), one per return
    double next_variance = 0;  // h_{T+1}
    std::vector<VolForecast> forecasts;
};

// log L of residuals `e` under `p` (definition above); `variance` receives h_t when given.
double garch_log_likelihood(VecRef e, const GarchParams& p, Vec* variance = nullptr);

// Maximum-likelihood fit on residuals `e` (demeaned by the caller). Nelder-Mead on unconstrained
// variables (log omega/v, logit persistence, logit alpha share) from the best of 8 starting values,
// then restarted at its optimum. Errors: insufficient_history (< 10 values), invalid_input (non-finite values or
// v == 0), not_converged (evaluation budget spent).
Result<GarchFit> fit_garch(VecRef e, int max_evaluations = 2000);

// h_{T+k} = omega + (alpha + beta) h_{T+k-1} from h_{T+1} = next_variance; one entry per horizon.
std::vector<VolForecast> volatility_forecasts(const GarchParams& p, double next_variance, const std::vector<int>& horizons);

// The engine's entry point for daily log returns: GARCH when there are at least min_returns, the fit
// converges and alpha + beta <= max_persistence; else EWMA (with `note` saying why). A window with
// zero variance (constant prices) gives EWMA with every volatility 0.
// Errors: insufficient_history (< 20 returns), invalid_input (non-finite returns, bad options).
Result<VolatilityModel> fit_volatility(VecRef returns, const GarchOptions& options = {});

}  // namespace stockcast::risk

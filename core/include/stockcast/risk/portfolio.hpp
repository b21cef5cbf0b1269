// Long-only portfolio construction (weights >= 0, summing to 1) from aligned daily log returns:
// equal weight, minimum variance, maximum Sharpe and risk parity. See docs/risk.md.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "stockcast/error.hpp"
#include "stockcast/risk/stats.hpp"

namespace stockcast::risk {

struct AssetSeries {
    std::string symbol;
    std::vector<std::string> dates;      // YYYY-MM-DD, strictly increasing
    std::vector<double> close;           // > 0
    std::vector<std::string> event_dates;  // returns ending on these dates are set to 0 (splits, glitches)
};

struct PortfolioOptions {
    double risk_free_rate = 0;   // annual, same units as the expected returns
    double shrinkage = -1;       // < 0: automatic (Ledoit-Wolf-style) intensity; else fixed, in [0, 1]
    int window = 750;            // last aligned returns used (<= 0: all)
    int min_returns = 60;        // fewer aligned returns: insufficient_history
    double max_condition = 1e8;  // the shrinkage is raised until the covariance's condition number is below
    std::vector<std::string> methods = {"equal_weight", "min_variance", "max_sharpe", "risk_parity"};
};

struct CovarianceEstimate {
    Eigen::MatrixXd sample;     // sample covariance (divisor T - 1), annualised (x 252)
    Eigen::MatrixXd cov;        // (1 - s) sample + s diag(sample): what the optimisers use
    Vec mean;                   // mean daily log return x 252
    double shrinkage = 0;       // s actually used
    double shrinkage_estimate = 0;  // the automatic intensity (reported even when a fixed one is used)
    double condition_number = 1;    // of cov (largest / smallest eigenvalue)
    int n_returns = 0;
};

// Ledoit-Wolf / Schafer-Strimmer optimal intensity for shrinking the sample covariance towards its
// diagonal: sum_{i != j} Var(s_ij) / sum_{i != j} s_ij^2, clipped to [0, 1] (0 for one asset).
double diagonal_shrinkage_intensity(const Eigen::MatrixXd& returns);

// `returns` is T x n daily log returns. Errors: invalid_input (non-finite, shrinkage > 1),
// insufficient_history (T < 2), singular (an asset with zero variance).
Result<CovarianceEstimate> estimate_covariance(const Eigen::MatrixXd& returns, double shrinkage = -1, double max_condition = 1e8);

struct Portfolio {
    std::string method;
    Vec weights;                 // >= 0, sum 1
    double expected_return = 0;  // w' mean (annual)
    double volatility = 0;       // sqrt(w' cov w) (annual)
    double sharpe = 0;           // (expected_return - risk_free_rate) / volatility
    Vec risk_contributions;      // w_i (cov w)_i / w' cov w, summing to 1
    bool fallback = false;       // true when another method's answer stands in (see note)
    std::string note;
};

Portfolio evaluate_portfolio(std::string method, const Vec& weights, const Eigen::MatrixXd& cov, const Vec& mean, double risk_free_rate);
Portfolio equal_weight_portfolio(const Eigen::MatrixXd& cov, const Vec& mean, double risk_free_rate);
// min w' cov w  s.t. sum w = 1, w >= 0.
Result<Portfolio> min_variance_portfolio(const Eigen::MatrixXd& cov, const Vec& mean, double risk_free_rate);
// max Sharpe via min y' cov y  s.t. (mean - rf)' y = 1, y >= 0; w = y / sum y. With no asset
// above the risk-free rate the problem has no positive-Sharpe answer: minimum variance stands in
// (fallback = true).
Result<Portfolio> max_sharpe_portfolio(const Eigen::MatrixXd& cov, const Vec& mean, double risk_free_rate);
// Equal risk contributions: Newton on min 1/2 y' cov y - (1/n) sum log y (y > 0); w = y / sum y.
Result<Portfolio> risk_parity_portfolio(const Eigen::MatrixXd& cov, const Vec& mean, double risk_free_rate);

struct PortfolioReport {
    std::vector<std::string> symbols;
    std::string first_date, last_date;   // end dates of the first and last aligned return
    CovarianceEstimate covariance;
    std::vector<Portfolio> portfolios;   // in options.methods order
};

// Aligns the assets on the dates they all have (inner join), takes log returns between consecutive
// common dates (the last options.window), estimates the covariance and runs each method.
// One asset: every method returns the trivial weight 1. Errors: invalid_input (no asset, more than
// 100, duplicate symbols, bad prices / dates, unknown method, bad options), insufficient_history
// (fewer than min_returns aligned returns), singular (an asset with zero variance).
Result<PortfolioReport> optimize_portfolio(const std::vector<AssetSeries>& assets, const PortfolioOptions& options = {});

}  // namespace stockcast::risk

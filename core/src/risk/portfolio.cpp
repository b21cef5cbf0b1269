#include "stockcast/risk/portfolio.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <set>

#include "stockcast/risk/qp.hpp"

namespace stockcast::risk {
namespace {

constexpr double kTradingDays = 252;

double condition_number(const Eigen::MatrixXd& m) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(m, Eigen::EigenvaluesOnly);
    const double lo = es.eigenvalues().minCoeff(), hi = es.eigenvalues().maxCoeff();
    return lo > 0 ? hi / lo : INFINITY;
}

Eigen::MatrixXd shrink(const Eigen::MatrixXd& s, double intensity) {
    Eigen::MatrixXd out = (1 - intensity) * s;
    out.diagonal() = s.diagonal();
    return out;
}

}  // namespace

double diagonal_shrinkage_intensity(const Eigen::MatrixXd& returns) {
    const Eigen::Index t = returns.rows(), n = returns.cols();
    if (n < 2 || t < 3) return 0;
    const Eigen::MatrixXd x = returns.rowwise() - returns.colwise().mean();
    const Eigen::MatrixXd xx = x.transpose() * x;              // sum_t x_ti x_tj
    const Eigen::MatrixXd x2 = x.array().square().matrix();
    const Eigen::MatrixXd ww = x2.transpose() * x2;            // sum_t (x_ti x_tj)^2
    const double td = static_cast<double>(t);
    // Var(s_ij) = T / (T-1)^3 sum_t (w_tij - mean_t w_tij)^2, s_ij = sum_t w_tij / (T-1).
    const Eigen::MatrixXd var_s = (ww - xx.cwiseAbs2() / td) * (td / std::pow(td - 1, 3));
    const Eigen::MatrixXd s2 = xx.cwiseAbs2() / ((td - 1) * (td - 1));
    const double num = var_s.sum() - var_s.diagonal().sum();
    const double den = s2.sum() - s2.diagonal().sum();
    if (!(den > 0)) return 1;  // no off-diagonal covariance at all: the diagonal target is exact
    return std::clamp(num / den, 0.0, 1.0);
}

Result<CovarianceEstimate> estimate_covariance(const Eigen::MatrixXd& returns, double shrinkage, double max_condition) {
    const Eigen::Index t = returns.rows(), n = returns.cols();
    if (n < 1) return make_error(ErrorCode::invalid_input, "covariance: expected at least one asset");
    if (t < 2) return make_error(ErrorCode::insufficient_history, "covariance: requires 2 returns, provided " + std::to_string(t));
    if (!returns.allFinite()) return make_error(ErrorCode::invalid_input, "covariance: returns must be finite");
    if (std::isnan(shrinkage) || shrinkage > 1)
        return make_error(ErrorCode::invalid_input, "shrinkage: expected a value in [0, 1] (or negative for automatic), got " + number_text(shrinkage));
    CovarianceEstimate out;
    out.n_returns = static_cast<int>(t);
    out.mean = returns.colwise().mean().transpose() * kTradingDays;
    const Eigen::MatrixXd x = returns.rowwise() - returns.colwise().mean();
    out.sample = (x.transpose() * x) * (kTradingDays / static_cast<double>(t - 1));
    for (Eigen::Index i = 0; i < n; ++i)
        if (!(out.sample(i, i) > 0))
            return make_error(ErrorCode::singular, "covariance: asset #" + std::to_string(i) + " has zero variance over the window");
    out.shrinkage_estimate = diagonal_shrinkage_intensity(returns);
    out.shrinkage = shrinkage < 0 ? out.shrinkage_estimate : shrinkage;
    out.cov = shrink(out.sample, out.shrinkage);
    out.condition_number = condition_number(out.cov);
    // Ill-conditioned (e.g. fewer returns than assets, or duplicated assets): shrink harder.
    while (!(out.condition_number <= max_condition) && out.shrinkage < 1) {
        out.shrinkage = std::min(1.0, std::max(0.01, 2 * out.shrinkage));
        out.cov = shrink(out.sample, out.shrinkage);
        out.condition_number = condition_number(out.cov);
    }
    return out;
}

Portfolio evaluate_portfolio(std::string method, const Vec& w, const Eigen::MatrixXd& cov, const Vec& mean, double rf) {
    Portfolio p;
    p.method = std::move(method);
    p.weights = w;
    const Vec cw = cov * w;
    const double var = w.dot(cw);
    p.expected_return = w.dot(mean);
    p.volatility = std::sqrt(std::max(var, 0.0));
    p.sharpe = p.volatility > 0 ? (p.expected_return - rf) / p.volatility : 0.0;
    p.risk_contributions = var > 0 ? Vec(w.cwiseProduct(cw) / var) : w;
    return p;
}

Portfolio equal_weight_portfolio(const Eigen::MatrixXd& cov, const Vec& mean, double rf) {
    const Eigen::Index n = cov.rows();
    return evaluate_portfolio("equal_weight", Vec::Constant(n, 1.0 / static_cast<double>(n)), cov, mean, rf);
}

Result<Portfolio> min_variance_portfolio(const Eigen::MatrixXd& cov, const Vec& mean, double rf) {
    const Eigen::Index n = cov.rows();
    auto qp = solve_qp_simplex(cov, Vec::Zero(n), Vec::Ones(n), 1.0);
    if (!qp) return qp.error();
    const Vec w = qp.value().x / qp.value().x.sum();  // exact already; removes rounding drift
    return evaluate_portfolio("min_variance", w, cov, mean, rf);
}

Result<Portfolio> max_sharpe_portfolio(const Eigen::MatrixXd& cov, const Vec& mean, double rf) {
    const Vec excess = mean.array() - rf;
    if (!(excess.maxCoeff() > 0)) {
        auto mv = min_variance_portfolio(cov, mean, rf);
        if (!mv) return mv.error();
        Portfolio p = mv.value();
        p.method = "max_sharpe";
        p.fallback = true;
        p.note = "no asset's expected return exceeds the risk-free rate: no positive Sharpe ratio exists; minimum variance used";
        return p;
    }
    auto qp = solve_qp_simplex(cov, Vec::Zero(cov.rows()), excess, 1.0);
    if (!qp) return qp.error();
    const Vec w = qp.value().x / qp.value().x.sum();
    return evaluate_portfolio("max_sharpe", w, cov, mean, rf);
}

Result<Portfolio> risk_parity_portfolio(const Eigen::MatrixXd& cov, const Vec& mean, double rf) {
    const Eigen::Index n = cov.rows();
    const double inv_n = 1.0 / static_cast<double>(n);
    // Convex in y > 0; its stationary point has y_i (cov y)_i = 1/n for all i.
    auto f = [&](const Vec& y) { return 0.5 * y.dot(cov * y) - inv_n * y.array().log().sum(); };
    Vec y = cov.diagonal().cwiseSqrt().cwiseInverse();
    y /= std::sqrt(y.dot(cov * y));
    for (int it = 0; it < 100; ++it) {
        const Vec g = cov * y - inv_n * y.cwiseInverse();
        Eigen::MatrixXd h = cov;
        h.diagonal() += inv_n * y.array().square().inverse().matrix();
        Eigen::LLT<Eigen::MatrixXd> llt(h);
        if (llt.info() != Eigen::Success) return make_error(ErrorCode::singular, "risk parity: Hessian not positive definite");
        const Vec d = -llt.solve(g);
        const double decrement = -g.dot(d);
        // The Newton decrement is affine invariant (independent of the covariance's scale) and
        // about twice the remaining gap in f; 1e-18 is far below anything the weights feel and
        // above the rounding floor (~1e-23).
        if (decrement < 1e-18) {
            const Vec w = y / y.sum();
            return evaluate_portfolio("risk_parity", w, cov, mean, rf);
        }
        double t = 1;
        while ((y + t * d).minCoeff() <= 0) t *= 0.5;
        const double f0 = f(y);
        while (t > 1e-12 && f(y + t * d) > f0 - 0.25 * t * decrement) t *= 0.5;
        y += t * d;
    }
    return make_error(ErrorCode::not_converged, "risk parity: Newton did not converge in 100 iterations");
}

Result<PortfolioReport> optimize_portfolio(const std::vector<AssetSeries>& assets, const PortfolioOptions& o) {
    const std::size_t n = assets.size();
    if (n == 0 || n > 100)
        return make_error(ErrorCode::invalid_input, "assets: expected 1 to 100 assets, got " + std::to_string(n));
    if (!std::isfinite(o.risk_free_rate) || o.risk_free_rate < -1 || o.risk_free_rate > 1)
        return make_error(ErrorCode::invalid_input, "risk_free_rate: expected an annual rate in [-1, 1], got " + number_text(o.risk_free_rate));
    if (o.min_returns < 2)
        return make_error(ErrorCode::invalid_input, "min_returns: expected >= 2, got " + std::to_string(o.min_returns));
    static const std::set<std::string> known = {"equal_weight", "min_variance", "max_sharpe", "risk_parity"};
    for (const std::string& m : o.methods)
        if (!known.count(m))
            return make_error(ErrorCode::invalid_input, "methods: unknown method '" + m + "' (expected equal_weight, min_variance, max_sharpe, risk_parity)");
    std::set<std::string> seen;
    std::vector<const std::vector<std::string>*> dates;
    std::vector<const std::vector<double>*> closes;
    for (std::size_t j = 0; j < n; ++j) {
        const AssetSeries& a = assets[j];
        const std::string name = "assets[" + std::to_string(j) + "]";
        if (a.symbol.empty()) return make_error(ErrorCode::invalid_input, name + ".symbol: expected a non-empty string");
        if (!seen.insert(a.symbol).second) return make_error(ErrorCode::invalid_input, name + ".symbol: duplicate symbol '" + a.symbol + "'");
        Status st = check_closes(a.close, name + ".closes");
        if (st) st = check_dates(a.dates, a.close.size(), name + ".dates");
        if (!st) return st.error();
        dates.push_back(&a.dates);
        closes.push_back(&a.close);
    }

    const Aligned al = align_by_date(dates, closes);
    const auto rows = static_cast<Eigen::Index>(al.dates.size());
    Eigen::Index m = std::max<Eigen::Index>(rows - 1, 0);
    if (o.window > 0) m = std::min<Eigen::Index>(m, o.window);
    if (m < o.min_returns)
        return make_error(ErrorCode::insufficient_history, "portfolio: requires " + std::to_string(o.min_returns) +
                                                               " daily returns on dates common to all assets, provided " + std::to_string(m));
    const Eigen::Index first = rows - 1 - m;
    Eigen::MatrixXd r(m, static_cast<Eigen::Index>(n));
    for (Eigen::Index i = 0; i < m; ++i)
        r.row(i) = (al.close.row(first + 1 + i).array() / al.close.row(first + i).array()).log();
    for (std::size_t j = 0; j < n; ++j)
        for (const std::string& d : assets[j].event_dates) {
            auto it = std::lower_bound(al.dates.begin() + first + 1, al.dates.end(), d);
            if (it != al.dates.end() && *it == d) r(it - al.dates.begin() - first - 1, static_cast<Eigen::Index>(j)) = 0;
        }

    PortfolioReport out;
    for (const AssetSeries& a : assets) out.symbols.push_back(a.symbol);
    out.first_date = al.dates[static_cast<std::size_t>(first + 1)];
    out.last_date = al.dates.back();

    if (n > 1)
        for (std::size_t j = 0; j < n; ++j) {
            const auto col = r.col(static_cast<Eigen::Index>(j));
            if (!((col.array() - col.mean()).square().sum() > 0))
                return make_error(ErrorCode::singular, "portfolio: " + assets[j].symbol + " has zero return variance over the aligned window (flat price); "
                                                                                          "risk-based weights are undefined");
        }
    if (n == 1) {
        out.covariance.n_returns = static_cast<int>(m);
        out.covariance.mean = Vec::Constant(1, r.col(0).mean() * kTradingDays);
        out.covariance.sample = Eigen::MatrixXd::Constant(1, 1, sample_std(r.col(0)) * sample_std(r.col(0)) * kTradingDays);
        out.covariance.cov = out.covariance.sample;
        for (const std::string& method : o.methods) {
            Portfolio p = evaluate_portfolio(method, Vec::Ones(1), out.covariance.cov, out.covariance.mean, o.risk_free_rate);
            p.risk_contributions = Vec::Ones(1);
            p.note = "single asset: trivial weight 1";
            out.portfolios.push_back(p);
        }
        return out;
    }

    auto cov = estimate_covariance(r, o.shrinkage, o.max_condition);
    if (!cov) return cov.error();
    out.covariance = std::move(cov.value());
    const Eigen::MatrixXd& c = out.covariance.cov;
    const Vec& mu = out.covariance.mean;
    for (const std::string& method : o.methods) {
        Result<Portfolio> p = method == "equal_weight"   ? Result<Portfolio>(equal_weight_portfolio(c, mu, o.risk_free_rate))
                              : method == "min_variance" ? min_variance_portfolio(c, mu, o.risk_free_rate)
                              : method == "max_sharpe"   ? max_sharpe_portfolio(c, mu, o.risk_free_rate)
                                                         : risk_parity_portfolio(c, mu, o.risk_free_rate);
        if (!p) return p.error();
        out.portfolios.push_back(std::move(p.value()));
    }
    return out;
}

}  // namespace stockcast::risk

// Mechanics of the risk engine on synthetic series with known answers.
#include <cmath>

#include "risk_test_util.hpp"
#include "stockcast/risk/drawdown.hpp"
#include "stockcast/risk/garch.hpp"
#include "stockcast/risk/indicators.hpp"
#include "stockcast/risk/portfolio.hpp"
#include "stockcast/risk/qp.hpp"
#include "stockcast/risk/score.hpp"
#include "stockcast/risk/var.hpp"

using namespace stockcast;
using namespace stockcast::risk;

namespace {

const RiskFactor& factor(const RiskScore& s, const std::string& name) {
    for (const RiskFactor& f : s.factors)
        if (f.name == name) return f;
    FAIL("no factor " << name);
    return s.factors.front();
}

bool has_warning(const RiskScore& s, const std::string& code) {
    for (const RiskWarning& w : s.warnings)
        if (w.code == code) return true;
    return false;
}

}  // namespace

TEST_CASE("normal distribution helpers", "[risk]") {
    CHECK(normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-14));
    CHECK(normal_quantile(0.01) == Approx(-2.326347874040841).epsilon(1e-14));
    CHECK(normal_quantile(0.5) == Approx(0.0).margin(1e-15));
    CHECK(normal_quantile(1e-10) == Approx(-6.361340902404056).epsilon(1e-12));
    CHECK(normal_cdf(normal_quantile(0.05)) == Approx(0.05).epsilon(1e-14));
    Vec sorted(5);
    sorted << 1, 2, 3, 4, 10;
    CHECK(quantile_sorted(sorted, 0.5) == 3);
    CHECK(quantile_sorted(sorted, 0.9) == Approx(7.6));  // R type 7: 4 + 0.6 * (10 - 4)
}

TEST_CASE("risk score factors follow their documented formulas", "[risk]") {
    // Prices 100, 101, ..., 129 (30 rows): every factor by hand.
    std::vector<double> close, volume;
    for (int i = 0; i < 30; ++i) {
        close.push_back(100 + i);
        volume.push_back(i % 2 ? 2000 : 1000);
    }
    auto s = risk_score(risk_test::make_series(close, volume), {});
    REQUIRE(s.ok());
    const double mean = 114.5, sd = std::sqrt((30 * 30 - 1) / 12.0);  // sd of 0..29 with divisor n (np.std)
    CHECK(factor(s.value(), "volatility").raw == Approx(sd / mean).epsilon(1e-12));
    CHECK(factor(s.value(), "volatility").score == Approx(200 * sd / mean).epsilon(1e-12));
    CHECK(factor(s.value(), "price_swing").raw == Approx(6.0 / 126.0).epsilon(1e-12));  // the last 7 closes, 123..129
    CHECK(s.value().max_rolling_swing == Approx(6.0 / 103.0).epsilon(1e-12));           // widest 7-row swing: rows 0-6
    CHECK(factor(s.value(), "volume_volatility").raw == Approx(500 * std::sqrt(30.0 / 29.0) / 1500).epsilon(1e-12));
    // Trend: slope of log(100 + t) over t = 0..29, times 30.
    double st = 0, sy = 0, stt = 0, sty = 0;
    for (int t = 0; t < 30; ++t) { st += t; sy += std::log(100.0 + t); stt += t * t; sty += t * std::log(100.0 + t); }
    const double slope = (30 * sty - st * sy) / (30 * stt - st * st);
    CHECK(factor(s.value(), "trend_strength").raw == Approx(30 * slope).epsilon(1e-10));
    CHECK(factor(s.value(), "trend_strength").score == Approx(std::min(100.0, 500 * 30 * slope)).epsilon(1e-10));
    double total = 0;
    for (const RiskFactor& f : s.value().factors) total += f.weight * f.score;
    CHECK(s.value().total == Approx(total).epsilon(1e-12));
    CHECK(s.value().level == std::string(risk_level(total)));
    CHECK(s.value().warnings.empty());
}

TEST_CASE("risk levels and the volume factor's limits", "[risk]") {
    CHECK(std::string(risk_level(0)) == "low");
    CHECK(std::string(risk_level(24.999)) == "low");
    CHECK(std::string(risk_level(25)) == "medium");
    CHECK(std::string(risk_level(50)) == "high");
    CHECK(std::string(risk_level(75)) == "extreme");
    CHECK(std::string(risk_level(100)) == "extreme");

    const auto close = risk_test::random_walk(40, 0.01, 7);
    // No trade at all in the window: cv is 0/0; its supremum sqrt(30) is used (score 100).
    auto none = risk_score(risk_test::make_series(close, std::vector<double>(40, 0.0)), {});
    REQUIRE(none.ok());
    CHECK(factor(none.value(), "volume_volatility").raw == Approx(std::sqrt(30.0)));
    CHECK(factor(none.value(), "volume_volatility").score == 100);
    CHECK(has_warning(none.value(), "thin_trading"));
    // No volume data (an index): the factor is unavailable and its weight redistributed.
    std::vector<double> nan_volume(40, std::nan(""));
    auto idx = risk_score(risk_test::make_series(close, nan_volume), {});
    REQUIRE(idx.ok());
    CHECK_FALSE(factor(idx.value(), "volume_volatility").available);
    double total = 0;
    for (const RiskFactor& f : idx.value().factors)
        if (f.available) total += f.weight * f.score;
    CHECK(idx.value().total == Approx(total / 0.8));
    CHECK_FALSE(has_warning(idx.value(), "thin_trading"));
}

TEST_CASE("risk score warnings: thin trading, recent jump, volatility regime", "[risk]") {
    // 400 calm days then 30 wild ones.
    risk_test::Normal z(11);
    std::vector<double> close(430), volume(430, 5000);
    close[0] = 50;
    for (std::size_t i = 1; i < close.size(); ++i) close[i] = close[i - 1] * std::exp((i >= 400 ? 0.05 : 0.005) * z());
    for (std::size_t i = 400; i < 430; i += 3) volume[i] = 0;  // 10 of the last 30 days without trades
    PriceSeries s = risk_test::make_series(close, volume, "WILD");
    std::vector<PriceEvent> events = {{"WILD", s.dates[420], 0.3, "up-jump"}, {"OTHER", s.dates[425], -1, ""}, {"WILD", s.dates[100], -1, ""}};
    auto r = risk_score(s, events);
    REQUIRE(r.ok());
    CHECK(has_warning(r.value(), "thin_trading"));
    CHECK(has_warning(r.value(), "volatility_regime_change"));
    int jumps = 0;
    for (const RiskWarning& w : r.value().warnings)
        if (w.code == "recent_jump") { ++jumps; CHECK(w.message.find(s.dates[420]) != std::string::npos); }
    CHECK(jumps == 1);  // only this symbol's event inside the last 30 rows

    // The calm series alone raises none of them.
    std::vector<double> calm(close.begin(), close.begin() + 400);
    auto q = risk_score(risk_test::make_series(calm), {});
    REQUIRE(q.ok());
    CHECK(q.value().warnings.empty());
}

TEST_CASE("GARCH recovers the parameters of a simulated GARCH(1,1)", "[risk]") {
    const double omega = 2e-6, alpha = 0.08, beta = 0.9;
    risk_test::Normal z(2024);
    Vec r(4000);
    double h = omega / (1 - alpha - beta);
    for (Eigen::Index t = 0; t < r.size(); ++t) {
        r[t] = std::sqrt(h) * z();
        h = omega + alpha * r[t] * r[t] + beta * h;
    }
    auto m = fit_volatility(r);
    REQUIRE(m.ok());
    CHECK(m.value().method == "garch");
    CHECK(m.value().converged);
    CHECK(m.value().params.alpha == Approx(alpha).margin(0.03));
    CHECK(m.value().params.beta == Approx(beta).margin(0.04));
    CHECK(m.value().persistence < 1);
    // A maximum: nudging any parameter lowers the likelihood.
    const Vec e = r.array() - m.value().mean;
    const GarchParams p = m.value().params;
    const double ll = garch_log_likelihood(e, p);
    CHECK(ll == Approx(m.value().log_likelihood).epsilon(1e-12));
    for (double d : {-1e-3, 1e-3}) {
        CHECK(garch_log_likelihood(e, {p.omega * (1 + d), p.alpha, p.beta}) < ll);
        CHECK(garch_log_likelihood(e, {p.omega, p.alpha + d * 0.1, p.beta}) < ll);
        CHECK(garch_log_likelihood(e, {p.omega, p.alpha, p.beta + d * 0.1}) < ll);
    }
    // Forecasts revert towards the long-run variance; cumulative = sqrt of the summed daily variances.
    const auto& f = m.value().forecasts;
    REQUIRE(f.size() == 4);
    CHECK(f[0].horizon == 1);
    CHECK(f[0].daily == Approx(std::sqrt(m.value().next_variance)));
    CHECK(f[0].cumulative == Approx(f[0].daily));
    CHECK(f[0].annualized == Approx(f[0].daily * std::sqrt(252.0)));
    const double lr = m.value().long_run_vol;
    CHECK(std::abs(f[3].daily - lr) < std::abs(f[0].daily - lr));
    CHECK(f[3].cumulative > f[2].cumulative);
}

TEST_CASE("volatility model falls back to EWMA with a flag", "[risk]") {
    const auto close = risk_test::random_walk(201, 0.02, 5);
    const Vec r = log_returns(Eigen::Map<const Vec>(close.data(), 201));
    auto few = fit_volatility(r);  // 200 < 250 returns
    REQUIRE(few.ok());
    CHECK(few.value().method == "ewma");
    CHECK_FALSE(few.value().converged);
    CHECK(few.value().note.find("fewer than 250") != std::string::npos);
    CHECK(few.value().params.beta == 0.94);
    // EWMA forecasts are flat.
    for (const VolForecast& f : few.value().forecasts) {
        CHECK(f.daily == Approx(few.value().forecasts[0].daily));
        CHECK(f.cumulative == Approx(f.daily * std::sqrt(double(f.horizon))));
    }
    // EWMA recursion by hand.
    const Vec e = r.array() - r.mean();
    double h = e.squaredNorm() / 200;
    for (Eigen::Index t = 1; t < 200; ++t) h = 0.94 * h + 0.06 * e[t - 1] * e[t - 1];
    CHECK(few.value().sigma[199] == Approx(std::sqrt(h)).epsilon(1e-12));
    CHECK(few.value().next_variance == Approx(0.94 * h + 0.06 * e[199] * e[199]).epsilon(1e-12));

    // An optimiser that runs out of evaluations is reported, and EWMA stands in.
    const auto longer = risk_test::random_walk(600, 0.02, 6);
    const Vec r2 = log_returns(Eigen::Map<const Vec>(longer.data(), 600));
    auto direct = fit_garch(r2.array() - r2.mean(), 20);
    REQUIRE_FALSE(direct.ok());
    CHECK(direct.error().code == ErrorCode::not_converged);
    GarchOptions tight;
    tight.max_evaluations = 20;
    auto fb = fit_volatility(r2, tight);
    REQUIRE(fb.ok());
    CHECK(fb.value().method == "ewma");
    CHECK_FALSE(fb.value().converged);
    CHECK(fb.value().note.find("fit failed") != std::string::npos);
}

TEST_CASE("VaR sign convention and closed forms", "[risk]") {
    // Returns -0.01 * k for k = 0..99: 5 % quantile by hand.
    Vec r(100);
    for (Eigen::Index k = 0; k < 100; ++k) r[k] = -0.001 * static_cast<double>(k);
    auto h = historical_var(r, 0.95, 1);
    REQUIRE(h.ok());
    const double q = -0.001 * (99 - 0.05 * 99);  // type 7 on the ascending values
    CHECK(h.value().var == Approx(1 - std::exp(q)).epsilon(1e-12));
    CHECK(h.value().var > 0);  // a loss is positive
    double tail = 0;
    int k = 0;
    for (Eigen::Index i = 0; i < 100; ++i)
        if (r[i] <= q) { tail += 1 - std::exp(r[i]); ++k; }
    CHECK(h.value().es == Approx(tail / k).epsilon(1e-12));
    // Normal: VaR from the quantile, ES = E[loss | R <= q] (checked by numerical integration).
    const VarEstimate n = normal_var("parametric", 0.001, 0.02, 0.99, 1);
    CHECK(n.var == Approx(1 - std::exp(0.001 + 0.02 * normal_quantile(0.01))).epsilon(1e-14));
    double integral = 0;
    const double zq = normal_quantile(0.01), dz = 1e-4;
    for (int i = 0; i < 120000; ++i) {  // midpoint rule on [zq - 12, zq]
        const double zm = zq - 12 + (i + 0.5) * dz;
        integral += (1 - std::exp(0.001 + 0.02 * zm)) * std::exp(-zm * zm / 2) / std::sqrt(2 * 3.141592653589793) * dz;
    }
    CHECK(n.es == Approx(integral / 0.01).epsilon(1e-8));
    CHECK(n.es > n.var);
    // Zero volatility: the loss is the drift's, ES = VaR.
    const VarEstimate flat = normal_var("parametric", 0, 0, 0.95, 10);
    CHECK(flat.var == 0);
    CHECK(flat.es == Approx(0).margin(1e-15));
}

TEST_CASE("maximum drawdown", "[risk]") {
    Vec p(6);
    p << 100, 120, 90, 130, 65, 140;
    const std::vector<std::string> dates = risk_test::make_dates(6);
    auto d = max_drawdown(p, dates);
    REQUIRE(d.ok());
    CHECK(d.value().max_drawdown == Approx(0.5));
    CHECK(d.value().peak_date == dates[3]);
    CHECK(d.value().trough_date == dates[4]);
    CHECK(d.value().recovery_date == dates[5]);
    Vec up(3);
    up << 1, 2, 3;
    auto none = max_drawdown(up, risk_test::make_dates(3));
    REQUIRE(none.ok());
    CHECK(none.value().max_drawdown == 0);
    CHECK(none.value().peak_date == none.value().trough_date);
}

TEST_CASE("EMA seeding, RSI extremes and volume trend labels", "[risk]") {
    Vec x(5);
    x << 1, 2, 3, 4, 5;
    auto e = ema(x, 3);
    REQUIRE(e.ok());
    CHECK(e.value().offset == 2);
    CHECK(e.value().values[0] == Approx(2));          // SMA seed of the first 3
    CHECK(e.value().values[1] == Approx(0.5 * 4 + 0.5 * 2));
    auto w = ema(x, 3, true);
    REQUIRE(w.ok());
    CHECK(w.value().values[1] == Approx(4.0 / 3 + 2 * 2.0 / 3));

    Vec rising = Vec::LinSpaced(40, 10, 50), flat = Vec::Constant(40, 10);
    CHECK(rsi(rising).value().values.tail(1)[0] == Approx(100));
    CHECK(rsi(flat).value().values.tail(1)[0] == 50);  // no move at all: neutral, not NaN

    std::vector<double> v(30, 100);
    CHECK(volume_trend(v).value().label == "flat");
    for (int i = 20; i < 30; ++i) v[static_cast<std::size_t>(i)] = 200;
    CHECK(volume_trend(v).value().label == "increasing");
    CHECK(*volume_trend(v).value().ratio == Approx(2));
    for (int i = 20; i < 30; ++i) v[static_cast<std::size_t>(i)] = 50;
    CHECK(volume_trend(v).value().label == "decreasing");
    std::vector<double> idle(30, 0.0);
    CHECK(volume_trend(idle).value().label == "flat");
    CHECK_FALSE(volume_trend(idle).value().ratio.has_value());
    idle.back() = 10;
    CHECK(volume_trend(idle).value().label == "increasing");
}

TEST_CASE("active-set QP satisfies the KKT conditions", "[risk]") {
    risk_test::Normal z(99);
    for (int trial = 0; trial < 20; ++trial) {
        const Eigen::Index n = 2 + trial % 9;
        Eigen::MatrixXd a(n + 3, n);
        for (Eigen::Index i = 0; i < a.rows(); ++i)
            for (Eigen::Index j = 0; j < n; ++j) a(i, j) = z();
        const Eigen::MatrixXd q = a.transpose() * a / static_cast<double>(n) + 0.01 * Eigen::MatrixXd::Identity(n, n);
        Vec c(n), coef(n);
        for (Eigen::Index i = 0; i < n; ++i) { c[i] = z(); coef[i] = 0.5 + std::abs(z()); }
        auto s = solve_qp_simplex(q, c, coef, 1.0);
        REQUIRE(s.ok());
        const Vec& x = s.value().x;
        CHECK(x.minCoeff() >= 0);
        CHECK(coef.dot(x) == Approx(1).epsilon(1e-12));
        const Vec nu = q * x - c - s.value().multiplier * coef;  // bound multipliers
        for (Eigen::Index i = 0; i < n; ++i) {
            if (x[i] > 1e-12) CHECK(std::abs(nu[i]) < 1e-10);
            else CHECK(nu[i] > -1e-10);
        }
    }
}

TEST_CASE("portfolio: shrinkage, fallbacks and output invariants", "[risk]") {
    // Three assets, the third a copy of the first: the sample covariance is singular, so the
    // shrinkage is raised until the matrix is well conditioned.
    const auto a = risk_test::random_walk(300, 0.02, 1), b = risk_test::random_walk(300, 0.015, 2);
    const auto dates = risk_test::make_dates(300);
    std::vector<AssetSeries> assets = {{"A", dates, a, {}}, {"B", dates, b, {}}, {"A2", dates, a, {}}};
    PortfolioOptions opt;
    opt.shrinkage = 0;
    auto rep = optimize_portfolio(assets, opt);
    REQUIRE(rep.ok());
    const CovarianceEstimate& c = rep.value().covariance;
    CHECK(c.shrinkage > 0);
    CHECK(c.condition_number <= opt.max_condition);
    REQUIRE(rep.value().portfolios.size() == 4);
    for (const Portfolio& p : rep.value().portfolios) {
        INFO(p.method);
        CHECK(p.weights.sum() == Approx(1).epsilon(1e-12));
        CHECK(p.weights.minCoeff() >= 0);
        CHECK(p.risk_contributions.sum() == Approx(1).epsilon(1e-12));
        CHECK(std::isfinite(p.sharpe));
        CHECK(p.weights[0] == Approx(p.weights[2]).margin(1e-9));  // identical assets, identical weights
    }
    // Minimum variance is no riskier than any other long-only answer.
    for (const Portfolio& p : rep.value().portfolios) CHECK(rep.value().portfolios[1].volatility <= p.volatility + 1e-12);

    // Every expected return below the risk-free rate: max Sharpe falls back to minimum variance.
    opt.risk_free_rate = 0.99;
    auto fb = optimize_portfolio(assets, opt);
    REQUIRE(fb.ok());
    CHECK(fb.value().portfolios[2].fallback);
    CHECK((fb.value().portfolios[2].weights - fb.value().portfolios[1].weights).norm() < 1e-12);

    // The automatic intensity lies in [0, 1] and is used when no fixed one is given.
    PortfolioOptions autoopt;
    auto au = optimize_portfolio({assets[0], assets[1]}, autoopt);
    REQUIRE(au.ok());
    CHECK(au.value().covariance.shrinkage >= 0);
    CHECK(au.value().covariance.shrinkage <= 1);
    CHECK(au.value().covariance.shrinkage == au.value().covariance.shrinkage_estimate);

    // One asset: trivial weight 1 for every method.
    auto one = optimize_portfolio({assets[0]}, autoopt);
    REQUIRE(one.ok());
    for (const Portfolio& p : one.value().portfolios) {
        CHECK(p.weights.size() == 1);
        CHECK(p.weights[0] == 1);
        CHECK(p.risk_contributions[0] == 1);
    }
}

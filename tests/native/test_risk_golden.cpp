// Replays tests/golden/risk/*.json, written by scripts/golden_risk.R from R reference
// implementations (fGarch, TTR, quadprog, base R) on the real NSE data.
#include <algorithm>
#include <cmath>

#include "risk_test_util.hpp"
#include "stockcast/risk/garch.hpp"
#include "stockcast/risk/indicators.hpp"
#include "stockcast/risk/market.hpp"
#include "stockcast/risk/portfolio.hpp"
#include "stockcast/risk/report.hpp"
#include "stockcast/risk/var.hpp"

using namespace stockcast;
using namespace stockcast::risk;

namespace {

Vec to_vec(const Json& a) {
    Vec v(static_cast<Eigen::Index>(a.size()));
    for (std::size_t i = 0; i < a.size(); ++i) v[static_cast<Eigen::Index>(i)] = a[i].get<double>();
    return v;
}

Eigen::MatrixXd to_matrix(const Json& a) {
    Eigen::MatrixXd m(static_cast<Eigen::Index>(a.size()), static_cast<Eigen::Index>(a[0].size()));
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t j = 0; j < a[i].size(); ++j) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = a[i][j].get<double>();
    return m;
}

double rel(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

Vec closes(const PriceSeries& s) { return Eigen::Map<const Vec>(s.close.data(), static_cast<Eigen::Index>(s.size())); }

}  // namespace

TEST_CASE("GARCH(1,1) matches fGarch::garchFit on NSE series", "[risk][golden]") {
    const Json g = risk_test::load_golden("garch.json");
    const auto events = risk_test::load_events();
    for (const Json& c : g["cases"]) {
        const std::string sym = c["symbol"].get<std::string>();
        INFO("symbol " << sym);
        const PriceSeries s = risk_test::load_stock(sym);
        const int n = c["n_returns"].get<int>();
        REQUIRE(s.dates.back() == c["last_date"].get<std::string>());
        REQUIRE(s.dates[s.size() - static_cast<std::size_t>(n)] == c["first_return_date"].get<std::string>());
        const Vec r = adjusted_log_returns(s, events).tail(n);

        auto m = fit_volatility(r);
        REQUIRE(m.ok());
        const VolatilityModel& v = m.value();
        CHECK(v.method == "garch");
        CHECK(v.converged);
        CHECK(std::abs(v.mean - c["mean"].get<double>()) < 1e-15);
        // Parameters: the likelihood is flat near its maximum, so agree to optimiser precision.
        CHECK(rel(v.params.omega, c["omega"].get<double>()) < 2e-5);
        CHECK(std::abs(v.params.alpha - c["alpha"].get<double>()) < 2e-5);
        CHECK(std::abs(v.params.beta - c["beta"].get<double>()) < 2e-5);
        // Our maximum is no worse than the reference's, and the same one.
        const double ref_ll = c["log_likelihood"].get<double>();
        CHECK(v.log_likelihood >= ref_ll - 1e-6);
        CHECK(v.log_likelihood - ref_ll < 1e-3);
        // The reference's parameters under our likelihood give its log-likelihood: same recursion.
        const Vec e = r.array() - v.mean;
        CHECK(std::abs(garch_log_likelihood(e, {c["omega"].get<double>(), c["alpha"].get<double>(), c["beta"].get<double>()}) - ref_ll) < 1e-6);
        // Conditional volatilities and the 30-day forecast path.
        const Json& idx = c["sigma_index"];
        for (std::size_t k = 0; k < idx.size(); ++k)
            CHECK(rel(v.sigma[idx[k].get<Eigen::Index>()], c["sigma"][k].get<double>()) < 2e-5);
        auto f = volatility_forecasts(v.params, v.next_variance, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30});
        REQUIRE(f.size() == 30);
        for (std::size_t k = 0; k < 30; ++k) CHECK(rel(f[k].daily, c["forecast_sd"][k].get<double>()) < 2e-5);
        CHECK(v.evaluations < 1500);
    }
}

TEST_CASE("RSI(14) and MACD(12,26,9) match TTR", "[risk][golden]") {
    const Json g = risk_test::load_golden("indicators.json");
    for (const Json& c : g["cases"]) {
        const std::string sym = c["symbol"].get<std::string>();
        INFO("symbol " << sym);
        const PriceSeries s = risk_test::load_stock(sym);
        REQUIRE(s.dates.back() == c["last_date"].get<std::string>());
        const Vec x = closes(s).tail(c["n_closes"].get<Eigen::Index>());
        auto r = rsi(x, 14);
        auto m = macd(x, 12, 26, 9);
        REQUIRE(r.ok());
        REQUIRE(m.ok());
        CHECK(r.value().offset == c["first_rsi_index"].get<std::size_t>());
        CHECK(m.value().macd.offset == c["first_macd_index"].get<std::size_t>());
        CHECK(m.value().signal.offset == c["first_signal_index"].get<std::size_t>());
        const double scale = x.cwiseAbs().maxCoeff();
        for (std::size_t k = 0; k < c["index"].size(); ++k) {
            const auto i = c["index"][k].get<std::size_t>();
            if (!c["rsi"][k].is_null())  // TTR gives NaN where up + down moves are 0; we give 50
                CHECK(std::abs(r.value().values[static_cast<Eigen::Index>(i - r.value().offset)] - c["rsi"][k].get<double>()) < 1e-9);
            CHECK(std::abs(m.value().macd.values[static_cast<Eigen::Index>(i - m.value().macd.offset)] - c["macd"][k].get<double>()) < 1e-12 * scale);
            CHECK(std::abs(m.value().signal.values[static_cast<Eigen::Index>(i - m.value().signal.offset)] - c["signal"][k].get<double>()) < 1e-12 * scale);
        }
    }
}

TEST_CASE("VaR / ES, beta to NASI and maximum drawdown match base R", "[risk][golden]") {
    const Json g = risk_test::load_golden("series.json");
    const auto events = risk_test::load_events();
    const PriceSeries nasi = risk_test::load_stock("NASI", "indices");
    for (const Json& c : g["cases"]) {
        const std::string sym = c["symbol"].get<std::string>();
        INFO("symbol " << sym);
        const PriceSeries s = risk_test::load_stock(sym);
        const Vec r = adjusted_log_returns(s, events).tail(1000);
        for (const Json& e : c["var"]) {
            const double level = e["level"].get<double>();
            const int h = e["horizon"].get<int>();
            INFO(e["method"].get<std::string>() << " " << level << " " << h);
            VarEstimate ours;
            if (e["method"] == "historical") {
                auto hv = historical_var(r, level, h);
                REQUIRE(hv.ok());
                ours = hv.value();
            } else {
                ours = normal_var("parametric", mean(r) * h, sample_std(r) * std::sqrt(double(h)), level, h);
            }
            CHECK(rel(ours.var, e["var"].get<double>()) < 1e-9);
            CHECK(rel(ours.es, e["es"].get<double>()) < 1e-9);
            CHECK(ours.var > 0);
            CHECK(ours.es >= ours.var);
        }
        auto b = market_beta(s, nasi, events, 1000);
        REQUIRE(b.ok());
        CHECK(b.value().n_returns == c["beta_returns"].get<int>());
        CHECK(rel(b.value().beta, c["beta"].get<double>()) < 1e-9);
        CHECK(rel(b.value().correlation, c["correlation"].get<double>()) < 1e-9);

        auto rep = risk_report(s, &nasi, events);
        REQUIRE(rep.ok());
        CHECK(rel(rep.value().drawdown.max_drawdown, c["max_drawdown"].get<double>()) < 1e-9);
        CHECK(rep.value().drawdown.peak_date == c["peak_date"].get<std::string>());
        CHECK(rep.value().drawdown.trough_date == c["trough_date"].get<std::string>());
        REQUIRE(rep.value().market.has_value());
        CHECK(rel(rep.value().market->beta, c["beta"].get<double>()) < 1e-9);
    }
}

TEST_CASE("long-only QP matches quadprog::solve.QP; risk parity equalises contributions", "[risk][golden]") {
    const Json g = risk_test::load_golden("portfolio.json");
    for (const Json& c : g["cases"]) {
        INFO("case " << c["name"].get<std::string>());
        const Eigen::MatrixXd cov = to_matrix(c["cov"]);
        const Vec mu = to_vec(c["mean"]);
        auto mv = min_variance_portfolio(cov, mu, 0);
        REQUIRE(mv.ok());
        CHECK((mv.value().weights - to_vec(c["min_variance"])).cwiseAbs().maxCoeff() < 1e-6);
        for (const Json& ms : c["max_sharpe"]) {
            const double rf = ms["rf"].get<double>();
            INFO("max Sharpe, rf " << rf);
            auto p = max_sharpe_portfolio(cov, mu, rf);
            REQUIRE(p.ok());
            CHECK_FALSE(p.value().fallback);
            CHECK((p.value().weights - to_vec(ms["weights"])).cwiseAbs().maxCoeff() < 1e-6);
            CHECK(std::abs(p.value().weights.sum() - 1) < 1e-12);
            CHECK(p.value().weights.minCoeff() >= 0);
        }
        auto rp = risk_parity_portfolio(cov, mu, 0);
        REQUIRE(rp.ok());
        const Vec& rc = rp.value().risk_contributions;
        CHECK((rc.array() - 1.0 / static_cast<double>(rc.size())).abs().maxCoeff() < 1e-6);
        CHECK(std::abs(rc.sum() - 1) < 1e-12);
        CHECK(rp.value().weights.minCoeff() > 0);
    }
}

TEST_CASE("aligned returns, covariance and shrinkage intensity match R on the same NSE assets", "[risk][golden]") {
    const Json g = risk_test::load_golden("portfolio.json");
    const auto events = risk_test::load_events();
    std::vector<AssetSeries> assets;
    for (const Json& sj : g["symbols"]) {
        const std::string sym = sj.get<std::string>();
        const PriceSeries s = risk_test::load_stock(sym);
        AssetSeries a{sym, s.dates, s.close, {}};
        for (const PriceEvent& e : events)
            if (e.symbol == sym) a.event_dates.push_back(e.date);
        assets.push_back(std::move(a));
    }
    PortfolioOptions opt;
    opt.window = g["window"].get<int>();
    opt.shrinkage = 0;
    auto rep = optimize_portfolio(assets, opt);
    REQUIRE(rep.ok());
    const CovarianceEstimate& c = rep.value().covariance;
    CHECK(rep.value().first_date == g["first_date"].get<std::string>());
    CHECK(rep.value().last_date == g["last_date"].get<std::string>());
    CHECK(c.n_returns == opt.window);
    const Eigen::MatrixXd s_ref = to_matrix(g["sample_cov"]);
    CHECK((c.sample - s_ref).cwiseAbs().maxCoeff() < 1e-12 * s_ref.cwiseAbs().maxCoeff());
    CHECK((c.mean - to_vec(g["mean"])).cwiseAbs().maxCoeff() < 1e-12);
    CHECK(c.shrinkage == 0);
    CHECK(std::abs(c.shrinkage_estimate - g["lw_intensity"].get<double>()) < 1e-10);
    // With shrinkage 0 the end-to-end optimiser reproduces quadprog on the raw sample covariance.
    const Json& sample_case = g["cases"][0];
    CHECK((rep.value().portfolios[1].weights - to_vec(sample_case["min_variance"])).cwiseAbs().maxCoeff() < 1e-6);
    CHECK((rep.value().portfolios[2].weights - to_vec(sample_case["max_sharpe"][0]["weights"])).cwiseAbs().maxCoeff() < 1e-6);
}

TEST_CASE("risk score factors match the original's numpy formulas (R transcription) on every NSE stock", "[risk][golden]") {
    const Json g = risk_test::load_golden("score.json");
    REQUIRE(g["window"].get<int>() == ScoreOptions{}.window);
    REQUIRE(g["swing_window"].get<int>() == ScoreOptions{}.swing_window);
    int sample_sd_distinguished = 0, moving = 0, rolling_distinguished = 0;
    for (const Json& c : g["cases"]) {
        const std::string sym = c["symbol"].get<std::string>();
        INFO("symbol " << sym);
        const PriceSeries s = risk_test::load_stock(sym);
        REQUIRE(s.dates.back() == c["last_date"].get<std::string>());
        auto r = risk_score(s, {});
        REQUIRE(r.ok());
        const RiskScore& sc = r.value();
        auto factor = [&](const char* name) {
            for (const RiskFactor& f : sc.factors)
                if (f.name == name) return f;
            FAIL("no factor " << name);
            return RiskFactor{};
        };
        const double tol = 1e-12;
        CHECK(std::abs(factor("volatility").raw - c["volatility"].get<double>()) <= tol * c["volatility"].get<double>() + 1e-15);
        CHECK(std::abs(factor("price_swing").raw - c["price_swing"].get<double>()) <= tol * c["price_swing"].get<double>() + 1e-15);
        CHECK(factor("volume_volatility").available == c["volume_available"].get<bool>());
        if (c["volume_available"].get<bool>())
            CHECK(rel(factor("volume_volatility").raw, c["volume_volatility"].get<double>()) < 1e-10);
        CHECK(std::abs(factor("trend_strength").raw - c["trend_strength"].get<double>()) < 1e-10);
        CHECK(std::abs(sc.max_rolling_swing - c["max_rolling_swing"].get<double>()) <= tol * c["max_rolling_swing"].get<double>() + 1e-15);
        const Json& scores = c["scores"];
        CHECK(std::abs(factor("volatility").score - scores[0].get<double>()) < 1e-9);
        CHECK(std::abs(factor("price_swing").score - scores[1].get<double>()) < 1e-9);
        CHECK(std::abs(sc.total - c["total"].get<double>()) < 1e-8);
        // The tolerance catches the two drifts this golden guards against: sd with divisor n - 1
        // (a factor sqrt(30/29)) and the widest swing over 24 windows instead of the last 7 rows.
        const Vec close = closes(s).tail(30);
        if (c["volatility"].get<double>() > 0) {  // thin-traded stocks may have 30 equal closes: sd 0 either way
            ++moving;
            if (std::abs(sample_std(close) / close.mean() - c["volatility"].get<double>()) > 1e-6 * c["volatility"].get<double>()) ++sample_sd_distinguished;
        }
        if (std::abs(sc.max_rolling_swing - c["price_swing"].get<double>()) > 1e-9) ++rolling_distinguished;
    }
    const int n = static_cast<int>(g["cases"].size());
    CHECK(n == 66);
    CHECK(moving > n / 2);
    CHECK(sample_sd_distinguished == moving);
    CHECK(rolling_distinguished >= n / 2);
}

// Bad input never crashes the risk engine and never yields NaN: a typed error or a documented,
// flagged fallback. Also the JSON entry points the WASM binding calls.
#include <cmath>
#include <limits>

#include "risk_test_util.hpp"
#include "stockcast/risk/json_api.hpp"
#include "stockcast/risk/qp.hpp"

using namespace stockcast;
using namespace stockcast::risk;

namespace {

bool all_finite(const Json& j) {
    if (j.is_number_float()) return std::isfinite(j.get<double>());
    if (!j.is_structured()) return true;
    for (const Json& v : j)  // array elements or object values
        if (!all_finite(v)) return false;
    return true;
}

Json parsed(const std::string& text) {
    auto doc = parse_json(text);
    INFO(text.substr(0, 200));
    REQUIRE(doc.ok());
    return std::move(doc.value());
}

Json call_report(const Json& request) {
    const Json out = parsed(risk_report_json(request.dump()));
    REQUIRE(out.contains("ok"));
    CHECK(all_finite(out));
    return out;
}

Json call_portfolio(const Json& request) {
    const Json out = parsed(optimize_portfolio_json(request.dump()));
    REQUIRE(out.contains("ok"));
    CHECK(all_finite(out));
    return out;
}

void check_error(const Json& out, const std::string& code, const std::string& needle) {
    INFO(out.dump());
    REQUIRE(out["ok"] == false);
    CHECK(out["error"]["code"] == code);
    CHECK(out["error"]["message"].get<std::string>().find(needle) != std::string::npos);
}

Json series_request(std::size_t n, std::uint64_t seed = 3) {
    const auto close = risk_test::garch_walk(n, seed);
    return {{"symbol", "TEST"}, {"dates", risk_test::make_dates(n)}, {"closes", close}, {"volumes", std::vector<double>(n, 1000)}};
}

}  // namespace

TEST_CASE("risk report: short, flat and invalid series", "[risk]") {
    const auto events = std::vector<PriceEvent>{};
    // Too short: insufficient_history with required vs provided.
    auto shortr = risk_report(risk_test::make_series(risk_test::random_walk(59, 0.02, 1)), nullptr, events);
    REQUIRE_FALSE(shortr.ok());
    CHECK(shortr.error().code == ErrorCode::insufficient_history);
    CHECK(shortr.error().message.find("requires 60") != std::string::npos);
    CHECK(shortr.error().message.find("provided 59") != std::string::npos);

    // The minimum works, with EWMA (too few returns for GARCH).
    auto minimal = risk_report(risk_test::make_series(risk_test::random_walk(60, 0.02, 1)), nullptr, events);
    REQUIRE(minimal.ok());
    CHECK(minimal.value().volatility.method == "ewma");
    CHECK(minimal.value().market_note == "no market index supplied");

    // Constant prices: zero variance everywhere, flagged, no NaN.
    auto flat = risk_report(risk_test::make_series(std::vector<double>(400, 25.0)), nullptr, events);
    REQUIRE(flat.ok());
    const RiskReport& f = flat.value();
    CHECK(f.volatility.method == "ewma");
    CHECK_FALSE(f.volatility.converged);
    CHECK(f.volatility.note.find("zero variance") != std::string::npos);
    for (const VolForecast& fc : f.volatility.forecasts) CHECK(fc.daily == 0);
    for (const VarEstimate& v : f.var) { CHECK(v.var == Approx(0).margin(1e-15)); CHECK(v.es == Approx(0).margin(1e-15)); }
    CHECK(f.drawdown.max_drawdown == 0);
    CHECK(f.indicators.rsi == 50);
    CHECK(f.indicators.macd_label == "neutral");
    CHECK(f.score.total == 0);  // no dispersion, no swing, constant volume, no trend
    CHECK(all_finite(to_json(f)));

    // NaN, infinity, zero and negative prices: invalid_input naming the index.
    for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), 0.0, -3.0}) {
        auto c = risk_test::random_walk(100, 0.02, 2);
        c[42] = bad;
        auto r = risk_report(risk_test::make_series(c), nullptr, events);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::invalid_input);
        CHECK(r.error().message.find("[42]") != std::string::npos);
    }
    // Dates out of order, or one missing.
    PriceSeries s = risk_test::make_series(risk_test::random_walk(100, 0.02, 2));
    std::swap(s.dates[10], s.dates[11]);
    CHECK(risk_report(s, nullptr, events).error().code == ErrorCode::invalid_input);
    s = risk_test::make_series(risk_test::random_walk(100, 0.02, 2));
    s.dates.pop_back();
    CHECK(risk_report(s, nullptr, events).error().code == ErrorCode::invalid_input);
    s = risk_test::make_series(risk_test::random_walk(100, 0.02, 2));
    s.volume[5] = -1;
    CHECK(risk_report(s, nullptr, events).error().code == ErrorCode::invalid_input);
}

TEST_CASE("risk report: market index problems leave the rest of the report standing", "[risk]") {
    const PriceSeries s = risk_test::make_series(risk_test::random_walk(300, 0.02, 4));
    // No common dates.
    PriceSeries idx = s;
    idx.symbol = "IDX";
    idx.dates = risk_test::make_dates(300, 2030);
    auto r = risk_report(s, &idx, {});
    REQUIRE(r.ok());
    CHECK_FALSE(r.value().market.has_value());
    CHECK(r.value().market_note.find("requires 30") != std::string::npos);
    // A flat index: beta undefined (singular).
    idx = s;
    idx.symbol = "IDX";
    idx.close.assign(300, 1000.0);
    auto flat = market_beta(s, idx, {});
    REQUIRE_FALSE(flat.ok());
    CHECK(flat.error().code == ErrorCode::singular);
    // The stock itself as the index: beta 1, correlation 1.
    idx = s;
    idx.symbol = "SELF";
    auto self = market_beta(s, idx, {});
    REQUIRE(self.ok());
    CHECK(self.value().beta == Approx(1));
    CHECK(self.value().correlation == Approx(1));
}

TEST_CASE("building blocks reject short or bad input", "[risk]") {
    Vec tiny = Vec::Constant(5, 0.01);
    CHECK(fit_volatility(tiny).error().code == ErrorCode::insufficient_history);
    Vec nan = Vec::Constant(300, 0.01);
    nan[3] = std::nan("");
    CHECK(fit_volatility(nan).error().code == ErrorCode::invalid_input);
    CHECK(fit_garch(Vec::Zero(300)).error().code == ErrorCode::invalid_input);
    CHECK(historical_var(Vec::Constant(40, 0.01), 0.95, 1).error().code == ErrorCode::insufficient_history);
    CHECK(historical_var(Vec::Constant(100, 0.01), 0.95, 60).error().code == ErrorCode::insufficient_history);
    CHECK(historical_var(Vec::Constant(100, 0.01), 1.5, 1).error().code == ErrorCode::invalid_input);
    CHECK(rsi(Vec::Constant(14, 1.0)).error().code == ErrorCode::insufficient_history);
    CHECK(macd(Vec::Constant(33, 1.0)).error().code == ErrorCode::insufficient_history);
    CHECK(macd(Vec::Constant(34, 1.0)).ok());
    CHECK(macd(Vec::Constant(100, 1.0), 26, 12, 9).error().code == ErrorCode::invalid_input);
    CHECK(risk_score(risk_test::make_series(std::vector<double>(29, 1.0)), {}).error().code == ErrorCode::insufficient_history);
    CHECK(volume_trend(std::vector<double>(29, 1.0)).error().code == ErrorCode::insufficient_history);
    CHECK(max_drawdown(Vec::Constant(1, 1.0), {"2020-01-01"}).error().code == ErrorCode::insufficient_history);
    Eigen::MatrixXd q = Eigen::MatrixXd::Identity(3, 3);
    CHECK(solve_qp_simplex(q, Vec::Zero(3), -Vec::Ones(3), 1).error().code == ErrorCode::invalid_input);  // infeasible
    CHECK(solve_qp_simplex(q, Vec::Zero(2), Vec::Ones(3), 1).error().code == ErrorCode::invalid_input);   // sizes
    // Q = 0 is not positive definite: once two variables are free their KKT system is singular.
    Eigen::MatrixXd zero = Eigen::MatrixXd::Zero(3, 3);
    Vec c(3);
    c << 1, 2, 0;
    auto sing = solve_qp_simplex(zero, c, Vec::Ones(3), 1);
    REQUIRE_FALSE(sing.ok());
    CHECK(sing.error().code == ErrorCode::singular);
}

TEST_CASE("portfolio: typed errors for bad asset sets", "[risk]") {
    const auto dates = risk_test::make_dates(200);
    const auto a = risk_test::random_walk(200, 0.02, 1), b = risk_test::random_walk(200, 0.02, 2);
    CHECK(optimize_portfolio({}).error().code == ErrorCode::invalid_input);
    // Duplicate symbols.
    auto dup = optimize_portfolio({{"A", dates, a, {}}, {"A", dates, b, {}}});
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().message.find("duplicate") != std::string::npos);
    // Mismatched dates: no common day.
    auto apart = optimize_portfolio({{"A", dates, a, {}}, {"B", risk_test::make_dates(200, 2040), b, {}}});
    REQUIRE_FALSE(apart.ok());
    CHECK(apart.error().code == ErrorCode::insufficient_history);
    CHECK(apart.error().message.find("provided 0") != std::string::npos);
    // Partly overlapping dates are inner-joined.
    std::vector<std::string> half(dates.begin() + 100, dates.end());
    std::vector<double> bh(b.begin() + 100, b.end());
    PortfolioOptions few;
    few.min_returns = 50;
    auto joined = optimize_portfolio({{"A", dates, a, {}}, {"B", half, bh, {}}}, few);
    REQUIRE(joined.ok());
    CHECK(joined.value().covariance.n_returns == 99);
    CHECK(joined.value().first_date == dates[101]);
    // Bad prices, unsorted dates, a flat asset, an unknown method.
    auto badp = a;
    badp[7] = -1;
    CHECK(optimize_portfolio({{"A", dates, badp, {}}, {"B", dates, b, {}}}).error().code == ErrorCode::invalid_input);
    auto shuffled = dates;
    std::swap(shuffled[0], shuffled[1]);
    CHECK(optimize_portfolio({{"A", shuffled, a, {}}, {"B", dates, b, {}}}).error().code == ErrorCode::invalid_input);
    auto flat = optimize_portfolio({{"A", dates, a, {}}, {"F", dates, std::vector<double>(200, 10.0), {}}});
    REQUIRE_FALSE(flat.ok());
    CHECK(flat.error().code == ErrorCode::singular);
    CHECK(flat.error().message.find("F has zero") != std::string::npos);
    PortfolioOptions unknown;
    unknown.methods = {"kelly"};
    CHECK(optimize_portfolio({{"A", dates, a, {}}, {"B", dates, b, {}}}, unknown).error().code == ErrorCode::invalid_input);
    // Event dates zero the matching returns.
    auto jumpy = a;
    for (std::size_t i = 150; i < 200; ++i) jumpy[i] *= 0.1;  // a 10-for-1 split on dates[150]
    PortfolioOptions opt;
    opt.shrinkage = 0;
    auto raw = optimize_portfolio({{"A", dates, jumpy, {}}, {"B", dates, b, {}}}, opt);
    auto adj = optimize_portfolio({{"A", dates, jumpy, {dates[150]}}, {"B", dates, b, {}}}, opt);
    auto clean = optimize_portfolio({{"A", dates, a, {}}, {"B", dates, b, {}}}, opt);
    REQUIRE(raw.ok());
    REQUIRE(adj.ok());
    REQUIRE(clean.ok());
    CHECK(raw.value().covariance.sample(0, 0) > 10 * clean.value().covariance.sample(0, 0));
    CHECK(adj.value().covariance.sample(0, 0) < clean.value().covariance.sample(0, 0));
}

TEST_CASE("risk_report_json: envelope, shapes and errors", "[risk]") {
    Json req = series_request(600);
    req["events"] = Json::array({Json{{"date", req["dates"][595]}, {"log_return", 0.5}, {"note", "test"}}, "2010-01-02"});
    req["market"] = {{"symbol", "IDX"}, {"dates", req["dates"]}, {"closes", risk_test::random_walk(600, 0.01, 9)}};
    const Json ok = call_report(req);
    INFO(ok.dump());
    REQUIRE(ok["ok"] == true);
    const Json& r = ok["report"];
    CHECK(r["symbol"] == "TEST");
    CHECK(r["rows"] == 600);
    CHECK(r["risk_score"]["factors"].size() == 4);
    CHECK(r["risk_score"]["level"].is_string());
    CHECK(r["volatility"]["method"] == "garch");
    CHECK(r["volatility"]["forecasts"].size() == 4);
    CHECK(r["var"]["estimates"].size() == 12);  // 3 methods x 2 levels x 2 horizons
    CHECK(r["market"]["index"] == "IDX");
    CHECK(r["events_neutralised"].size() == 2);
    bool jump = false;
    for (const Json& w : r["risk_score"]["warnings"]) jump = jump || w["code"] == "recent_jump";
    CHECK(jump);
    CHECK(r["indicators"]["macd_label"].is_string());
    CHECK(r["drawdown"]["max_drawdown"].is_number());

    check_error(call_report(parsed("[1,2]")), "invalid_input", "expected a JSON object");
    check_error(parsed(risk_report_json("{not json")), "invalid_input", "request: JSON: syntax error at byte 2: while parsing object key");
    check_error(parsed(risk_report_json("")), "invalid_input", "request: JSON: syntax error at byte 0");
    check_error(parsed(risk_report_json("{\"symbol\": \"A\", \"symbol\": \"B\"}")), "invalid_input", "request: JSON: duplicate key \"symbol\"");
    Json missing = series_request(100);
    missing.erase("closes");
    check_error(call_report(missing), "invalid_input", "closes");
    Json wrong = series_request(100);
    wrong["closes"][3] = "12.5";
    check_error(call_report(wrong), "invalid_input", "closes[3]");
    Json neg = series_request(100);
    neg["closes"][7] = -1;
    check_error(call_report(neg), "invalid_input", "closes[7]");
    Json shortreq = series_request(30);
    check_error(call_report(shortreq), "insufficient_history", "provided 30");
    Json vol = series_request(100);
    vol["volumes"].erase(0);
    check_error(call_report(vol), "invalid_input", "volumes");
    Json nullvol = series_request(100);
    nullvol["volumes"][99] = nullptr;  // a missing volume: the volume factor becomes unavailable
    const Json nv = call_report(nullvol);
    REQUIRE(nv["ok"] == true);
    CHECK(nv["report"]["risk_score"]["factors"][2]["available"] == false);
    Json dates = series_request(100);
    dates["dates"][5] = "2020/01/05";
    check_error(call_report(dates), "invalid_input", "dates[5]");
    Json opt = series_request(100);
    opt["options"] = {{"window", 10}};
    check_error(call_report(opt), "invalid_input", "options.window");
    Json badev = series_request(100);
    badev["events"] = Json::array({42});
    check_error(call_report(badev), "invalid_input", "events[0]");
    Json badmarket = series_request(100);
    badmarket["market"] = {{"dates", Json::array({"2020-01-01"})}, {"closes", Json::array()}};
    check_error(call_report(badmarket), "invalid_input", "market.");
    // Invalid UTF-8 in a request is an error naming its offset, not a throw.
    Json utf = series_request(100);
    utf["symbol"] = "";
    std::string text = utf.dump();
    const std::size_t at = text.find("\"symbol\":\"\"");
    text.replace(at, 11, "\"symbol\":\"\xff\xfe\"");
    check_error(parsed(risk_report_json(text)), "invalid_input", "request: JSON: syntax error at byte " + std::to_string(at + 10) + ": while parsing value - invalid string: ill-formed UTF-8");
}

TEST_CASE("optimize_portfolio_json: envelope, shapes and errors", "[risk]") {
    const auto dates = risk_test::make_dates(300);
    Json req = {{"assets", Json::array()}, {"risk_free_rate", 0.0}, {"shrinkage", "auto"}};
    for (int k = 0; k < 4; ++k)
        req["assets"].push_back({{"symbol", "S" + std::to_string(k)}, {"dates", dates}, {"closes", risk_test::random_walk(300, 0.01 + 0.005 * k, 40 + k)}});
    req["assets"][0]["events"] = Json::array({dates[10]});
    const Json ok = call_portfolio(req);
    INFO(ok.dump());
    REQUIRE(ok["ok"] == true);
    const Json& p = ok["portfolio"];
    CHECK(p["symbols"].size() == 4);
    CHECK(p["n_returns"] == 299);
    CHECK(p["covariance"]["matrix"].size() == 4);
    REQUIRE(p["portfolios"].size() == 4);
    for (const Json& q : p["portfolios"]) {
        double sum = 0, rc = 0;
        for (const Json& w : q["weights"]) { sum += w.get<double>(); CHECK(w.get<double>() >= 0); }
        for (const Json& c : q["risk_contributions"]) rc += c.get<double>();
        CHECK(sum == Approx(1).epsilon(1e-12));
        CHECK(rc == Approx(1).epsilon(1e-12));
    }
    Json fixed = req;
    fixed["shrinkage"] = 0.25;
    fixed["methods"] = Json::array({"risk_parity"});
    const Json f = call_portfolio(fixed);
    REQUIRE(f["ok"] == true);
    CHECK(f["portfolio"]["covariance"]["shrinkage"] == 0.25);
    CHECK(f["portfolio"]["portfolios"].size() == 1);

    Json one = req;
    one["assets"] = Json::array({req["assets"][0]});
    const Json o = call_portfolio(one);
    REQUIRE(o["ok"] == true);
    CHECK(o["portfolio"]["portfolios"][0]["weights"][0] == 1.0);

    check_error(call_portfolio(Json::object()), "invalid_input", "assets");
    Json sh = req;
    sh["shrinkage"] = "lots";
    check_error(call_portfolio(sh), "invalid_input", "shrinkage");
    Json sh2 = req;
    sh2["shrinkage"] = 1.5;
    check_error(call_portfolio(sh2), "invalid_input", "shrinkage");
    Json m = req;
    m["methods"] = Json::array({"max_sharpe", "yolo"});
    check_error(call_portfolio(m), "invalid_input", "yolo");
    Json rf = req;
    rf["risk_free_rate"] = "zero";
    check_error(call_portfolio(rf), "invalid_input", "risk_free_rate");
    Json dup = req;
    dup["assets"][1]["symbol"] = "S0";
    check_error(call_portfolio(dup), "invalid_input", "duplicate");
    Json lens = req;
    lens["assets"][2]["closes"].erase(0);
    check_error(call_portfolio(lens), "invalid_input", "assets[2].dates");
    Json flat = req;
    flat["assets"][3]["closes"] = std::vector<double>(300, 5.0);
    check_error(call_portfolio(flat), "singular", "S3");
    Json apart = req;
    apart["assets"][1]["dates"] = risk_test::make_dates(300, 2050);
    check_error(call_portfolio(apart), "insufficient_history", "provided 0");
}

TEST_CASE("risk report JSON for every NSE stock is complete and finite", "[risk]") {
    // Small sample of real series with their quirks: thin trading (KURV, KPLC-P7 flat), a recent
    // event (NBV 2020-12-01 split-like jump), a boundary GARCH fit (ARM).
    const auto events = risk_test::load_events();
    const PriceSeries nasi = risk_test::load_stock("NASI", "indices");
    for (const char* sym : {"SCOM", "KURV", "KPLC-P7", "NBV", "ARM", "BKG"}) {
        INFO(sym);
        const PriceSeries s = risk_test::load_stock(sym);
        auto r = risk_report(s, &nasi, events);
        REQUIRE(r.ok());
        const Json j = to_json(r.value());
        CHECK(all_finite(j));
        CHECK((j["volatility"]["method"] == "garch" || j["volatility"]["method"] == "ewma"));
        CHECK(j["risk_score"]["total"].get<double>() >= 0);
        CHECK(j["risk_score"]["total"].get<double>() <= 100);
    }
}

#include "stockcast/risk/json_api.hpp"

#include <cmath>
#include <limits>

namespace stockcast::risk {
namespace {

constexpr std::size_t kMaxRows = 200000;  // ~800 years of daily data: anything longer is a mistake

Error bad(std::string message) { return make_error(ErrorCode::invalid_input, std::move(message)); }

Status read_strings(const Json& obj, const char* key, const std::string& path, std::vector<std::string>& out) {
    const Json* v = json_find(obj, key);
    if (!v) return bad(path + key + ": required array of strings is missing");
    if (!v->is_array()) return bad(path + key + ": expected an array of strings, got " + v->type_name());
    if (v->size() > kMaxRows) return bad(path + key + ": expected at most " + std::to_string(kMaxRows) + " values, got " + std::to_string(v->size()));
    out.clear();
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
        const Json& e = (*v)[i];
        if (!e.is_string()) return bad(path + key + "[" + std::to_string(i) + "]: expected a string, got " + e.type_name());
        out.push_back(e.get<std::string>());
    }
    return Ok{};
}

// Numbers; null entries become NaN when allow_null (missing volume), else an error.
Status read_numbers(const Json& obj, const char* key, const std::string& path, bool allow_null, std::vector<double>& out) {
    const Json* v = json_find(obj, key);
    if (!v) return bad(path + key + ": required array of numbers is missing");
    if (!v->is_array()) return bad(path + key + ": expected an array of numbers, got " + v->type_name());
    if (v->size() > kMaxRows) return bad(path + key + ": expected at most " + std::to_string(kMaxRows) + " values, got " + std::to_string(v->size()));
    out.clear();
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
        const Json& e = (*v)[i];
        if (e.is_number()) out.push_back(e.get<double>());
        else if (allow_null && e.is_null()) out.push_back(std::numeric_limits<double>::quiet_NaN());
        else return bad(path + key + "[" + std::to_string(i) + "]: expected a number, got " + e.type_name());
    }
    return Ok{};
}

// Optional number in [lo, hi]; `integral` demands a whole number.
Status read_number(const Json& obj, const char* key, const std::string& path, double lo, double hi, bool integral, double& out) {
    const Json* v = json_find(obj, key);
    if (!v) return Ok{};
    if (!v->is_number()) return bad(path + key + ": expected a number, got " + v->type_name());
    const double x = v->get<double>();
    if (!(x >= lo && x <= hi) || (integral && x != std::floor(x)))
        return bad(path + key + ": expected " + (integral ? "an integer" : "a number") + " in [" + number_text(lo) + ", " + number_text(hi) +
                   "], got " + json_dump(*v));
    out = x;
    return Ok{};
}

Status read_int(const Json& obj, const char* key, const std::string& path, int lo, int hi, int& out) {
    double x = out;
    Status s = read_number(obj, key, path, lo, hi, true, x);
    if (s) out = static_cast<int>(x);
    return s;
}

Status read_symbol(const Json& obj, const std::string& path, const std::string& fallback, std::string& out) {
    const Json* v = json_find(obj, "symbol");
    if (!v) { out = fallback; return Ok{}; }
    if (!v->is_string()) return bad(path + "symbol: expected a string, got " + v->type_name());
    out = v->get<std::string>();
    if (out.size() > 64) return bad(path + "symbol: expected at most 64 characters, got " + std::to_string(out.size()));
    return Ok{};
}

// Event dates: each entry a date string or {"date": ..., "log_return": ..., "note": ...}.
Status read_events(const Json& obj, const std::string& path, const std::string& symbol, std::vector<PriceEvent>& out) {
    const Json* v = json_find(obj, "events");
    if (!v) return Ok{};
    if (!v->is_array()) return bad(path + "events: expected an array, got " + v->type_name());
    for (std::size_t i = 0; i < v->size(); ++i) {
        const Json& e = (*v)[i];
        const std::string at = path + "events[" + std::to_string(i) + "]";
        PriceEvent ev{symbol, "", 0.0, ""};
        if (e.is_string()) {
            ev.date = e.get<std::string>();
        } else if (e.is_object()) {
            const Json* d = json_find(e, "date");
            if (!d || !d->is_string()) return bad(at + ".date: expected a date string");
            ev.date = d->get<std::string>();
            if (const Json* r = json_find(e, "log_return")) {
                if (!r->is_number()) return bad(at + ".log_return: expected a number, got " + r->type_name());
                ev.log_return = r->get<double>();
            }
            if (const Json* nt = json_find(e, "note")) {
                if (!nt->is_string()) return bad(at + ".note: expected a string, got " + nt->type_name());
                ev.note = nt->get<std::string>();
            }
        } else {
            return bad(at + ": expected a date string or an object with a date, got " + e.type_name());
        }
        if (!is_iso_date(ev.date)) return bad(at + ": expected a YYYY-MM-DD date, got '" + ev.date + "'");
        out.push_back(std::move(ev));
    }
    return Ok{};
}

Status read_series(const Json& obj, const std::string& path, const std::string& symbol, bool with_volume, PriceSeries& s) {
    s.symbol = symbol;
    Status st = read_strings(obj, "dates", path, s.dates);
    if (st) st = read_numbers(obj, "closes", path, false, s.close);
    if (st && with_volume && json_find(obj, "volumes")) st = read_numbers(obj, "volumes", path, true, s.volume);
    if (!st) return st;
    s.low = s.close;
    s.high = s.close;
    const std::string name = path.empty() ? std::string("") : path;
    if (!(st = check_closes(s.close, name + "closes"))) return st;
    if (!(st = check_dates(s.dates, s.close.size(), name + "dates"))) return st;
    if (!s.volume.empty()) {
        if (s.volume.size() != s.close.size())
            return bad(name + "volumes: expected " + std::to_string(s.close.size()) + " values (one per close), got " + std::to_string(s.volume.size()));
        for (std::size_t i = 0; i < s.volume.size(); ++i)
            if (s.volume[i] < 0) return bad(name + "volumes[" + std::to_string(i) + "]: expected a number >= 0, got " + number_text(s.volume[i]));
    }
    return Ok{};
}

bool all_finite(const Json& j) {
    if (j.is_number_float()) return std::isfinite(j.get<double>());
    if (!j.is_structured()) return true;  // iterating a scalar would visit the scalar itself
    for (const Json& v : j)  // array elements or object values
        if (!all_finite(v)) return false;
    return true;
}

Result<Json> parse_request(const std::string& text) {
    auto parsed = parse_json(text);
    if (!parsed) return bad("request: " + parsed.error().message);
    if (!parsed.value().is_object()) return bad(std::string("request: expected a JSON object, got ") + parsed.value().type_name());
    return parsed;
}

// The *_dom entry points answer Result<Json>: an error is the Error itself.
Error error_response(Error e) { return e; }

// Last line of defence for "never NaN in an answer": a non-finite number is a bug, reported as such.
Result<Json> ok_response(const char* key, Json body) {
    if (!all_finite(body))
        return error_response(make_error(ErrorCode::not_converged, std::string(key) + ": a computed value was not finite (internal error)"));
    return body;
}

// The text entry points' envelope: {"ok": true, KEY: body} or {"ok": false, "error": {...}}.
std::string respond(const char* key, Result<Json> r) {
    if (!r) {
        const Error& e = r.error();
        const Json out = {{"ok", false},
                          {"error", {{"code", code_name(e.code)}, {"category", code_category(e.code)}, {"message", e.message}}}};
        return json_dump(out);
    }
    const Json out = {{"ok", true}, {key, std::move(r).value()}};
    return json_dump(out);
}

Json vec_json(const Vec& v) {
    Json a = Json::array();
    for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v[i]);
    return a;
}

Json matrix_json(const Eigen::MatrixXd& m) {
    Json a = Json::array();
    for (Eigen::Index i = 0; i < m.rows(); ++i) a.push_back(vec_json(m.row(i).transpose()));
    return a;
}

}  // namespace

Json to_json(const RiskReport& r) {
    Json factors = Json::array();
    for (const RiskFactor& f : r.score.factors)
        factors.push_back({{"name", f.name}, {"raw", f.raw}, {"score", f.score}, {"weight", f.weight}, {"available", f.available}});
    Json warnings = Json::array();
    for (const RiskWarning& w : r.score.warnings)
        warnings.push_back({{"code", w.code}, {"message", w.message}, {"value", w.value}, {"threshold", w.threshold}});
    const VolatilityModel& v = r.volatility;
    Json forecasts = Json::array();
    for (const VolForecast& f : v.forecasts)
        forecasts.push_back({{"horizon", f.horizon}, {"daily", f.daily}, {"cumulative", f.cumulative}, {"annualized", f.annualized}});
    Json var = Json::array();
    for (const VarEstimate& e : r.var)
        var.push_back({{"method", e.method}, {"level", e.level}, {"horizon", e.horizon}, {"var", e.var}, {"es", e.es}});
    const Drawdown& d = r.drawdown;
    const Indicators& ind = r.indicators;
    Json market = nullptr;
    if (r.market)
        market = {{"index", r.market->index}, {"beta", r.market->beta}, {"correlation", r.market->correlation},
                  {"n_returns", r.market->n_returns}, {"first_date", r.market->first_date}, {"last_date", r.market->last_date}};
    return {
        {"symbol", r.symbol},
        {"last_date", r.last_date},
        {"last_close", r.last_close},
        {"rows", r.rows},
        {"window", {{"returns", r.window_returns}, {"first_date", r.window_first_date}, {"last_date", r.last_date}}},
        {"events_neutralised", r.events_neutralised},
        {"risk_score", {{"total", r.score.total}, {"level", r.score.level}, {"factors", factors}, {"warnings", warnings},
                        {"max_rolling_swing", r.score.max_rolling_swing}}},
        {"volatility",
         {{"method", v.method}, {"converged", v.converged}, {"note", v.note},
          {"params", {{"omega", v.params.omega}, {"alpha", v.params.alpha}, {"beta", v.params.beta}}},
          {"persistence", v.persistence}, {"mean", v.mean}, {"long_run_vol", v.long_run_vol},
          {"current_vol", v.sigma.size() ? v.sigma[v.sigma.size() - 1] : 0.0}, {"next_day_vol", std::sqrt(v.next_variance)},
          {"log_likelihood", v.log_likelihood}, {"n_returns", v.n_returns}, {"evaluations", v.evaluations}, {"forecasts", forecasts}}},
        {"var", {{"convention", "loss as a positive fraction of position value (1 - exp(log return))"}, {"estimates", var}}},
        {"drawdown",
         {{"max_drawdown", d.max_drawdown}, {"peak_date", d.peak_date}, {"trough_date", d.trough_date},
          {"recovery_date", d.recovery_date.empty() ? Json(nullptr) : Json(d.recovery_date)}}},
        {"market", market},
        {"market_note", r.market_note},
        {"indicators",
         {{"rsi", ind.rsi}, {"rsi_label", ind.rsi_label}, {"macd", ind.macd}, {"signal", ind.signal}, {"histogram", ind.histogram},
          {"macd_label", ind.macd_label},
          {"volume_trend",
           {{"label", ind.volume.label}, {"ratio", ind.volume.ratio ? Json(*ind.volume.ratio) : Json(nullptr)},
            {"recent_mean", ind.volume.recent_mean}, {"previous_mean", ind.volume.previous_mean}}}}},
    };
}

Json to_json(const PortfolioReport& p, double risk_free_rate) {
    const CovarianceEstimate& c = p.covariance;
    Json portfolios = Json::array();
    for (const Portfolio& q : p.portfolios)
        portfolios.push_back({{"method", q.method}, {"weights", vec_json(q.weights)}, {"expected_return", q.expected_return},
                              {"volatility", q.volatility}, {"sharpe", q.sharpe}, {"risk_contributions", vec_json(q.risk_contributions)},
                              {"fallback", q.fallback}, {"note", q.note}});
    return {
        {"symbols", p.symbols},
        {"first_date", p.first_date},
        {"last_date", p.last_date},
        {"n_returns", c.n_returns},
        {"risk_free_rate", risk_free_rate},
        {"covariance",
         {{"annualized", true}, {"shrinkage", c.shrinkage}, {"shrinkage_estimate", c.shrinkage_estimate},
          {"condition_number", c.condition_number}, {"matrix", matrix_json(c.cov)},
          {"expected_returns", vec_json(c.mean)}, {"volatilities", vec_json(c.cov.diagonal().cwiseSqrt())}}},
        {"portfolios", portfolios},
    };
}

Result<Json> risk_report_dom(const Json& req) {
    if (!req.is_object()) return bad(std::string("request: expected a JSON object, got ") + req.type_name());

    PriceSeries s;
    std::string symbol;
    Status st = read_symbol(req, "", "", symbol);
    if (st) st = read_series(req, "", symbol, true, s);
    if (!st) return error_response(st.error());
    std::vector<PriceEvent> events;
    if (!(st = read_events(req, "", symbol, events))) return error_response(st.error());

    PriceSeries market;
    bool has_market = false;
    if (const Json* m = json_find(req, "market")) {
        if (!m->is_object()) return error_response(bad(std::string("market: expected an object, got ") + m->type_name()));
        std::string msym;
        st = read_symbol(*m, "market.", "NASI", msym);
        if (st) st = read_series(*m, "market.", msym, false, market);
        if (!st) return error_response(st.error());
        has_market = true;
    }

    RiskOptions opt;
    if (const Json* o = json_find(req, "options")) {
        if (!o->is_object()) return error_response(bad(std::string("options: expected an object, got ") + o->type_name()));
        st = read_int(*o, "window", "options.", 60, static_cast<int>(kMaxRows), opt.window);
        if (st) st = read_int(*o, "min_garch_returns", "options.", 20, static_cast<int>(kMaxRows), opt.garch.min_returns);
        if (st) st = read_number(*o, "ewma_lambda", "options.", 0.5, 0.999, false, opt.garch.ewma_lambda);
        if (!st) return error_response(st.error());
    }

    auto rep = risk_report(s, has_market ? &market : nullptr, events, opt);
    if (!rep) return error_response(rep.error());
    return ok_response("report", to_json(rep.value()));
}

Result<Json> optimize_portfolio_dom(const Json& req) {
    if (!req.is_object()) return bad(std::string("request: expected a JSON object, got ") + req.type_name());

    const Json* assets = json_find(req, "assets");
    if (!assets || !assets->is_array()) return error_response(bad("assets: expected an array of {symbol, dates, closes}"));
    if (assets->empty() || assets->size() > 100)
        return error_response(bad("assets: expected 1 to 100 assets, got " + std::to_string(assets->size())));
    std::vector<AssetSeries> series;
    for (std::size_t j = 0; j < assets->size(); ++j) {
        const Json& a = (*assets)[j];
        const std::string path = "assets[" + std::to_string(j) + "].";
        if (!a.is_object()) return error_response(bad(path.substr(0, path.size() - 1) + ": expected an object, got " + a.type_name()));
        AssetSeries as;
        Status st = read_symbol(a, path, "", as.symbol);
        if (st) st = read_strings(a, "dates", path, as.dates);
        if (st) st = read_numbers(a, "closes", path, false, as.close);
        std::vector<PriceEvent> events;
        if (st) st = read_events(a, path, as.symbol, events);
        if (!st) return error_response(st.error());
        for (const PriceEvent& e : events) as.event_dates.push_back(e.date);
        series.push_back(std::move(as));
    }

    PortfolioOptions opt;
    Status st = read_number(req, "risk_free_rate", "", -1, 1, false, opt.risk_free_rate);
    if (st) st = read_int(req, "window", "", 0, static_cast<int>(kMaxRows), opt.window);
    if (st) st = read_int(req, "min_returns", "", 2, static_cast<int>(kMaxRows), opt.min_returns);
    if (!st) return error_response(st.error());
    if (const Json* sh = json_find(req, "shrinkage")) {
        if (sh->is_string() && sh->get<std::string>() == "auto") opt.shrinkage = -1;
        else if (!(st = read_number(req, "shrinkage", "", 0, 1, false, opt.shrinkage)))
            return error_response(bad("shrinkage: expected \"auto\" or a number in [0, 1], got " + json_dump(*sh)));
    }
    if (json_find(req, "methods")) {
        std::vector<std::string> methods;
        if (!(st = read_strings(req, "methods", "", methods))) return error_response(st.error());
        if (methods.empty()) return error_response(bad("methods: expected at least one method"));
        opt.methods = methods;
    }

    auto rep = optimize_portfolio(series, opt);
    if (!rep) return error_response(rep.error());
    return ok_response("portfolio", to_json(rep.value(), opt.risk_free_rate));
}

std::string risk_report_json(const std::string& request_json) {
    auto parsed = parse_request(request_json);
    return respond("report", parsed ? risk_report_dom(parsed.value()) : Result<Json>(parsed.error()));
}

std::string optimize_portfolio_json(const std::string& request_json) {
    auto parsed = parse_request(request_json);
    return respond("portfolio", parsed ? optimize_portfolio_dom(parsed.value()) : Result<Json>(parsed.error()));
}

}  // namespace stockcast::risk

// The risk module's Embind bindings: conversions only, no logic. A request is one JavaScript
// object whose series are typed arrays (closes, volumes as Float64Array; dates as Int32Array of
// yyyymmdd numbers, turned into the core's date strings by risk::date_texts); it becomes the JSON
// API's request DOM, read by the same readers (core/src/risk/json_api.cpp: every check and error
// code of the JSON entry points), and the report DOM comes back as one JavaScript object. No JSON
// text on either side. Every call answers {ok: true, report | portfolio} or the error value.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"
#include "stockcast/risk/columns.hpp"
#include "stockcast/risk/json_api.hpp"

using namespace emscripten;
using stockcast::Json;
using stockcast::Result;
using stockcast::bindings::error_val;

namespace {

// A JavaScript value as the JSON request it stands for (what JSON.stringify would have sent):
// typed arrays as arrays of numbers, and under a key "dates" an Int32Array as date strings.
// undefined members are left out; integral numbers stay integers (error messages print them so).
Json json_of(const val& v, bool dates = false) {
    const std::string type = v.typeOf().as<std::string>();
    if (type == "number") {
        const double x = v.as<double>();
        if (std::floor(x) == x && std::fabs(x) <= 9007199254740992.0) return Json(static_cast<std::int64_t>(x));
        return Json(x);
    }
    if (type == "string") return Json(v.as<std::string>());
    if (type == "boolean") return Json(v.as<bool>());
    if (type != "object" || v.isNull()) return Json(nullptr);
    if (val::global("ArrayBuffer").call<bool>("isView", v)) {
        if (dates && v.instanceof(val::global("Int32Array")))
            return Json(stockcast::risk::date_texts(convertJSArrayToNumberVector<std::int32_t>(v)));
        return Json(convertJSArrayToNumberVector<double>(v));
    }
    if (val::global("Array").call<bool>("isArray", v)) {
        Json out = Json::array();
        const unsigned n = v["length"].as<unsigned>();
        for (unsigned i = 0; i < n; ++i) out.push_back(json_of(v[i]));
        return out;
    }
    Json out = Json::object();
    const val keys = val::global("Object").call<val>("keys", v);
    const unsigned n = keys["length"].as<unsigned>();
    for (unsigned i = 0; i < n; ++i) {
        const std::string key = keys[i].as<std::string>();
        const val member = v[key];
        if (!member.isUndefined()) out[key] = json_of(member, key == "dates");
    }
    return out;
}

// The core's report DOM as a JavaScript value.
val val_of(const Json& j) {
    if (j.is_null()) return val::null();
    if (j.is_boolean()) return val(j.get<bool>());
    if (j.is_number()) return val(j.get<double>());
    if (j.is_string()) return val(j.get<std::string>());
    if (j.is_array()) {
        val out = val::array();
        unsigned i = 0;
        for (const Json& e : j) out.set(i++, val_of(e));
        return out;
    }
    val out = val::object();
    for (const auto& [key, member] : j.items()) out.set(key, val_of(member));
    return out;
}

val answer(const char* key, const Result<Json>& r) {
    if (!r) return error_val(r.error());
    val out = val::object();
    out.set("ok", true);
    out.set(key, val_of(r.value()));
    return out;
}

// {symbol?, dates, closes, volumes?, events?, market?: {symbol?, dates, closes}, options?}
val risk_report(const val& request) { return answer("report", stockcast::risk::risk_report_dom(json_of(request))); }

// {assets: [{symbol, dates, closes, events?}], methods?, risk_free_rate?, shrinkage?, window?, min_returns?}
val optimize_portfolio(const val& request) {
    return answer("portfolio", stockcast::risk::optimize_portfolio_dom(json_of(request)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(stockcast_risk) {
    stockcast::bindings::register_error_view();
    function("riskReport", &risk_report);
    function("optimizePortfolio", &optimize_portfolio);
}

// The ensemble module's Embind bindings (stockcast-ensemble.wasm, fetched on the first ensemble or
// single-member prediction): conversions only, the logic is core/src/ensemble.cpp. One long-lived
// object crosses the boundary, Ensemble (JavaScript calls delete()). Histories come in as typed
// arrays; every call answers {ok: true, …} or the error value (docs/ensemble.md).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "loaded_model_binding.hpp"
#include "result.hpp"
#include "stockcast/ensemble.hpp"

using namespace emscripten;
using stockcast::Ensemble;
using stockcast::EnsembleAnswer;
using stockcast::Status;
using stockcast::bindings::bytes_of;
using stockcast::bindings::error_val;

namespace {

bool absent(const val& v) { return v.isNull() || v.isUndefined(); }

std::vector<double> numbers(const val& v) { return absent(v) ? std::vector<double>() : convertJSArrayToNumberVector<double>(v); }

Ensemble* load(const val& spec) {
    const std::vector<std::uint8_t> data = bytes_of(spec);
    return new Ensemble(data.data(), data.size());
}

val status_val(const Status& s) {
    if (!s) return error_val(s.error());
    val out = val::object();
    out.set("ok", true);
    return out;
}

val error_of(const Ensemble& e) { return e.error() ? error_val(*e.error()) : val::null(); }

val add_network(Ensemble& e, const std::string& name, const val& bytes, int stock_id) {
    const std::vector<std::uint8_t> data = bytes_of(bytes);
    return status_val(e.add_network(name, data.data(), data.size(), stock_id));
}

val add_learner(Ensemble& e, const std::string& name, const val& bytes) {
    const std::vector<std::uint8_t> data = bytes_of(bytes);
    return status_val(e.add_learner(name, data.data(), data.size()));
}

val answer_val(const EnsembleAnswer& a) {
    val out = val::object();
    out.set("ok", true);
    out.set("forecast", a.forecast);
    out.set("lastClose", a.last_close);
    out.set("confidence", a.confidence);
    out.set("cached", a.cached);
    out.set("window", a.window);
    val members = val::array();
    for (std::size_t i = 0; i < a.members.size(); ++i) {
        const auto& m = a.members[i];
        val v = val::object();
        v.set("name", m.name);
        v.set("kind", m.kind);
        v.set("included", m.included);
        v.set("reason", m.reason.empty() ? val::null() : val(m.reason));
        v.set("weight", m.weight);
        v.set("recentError", std::isfinite(m.recent_error) ? val(m.recent_error) : val::null());
        v.set("forecast", m.has_forecast ? val(m.forecast) : val::null());
        members.set(i, v);
    }
    out.set("members", members);
    return out;
}

// args: {key, high, low, close, volume, horizon, level}
val predict(Ensemble& e, const val& args) {
    if (absent(args)) return error_val(stockcast::input_error("args", "expected an object"));
    stockcast::EnsembleRequest r;
    const val key = args["key"];
    if (!absent(key) && !key.isString()) return error_val(stockcast::input_error("key", "expected a string (symbol|data date)"));
    if (!absent(key)) r.key = key.as<std::string>();
    r.high = numbers(args["high"]);
    r.low = numbers(args["low"]);
    r.close = numbers(args["close"]);
    r.volume = numbers(args["volume"]);
    const val h = args["horizon"], level = args["level"];
    if (!h.isNumber()) return error_val(stockcast::input_error("horizon", "expected a number of trading days"));
    const double hd = h.as<double>();
    if (!(hd >= 1 && hd <= stockcast::kMaxHorizon) || std::floor(hd) != hd)
        return error_val(stockcast::input_error("horizon", "expected an integer number of trading days"));
    r.horizon = static_cast<int>(hd);
    if (!absent(level)) {
        if (!level.isNumber()) return error_val(stockcast::input_error("level", "expected a number"));
        r.level = level.as<double>();
    }
    auto a = e.predict(r);
    return a ? answer_val(a.value()) : error_val(a.error());
}

// The spec's document as JSON text (window, members, validation metrics), for modelInfo().
std::string spec_text(const Ensemble& e) { return e.spec() ? stockcast::json_dump(e.spec()->document) : std::string(); }

std::string version() { return STOCKCAST_VERSION; }

}  // namespace

EMSCRIPTEN_BINDINGS(stockcast_ensemble) {
    stockcast::bindings::register_error_view();
    stockcast::bindings::register_horizon_forecast();
    stockcast::bindings::register_loaded_model();  // the Transformer (and any network file) on its own
    class_<Ensemble>("Ensemble")
        .constructor(&load, allow_raw_pointers())
        .function("error", &error_of)
        .function("spec", &spec_text)
        .function("addNetwork", &add_network)
        .function("addLearner", &add_learner)
        .function("predict", &predict)
        .function("cacheSize", &Ensemble::cache_size)
        .class_function("live", &Ensemble::live);
    function("version", &version);
}

// The factor module's Embind bindings (stockcast-factors.wasm, fetched on the first
// predictFactors() / models() call): conversions only, the logic is core/src/loaded_factor_model.cpp.
// One long-lived object crosses the boundary, FactorModel (the package calls delete() on
// dispose). Features come in as typed arrays; every call answers {ok: true, …} or the error value.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <vector>

#include "result.hpp"
#include "stockcast/loaded_factor_model.hpp"

using namespace emscripten;
using stockcast::FactorPrediction;
using stockcast::LoadedFactorModel;
using stockcast::bindings::error_val;

namespace {

bool absent(const val& v) { return v.isNull() || v.isUndefined(); }

std::vector<double> numbers(const val& v) { return absent(v) ? std::vector<double>() : convertJSArrayToNumberVector<double>(v); }

LoadedFactorModel* load(const val& bytes, bool verify_hash) {
    const val u8 = val::global("Uint8Array");
    std::vector<std::uint8_t> data;
    if (bytes.instanceof(u8)) data = convertJSArrayToNumberVector<std::uint8_t>(bytes);
    else if (bytes.instanceof(val::global("ArrayBuffer"))) data = convertJSArrayToNumberVector<std::uint8_t>(u8.new_(bytes));
    return new LoadedFactorModel(data.data(), data.size(), verify_hash);
}

val error_of(const LoadedFactorModel& m) { return m.error() ? error_val(*m.error()) : val::null(); }
std::string info_of(const LoadedFactorModel& m) { return m.info(); }

// {ok, value, p0?, p1?, label?, clamped?: [{field, value, min, max}]}
val prediction_val(const FactorPrediction& p) {
    val out = val::object();
    out.set("ok", true);
    out.set("value", p.value);
    if (!p.probabilities.empty()) {
        out.set("p0", p.probabilities[0]);
        out.set("p1", p.probabilities[1]);
        out.set("label", p.label);
    }
    if (!p.clamped.empty()) {
        val list = val::array();
        for (std::size_t i = 0; i < p.clamped.size(); ++i) {
            val c = val::object();
            c.set("field", p.clamped[i].field);
            c.set("value", p.clamped[i].value);
            c.set("min", p.clamped[i].min);
            c.set("max", p.clamped[i].max);
            list.set(i, c);
        }
        out.set("clamped", list);
    }
    return out;
}

val predict(LoadedFactorModel& m, const val& x, bool clamp) {
    auto r = m.predict(numbers(x), clamp);
    return r ? prediction_val(r.value()) : error_val(r.error());
}

val predict_history(LoadedFactorModel& m, const val& high, const val& low, const val& close, const val& volume, bool clamp) {
    std::vector<double> features;
    auto r = m.predict_history(numbers(high), numbers(low), numbers(close), numbers(volume), clamp, features);
    if (!r) return error_val(r.error());
    val out = prediction_val(r.value());
    out.set("features", val::global("Float64Array").new_(typed_memory_view(features.size(), features.data())));
    return out;
}

std::string version() { return STOCKCAST_VERSION; }

}  // namespace

EMSCRIPTEN_BINDINGS(stockcast_factors) {
    stockcast::bindings::register_error_view();
    class_<LoadedFactorModel>("FactorModel")
        .constructor(&load, allow_raw_pointers())
        .function("error", &error_of)
        .function("info", &info_of)
        .function("predict", &predict)
        .function("predictHistory", &predict_history)
        .class_function("live", &LoadedFactorModel::live);
    function("version", &version);
}

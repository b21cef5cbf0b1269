// The forecasting module's Embind bindings: conversions only, no logic (that is
// core/src/loaded_model.cpp). One long-lived object crosses the boundary, LoadedModel (JavaScript
// calls delete(); the package's registry does on eviction). Bulk numbers come in as typed arrays,
// copied in one TypedArray.set each; results go out as registered value objects. Nothing throws
// (the module is built with -fno-exceptions): every call answers a result, {ok: true, …} or the
// error value {ok: false, code, detail, message, field, required, provided} (ErrorView).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <vector>

#include "loaded_model_binding.hpp"
#include "result.hpp"
#include "stockcast/loaded_model.hpp"
#include "stockcast/routing.hpp"

using namespace emscripten;
using stockcast::Error;
using stockcast::Forecast;
using stockcast::LoadedModel;
using stockcast::RouteTable;
using stockcast::bindings::error_val;

namespace {

bool absent(const val& v) { return v.isNull() || v.isUndefined(); }

// A JavaScript array or typed array as numbers; null/undefined as empty.
template <class T>
std::vector<T> numbers(const val& v) {
    return absent(v) ? std::vector<T>() : convertJSArrayToNumberVector<T>(v);
}

val kernel_names() {
    val out = val::array();
    int i = 0;
    for (const char* name : stockcast::nn::kKernelNames) out.set(i++, std::string(name));
    return out;
}

std::vector<std::string> strings(const val& v) { return absent(v) ? std::vector<std::string>() : vecFromJSArray<std::string>(v); }

// The manifest's routing table, rebuilt in place (reset) when the manifest is indexed anew, so a
// call still holding the previous index never meets a deleted object.
RouteTable* new_route_table() { return new RouteTable(); }

void reset_routes(RouteTable& t, const val& symbols, const val& files, const val& model_types, const val& fallback_files,
                  const std::string& general_file) {
    t = stockcast::route_table(strings(symbols), strings(files), strings(model_types), strings(fallback_files), general_file);
}

// {ok, symbol, file, modelType, fallbackFile} or the model_not_found error value.
val route_of(const RouteTable& t, const std::string& symbol, bool has_history) {
    auto r = stockcast::route(t, symbol, has_history);
    if (!r) return error_val(r.error());
    val out(r.value());
    out.set("ok", true);
    return out;
}

std::string closest(const RouteTable& t, const std::string& symbol) { return stockcast::closest_symbol(t, symbol); }

std::string served_model_type(const std::string& routed, bool general_model, int stock_id) {
    return stockcast::served_model_type(routed, general_model, stock_id);
}

std::string confidence_of(const std::string& model_type) { return stockcast::confidence_of(model_type); }

std::string version() { return STOCKCAST_VERSION; }

// NaN when there are fewer than days + 1 closes (the package then answers insufficient_history).
double past_return(const val& closes, int days) { return stockcast::past_return(numbers<double>(closes), days); }

}  // namespace

EMSCRIPTEN_BINDINGS(stockcast) {
    using stockcast::HorizonForecast;
    stockcast::bindings::register_error_view();
    stockcast::bindings::register_horizon_forecast();
    stockcast::bindings::register_loaded_model();
    using stockcast::Route;
    value_object<Route>("Route")
        .field("symbol", &Route::symbol)
        .field("file", &Route::file)
        .field("modelType", &Route::model_type)
        .field("fallbackFile", &Route::fallback_file);
    class_<RouteTable>("RouteTable")
        .constructor(&new_route_table, allow_raw_pointers())
        .function("reset", &reset_routes)
        .function("route", &route_of)
        .function("closest", &closest);
    function("servedModelType", &served_model_type);
    function("confidenceOf", &confidence_of);
    function("version", &version);
    function("kernelNames", &kernel_names);
    function("pastReturn", &past_return);
}

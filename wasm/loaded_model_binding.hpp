// The LoadedModel class binding, shared by stockcast.wasm (the LSTM networks, on the predict path) and
// stockcast-ensemble.wasm (which also serves the Transformer: predict({ model: 'transformer' }) and the
// golden-parity tests load it there). Conversions only; the logic is core/src/loaded_model.cpp.
#pragma once

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"
#include "stockcast/loaded_model.hpp"

namespace stockcast::bindings::loaded_model {

using emscripten::val;

inline bool absent(const val& v) { return v.isNull() || v.isUndefined(); }

// A JavaScript array or typed array as numbers; null/undefined as empty.
template <class T>
std::vector<T> numbers(const val& v) {
    return absent(v) ? std::vector<T>() : emscripten::convertJSArrayToNumberVector<T>(v);
}

inline val forecast_val(const Forecast& f) {
    val out = val::object();
    out.set("ok", true);
    out.set("lastClose", f.last_close);
    val horizons = val::array();
    for (std::size_t i = 0; i < f.horizons.size(); ++i) horizons.set(i, f.horizons[i]);
    out.set("horizons", horizons);
    return out;
}

// The model file's bytes: a Uint8Array (or any typed array / ArrayBuffer, viewed as bytes).
inline LoadedModel* load(const val& bytes, bool verify_hash) {
    const std::vector<std::uint8_t> data = stockcast::bindings::bytes_of(bytes);
    return new LoadedModel(data.data(), data.size(), verify_hash);
}

inline val error_of(const LoadedModel& m) { return m.error() ? error_val(*m.error()) : val::null(); }

inline val header_of(const LoadedModel& m) { return m.error() ? val::null() : val(m.header()); }

// {ok, y: Float32Array(batch × outputs)}.
inline val forward(LoadedModel& m, const val& x, const val& ids, int batch) {
    auto r = m.forward(numbers<float>(x), numbers<int>(ids), batch);
    if (!r) return error_val(r.error());
    const std::vector<float>& y = *r.value();
    val out = val::object();
    out.set("ok", true);
    out.set("y", val::global("Float32Array").new_(emscripten::typed_memory_view(y.size(), y.data())));  // a copy
    return out;
}

inline val predict(const LoadedModel& m, const val& closes, const val& volumes, int stock_id, double level) {
    auto f = m.predict(numbers<double>(closes), numbers<double>(volumes), stock_id, level);
    return f ? forecast_val(f.value()) : error_val(f.error());
}

// {ok, results: [forecast or error value, per history]}.
inline val predict_batch(const LoadedModel& m, const val& closes, const val& volumes, const val& offsets, const val& ids, double level) {
    auto batch = m.predict_batch(numbers<double>(closes), numbers<double>(volumes), numbers<int>(offsets), numbers<int>(ids), level);
    if (!batch) return error_val(batch.error());
    val results = val::array();
    const auto& items = batch.value();
    for (std::size_t i = 0; i < items.size(); ++i) results.set(i, items[i] ? forecast_val(items[i].value()) : error_val(items[i].error()));
    val out = val::object();
    out.set("ok", true);
    out.set("results", results);
    return out;
}

// {ok, kernel} (the kernel that serves: int16 keeps float32 on a model whose test vector it misses) or an error value.
inline val use_kernel(LoadedModel& m, const std::string& name) {
    auto k = stockcast::nn::kernel_named(name);
    if (!k) return error_val(k.error());
    auto r = m.use_kernel(k.value());
    if (!r) return error_val(r.error());
    val out = val::object();
    out.set("ok", true);
    out.set("kernel", std::string(stockcast::nn::kernel_name(r.value())));
    return out;
}

}  // namespace stockcast::bindings::loaded_model

namespace stockcast::bindings {

inline void register_loaded_model() {
    using namespace loaded_model;
    emscripten::class_<LoadedModel>("LoadedModel")
        .constructor(&load, emscripten::allow_raw_pointers())
        .function("error", &error_of)
        .function("header", &header_of)
        .function("forward", &forward)
        .function("predict", &predict)
        .function("predictBatch", &predict_batch)
        .function("useKernel", &use_kernel)
        .class_function("live", &LoadedModel::live);
}

}  // namespace stockcast::bindings

// What the modules' bindings share: the error value every call may answer instead of its result,
// the HorizonForecast value object (stockcast.wasm and stockcast-ensemble.wasm answer the same
// fields) and the bytes of a model or spec file.
#pragma once

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <vector>

#include "stockcast/error_view.hpp"
#include "stockcast/forecast.hpp"

namespace stockcast::bindings {

// {ok: false, code, detail, message, field, required, provided} (web/src/errors.js coreError).
inline emscripten::val error_val(const Error& e) {
    emscripten::val out(error_view(e));
    out.set("ok", false);
    return out;
}

inline void register_error_view() {
    emscripten::value_object<ErrorView>("ErrorView")
        .field("code", &ErrorView::code)
        .field("detail", &ErrorView::detail)
        .field("message", &ErrorView::message)
        .field("field", &ErrorView::field)
        .field("required", &ErrorView::required)
        .field("provided", &ErrorView::provided)
        .field("value", &ErrorView::value)
        .field("min", &ErrorView::min)
        .field("max", &ErrorView::max);
}

inline void register_horizon_forecast() {
    emscripten::value_object<HorizonForecast>("HorizonForecast")
        .field("horizon", &HorizonForecast::horizon)
        .field("logReturn", &HorizonForecast::log_return)
        .field("expectedReturn", &HorizonForecast::expected_return)
        .field("price", &HorizonForecast::price)
        .field("lower", &HorizonForecast::lower)
        .field("upper", &HorizonForecast::upper)
        .field("level", &HorizonForecast::level)
        .field("direction", &HorizonForecast::direction)
        .field("pBearish", &HorizonForecast::p_bearish)
        .field("pNeutral", &HorizonForecast::p_neutral)
        .field("pBullish", &HorizonForecast::p_bullish)
        .field("confidenceScore", &HorizonForecast::confidence_score);
}

// A file's bytes: a Uint8Array (or any typed array / ArrayBuffer, viewed as bytes); else empty.
inline std::vector<std::uint8_t> bytes_of(const emscripten::val& bytes) {
    using emscripten::val;
    const val u8 = val::global("Uint8Array");
    if (bytes.isNull() || bytes.isUndefined()) return {};
    if (bytes.instanceof(u8)) return emscripten::convertJSArrayToNumberVector<std::uint8_t>(bytes);
    if (bytes.instanceof(val::global("ArrayBuffer"))) return emscripten::convertJSArrayToNumberVector<std::uint8_t>(u8.new_(bytes));
    if (!bytes["buffer"].isUndefined() && !bytes["buffer"].isNull())
        return emscripten::convertJSArrayToNumberVector<std::uint8_t>(u8.new_(bytes["buffer"], bytes["byteOffset"], bytes["byteLength"]));
    return {};
}

}  // namespace stockcast::bindings

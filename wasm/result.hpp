// What both modules' bindings share: the error value every call may answer instead of its result.
#pragma once

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "stockcast/error_view.hpp"

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

}  // namespace stockcast::bindings

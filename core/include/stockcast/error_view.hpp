// An error as JavaScript receives it from the WebAssembly bindings (web/src/errors.js coreError):
// the coarse category as `code`, the fine code name as `detail`; required/provided are -1 unless
// the error is insufficient_history;
// value/min/max are set for out_of_range. Registered once per module as an Embind value object.
#pragma once

#include <string>

#include "stockcast/error.hpp"

namespace stockcast {

struct ErrorView {
    std::string code, detail, message, field;
    double required = -1, provided = -1;
    double value = 0, min = 0, max = 0;  // out_of_range
};

ErrorView error_view(const Error& e);

}  // namespace stockcast

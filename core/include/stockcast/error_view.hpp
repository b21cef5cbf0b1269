// An error as JavaScript receives it from the WebAssembly bindings (web/src/errors.js coreError):
// the coarse category as `code`, the fine code name as `detail`; required/provided are -1 unless
// the error is insufficient_history. Registered once per module as an Embind value object.
#pragma once

#include <string>

#include "stockcast/error.hpp"

namespace stockcast {

struct ErrorView {
    std::string code, detail, message, field;
    double required = -1, provided = -1;
};

ErrorView error_view(const Error& e);

}  // namespace stockcast

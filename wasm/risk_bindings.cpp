// The risk module's C ABI: JSON text in, JSON text out; no logic here. The JSON entry points
// never throw and always answer {"ok": ...} (core/include/stockcast/risk/json_api.hpp). The
// .wasm is standalone; web/src/wasm.js (instantiateRisk) is its caller.
#include <cstdint>
#include <string>

#include "abi.hpp"
#include "stockcast/risk/json_api.hpp"

namespace {

std::string g_response;

const char* respond(std::string text) {
    g_response = std::move(text);
    return g_response.data();
}

}  // namespace

// Bytes of the last response (it is not NUL-terminated for the caller's purposes).
SC_EXPORT std::uint32_t sc_response_size() { return static_cast<std::uint32_t>(g_response.size()); }

SC_EXPORT const char* sc_risk_report(const char* request, std::uint32_t size) {
    return respond(stockcast::risk::risk_report_json(std::string(request, size)));
}

SC_EXPORT const char* sc_optimize_portfolio(const char* request, std::uint32_t size) {
    return respond(stockcast::risk::optimize_portfolio_json(std::string(request, size)));
}

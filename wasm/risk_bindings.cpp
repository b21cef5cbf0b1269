// Embind exports of the risk engine: JSON string in, JSON string out. No logic here; the JSON
// entry points never throw and always return {"ok": ...} (see core/include/stockcast/risk/json_api.hpp).
#include <emscripten/bind.h>

#include <string>

#include "stockcast/risk/json_api.hpp"

namespace {

std::string risk_report(std::string request) { return stockcast::risk::risk_report_json(request); }
std::string optimize_portfolio(std::string request) { return stockcast::risk::optimize_portfolio_json(request); }

}  // namespace

EMSCRIPTEN_BINDINGS(stockcast_risk) {
    emscripten::function("riskReportJson", &risk_report);
    emscripten::function("optimizePortfolioJson", &optimize_portfolio);
}

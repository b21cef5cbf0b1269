// JSON in, JSON out: the risk engine's boundary for the WASM binding and the CLI.
// Never throws: malformed JSON, wrong types and bad values come back as
//   {"ok": false, "error": {"code": "invalid_input", "category": "invalid_input", "message": "..."}}
// and a success as {"ok": true, "report": {...}} / {"ok": true, "portfolio": {...}}.
// Request and response shapes: docs/risk.md.
#pragma once

#include <string>

#include "stockcast/json.hpp"
#include "stockcast/risk/portfolio.hpp"
#include "stockcast/risk/report.hpp"

namespace stockcast::risk {

Json to_json(const RiskReport& report);
Json to_json(const PortfolioReport& report, double risk_free_rate);

// Request: {"symbol": "SCOM", "dates": [...], "closes": [...], "volumes": [...]?,
//           "market": {"symbol": "NASI", "dates": [...], "closes": [...]}?,
//           "events": [{"date": "2019-06-17", "log_return": -1.25, "note": "..."} | "2019-06-17", ...]?,
//           "options": {"window": 1000, "min_garch_returns": 250, "ewma_lambda": 0.94}?}
std::string risk_report_json(const std::string& request_json);

// Request: {"assets": [{"symbol": "SCOM", "dates": [...], "closes": [...], "events": ["2019-06-17"]?}, ...],
//           "risk_free_rate": 0?, "shrinkage": "auto" | 0.1?, "window": 750?, "min_returns": 60?,
//           "methods": ["equal_weight", "min_variance", "max_sharpe", "risk_parity"]?}
std::string optimize_portfolio_json(const std::string& request_json);

// The same on a request already in memory (the WebAssembly binding builds it from typed arrays):
// the report / portfolio body, or the error; the same checks and error codes as the text forms.
Result<Json> risk_report_dom(const Json& request);
Result<Json> optimize_portfolio_dom(const Json& request);

}  // namespace stockcast::risk

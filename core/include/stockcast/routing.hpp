// Which model file serves a symbol: the one routing rule of the CLI, the backtest and the
// package (through the WebAssembly binding).
//   1. A symbol the manifest lists is served by its own entry's file, as the manifest's
//      model_type says: "stock_specific" (its own model; the general model, or the entry's
//      fallback, serves it when that file cannot be loaded) or "general" (a stock the general
//      model was trained on).
//   2. A symbol the manifest does not list is served by the general model with a neutral stock
//      embedding ("general_unseen") when the caller has its price history and the manifest has a
//      general model.
//   3. Otherwise: model_not_found, naming the closest listed symbol.
// Symbols compare without regard to ASCII case.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stockcast/error.hpp"

namespace stockcast {

struct RouteEntry {
    std::string symbol;
    std::string file;           // model file, relative to the manifest
    std::string model_type;     // "stock_specific" | "general"
    std::string fallback_file;  // stock_specific: serves when `file` fails; empty: the general model
};

struct RouteTable {
    std::vector<RouteEntry> stocks;  // in manifest order (the suggestion prefers earlier ones on ties)
    std::string general_file;        // empty: the manifest has no general model
};

struct Route {
    std::string symbol;          // as listed in the manifest (or upper-cased, for an unseen one)
    std::string file;
    std::string model_type;      // "stock_specific" | "general" | "general_unseen"
    std::string fallback_file;   // empty: no fallback
};

Result<Route> route(const RouteTable& table, std::string_view symbol, bool has_history);

// A table from parallel columns, one cell per listed stock (the package's manifest index hands
// them over the WebAssembly boundary); a missing cell is empty.
RouteTable route_table(const std::vector<std::string>& symbols, const std::vector<std::string>& files,
                       const std::vector<std::string>& model_types, const std::vector<std::string>& fallback_files,
                       std::string general_file);

// The listed symbol nearest to `symbol` (edit distance, a prefix relation counting half a step
// closer); empty when the table lists none.
std::string closest_symbol(const RouteTable& table, std::string_view symbol);

// The model type a loaded model serves a routed symbol as: a general model without an embedding
// row for it (stock_id < 0) serves it as "general_unseen", whatever the manifest said.
std::string served_model_type(std::string_view routed_type, bool general_model, int stock_id);

// "high" (stock_specific), "medium" (general), "low" (general_unseen).
const char* confidence_of(std::string_view model_type);

}  // namespace stockcast

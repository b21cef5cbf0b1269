// Files and CSV in the layout of models/data/nse/ (library stockcast_native: not in the
// WebAssembly modules). prices/*.csv rows:
//   date,low,high,close,prev_close,volume   (ISO dates, ascending; volume empty for indices)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stockcast/data.hpp"
#include "stockcast/error.hpp"

namespace stockcast {

// Parses CSV text. Rejects (invalid_input, naming the line) non-numeric or non-finite
// values, close <= 0, malformed or non-increasing dates. Empty low/high fall back to close.
Result<PriceSeries> parse_price_csv(std::string_view text, std::string symbol);
Result<PriceSeries> load_price_csv(const std::string& path, std::string symbol);

// events.csv: one PriceEvent a row.
Result<std::vector<PriceEvent>> load_events_csv(const std::string& path);

// One row of symbols.csv.
struct SymbolInfo {
    std::string symbol, name, sector;
};
Result<std::vector<SymbolInfo>> load_symbols_csv(const std::string& path);

// Reads a whole file; invalid_input naming the path when it cannot.
Result<std::string> read_text_file(const std::string& path);

}  // namespace stockcast

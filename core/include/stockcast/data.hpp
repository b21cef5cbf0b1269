// Daily price series in the layout of models/data/nse/prices/*.csv:
//   date,low,high,close,prev_close,volume   (ISO dates, ascending; volume empty for indices)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stockcast/error.hpp"

namespace stockcast {

struct PriceSeries {
    std::string symbol;
    std::vector<std::string> dates;  // YYYY-MM-DD, strictly increasing
    std::vector<double> low, high, close;
    std::vector<double> volume;      // NaN where the file has none (indices)

    std::size_t size() const { return close.size(); }
    // Index of the first row with date >= `date` (size() if none).
    std::size_t lower_bound(std::string_view date) const;
};

// Parses CSV text. Rejects (invalid_input, naming the line) non-numeric or non-finite
// values, close <= 0, malformed or non-increasing dates. Empty low/high fall back to close.
Result<PriceSeries> parse_price_csv(std::string_view text, std::string symbol);
Result<PriceSeries> load_price_csv(const std::string& path, std::string symbol);

// One row of events.csv: a suspected split / glitch, the return from the previous row to `date`.
struct PriceEvent {
    std::string symbol;
    std::string date;
    double log_return;
    std::string note;
};
Result<std::vector<PriceEvent>> load_events_csv(const std::string& path);

// One row of symbols.csv.
struct SymbolInfo {
    std::string symbol, name, sector;
};
Result<std::vector<SymbolInfo>> load_symbols_csv(const std::string& path);

// Reads a whole file; invalid_input naming the path when it cannot.
Result<std::string> read_text_file(const std::string& path);

// True for a well-formed ISO date YYYY-MM-DD (digits and dashes in place; month 1-12, day 1-31).
bool is_iso_date(std::string_view s);

}  // namespace stockcast

// Daily price series and events, as the core (and the WebAssembly modules) see them. Reading
// them from files is native only: stockcast/data_files.hpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

// A suspected split / glitch, the return from the previous row to `date`.
struct PriceEvent {
    std::string symbol;
    std::string date;
    double log_return;
    std::string note;
};

// True for a well-formed ISO date YYYY-MM-DD (digits and dashes in place; month 1-12, day 1-31).
bool is_iso_date(std::string_view s);

}  // namespace stockcast

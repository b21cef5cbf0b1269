#include "stockcast/data.hpp"

namespace stockcast {

bool is_iso_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return false;
    const int month = (s[5] - '0') * 10 + (s[6] - '0');
    const int day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::size_t PriceSeries::lower_bound(std::string_view date) const {
    std::size_t lo = 0, hi = dates.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (dates[mid] < date) lo = mid + 1; else hi = mid;
    }
    return lo;
}

}  // namespace stockcast

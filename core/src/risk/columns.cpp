#include "stockcast/risk/columns.hpp"

namespace stockcast::risk {

std::string date_text(std::int32_t v) {
    if (v < 0 || v > 99999999) return "";
    std::string s = "0000-00-00";
    const int digits[8] = {v / 10000000, v / 1000000 % 10, v / 100000 % 10, v / 10000 % 10, v / 1000 % 10, v / 100 % 10, v / 10 % 10, v % 10};
    const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(at[i])] = static_cast<char>('0' + digits[i]);
    return s;
}

std::vector<std::string> date_texts(const std::vector<std::int32_t>& yyyymmdd) {
    std::vector<std::string> out;
    out.reserve(yyyymmdd.size());
    for (std::int32_t v : yyyymmdd) out.push_back(date_text(v));
    return out;
}

}  // namespace stockcast::risk

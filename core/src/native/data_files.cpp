#include "stockcast/data_files.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

namespace stockcast {
namespace {

// Splits one CSV line; fields may be double-quoted ("" escapes a quote).
std::vector<std::string> split_csv_line(std::string_view line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { fields.back() += '"'; ++i; }
            else if (c == '"') quoted = false;
            else fields.back() += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c != '\r') {
            fields.back() += c;
        }
    }
    return fields;
}

// Calls fn(line_number, fields) for each non-empty line after the header.
template <class Fn>
Status for_each_row(std::string_view text, std::size_t min_fields, std::string_view what, Fn fn) {
    std::size_t pos = 0, line_no = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (line_no == 1 || line.empty() || line == "\r") continue;
        auto fields = split_csv_line(line);
        if (fields.size() < min_fields)
            return make_error(ErrorCode::invalid_input, std::string(what) + " line " + std::to_string(line_no) +
                                                            ": expected " + std::to_string(min_fields) +
                                                            " fields, got " + std::to_string(fields.size()));
        Status s = fn(line_no, fields);
        if (!s) return s;
    }
    return Ok{};
}

bool parse_number(const std::string& s, double& out) {
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return errno == 0 && end == s.c_str() + s.size() && std::isfinite(out);
}

}  // namespace

Result<PriceSeries> parse_price_csv(std::string_view text, std::string symbol) {
    PriceSeries ps;
    ps.symbol = std::move(symbol);
    const std::string where = "prices of " + ps.symbol;
    Status s = for_each_row(text, 4, where, [&](std::size_t line_no, const std::vector<std::string>& f) -> Status {
        const std::string at = where + " line " + std::to_string(line_no);
        if (!is_iso_date(f[0])) return make_error(ErrorCode::invalid_input, at + ": date '" + f[0] + "' is not YYYY-MM-DD");
        if (!ps.dates.empty() && f[0] <= ps.dates.back())
            return make_error(ErrorCode::invalid_input, at + ": date " + f[0] + " is not after " + ps.dates.back());
        double close = 0;
        if (!parse_number(f[3], close) || close <= 0)
            return make_error(ErrorCode::invalid_input, at + ": close '" + f[3] + "' is not a positive number");
        double low = close, high = close, volume = std::numeric_limits<double>::quiet_NaN();
        if (!f[1].empty() && (!parse_number(f[1], low) || low <= 0))
            return make_error(ErrorCode::invalid_input, at + ": low '" + f[1] + "' is not a positive number");
        if (!f[2].empty() && (!parse_number(f[2], high) || high <= 0))
            return make_error(ErrorCode::invalid_input, at + ": high '" + f[2] + "' is not a positive number");
        if (f.size() > 5 && !f[5].empty() && (!parse_number(f[5], volume) || volume < 0))
            return make_error(ErrorCode::invalid_input, at + ": volume '" + f[5] + "' is not a number >= 0");
        ps.dates.push_back(f[0]);
        ps.low.push_back(low);
        ps.high.push_back(high);
        ps.close.push_back(close);
        ps.volume.push_back(volume);
        return Ok{};
    });
    if (!s) return s.error();
    return ps;
}

Result<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::invalid_input, "cannot open file '" + path + "'");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

Result<PriceSeries> load_price_csv(const std::string& path, std::string symbol) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    return parse_price_csv(text.value(), std::move(symbol));
}

Result<std::vector<PriceEvent>> load_events_csv(const std::string& path) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    std::vector<PriceEvent> events;
    Status s = for_each_row(text.value(), 4, path, [&](std::size_t line_no, const std::vector<std::string>& f) -> Status {
        double r = 0;
        if (!is_iso_date(f[1]) || !parse_number(f[2], r))
            return make_error(ErrorCode::invalid_input, path + " line " + std::to_string(line_no) + ": bad date or log_return");
        events.push_back(PriceEvent{f[0], f[1], r, f[3]});
        return Ok{};
    });
    if (!s) return s.error();
    return events;
}

Result<std::vector<SymbolInfo>> load_symbols_csv(const std::string& path) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    std::vector<SymbolInfo> out;
    Status s = for_each_row(text.value(), 3, path, [&](std::size_t, const std::vector<std::string>& f) -> Status {
        out.push_back(SymbolInfo{f[0], f[1], f[2]});
        return Ok{};
    });
    if (!s) return s.error();
    return out;
}

}  // namespace stockcast

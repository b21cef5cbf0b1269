#include "stockcast/risk/stats.hpp"

#include <algorithm>
#include <cmath>

namespace stockcast::risk {

Status check_closes(const std::vector<double>& close, std::string_view field) {
    if (close.empty()) return make_error(ErrorCode::invalid_input, std::string(field) + ": expected a non-empty array, got 0 values");
    for (std::size_t i = 0; i < close.size(); ++i)
        if (!std::isfinite(close[i]) || close[i] <= 0)
            return make_error(ErrorCode::invalid_input, std::string(field) + "[" + std::to_string(i) +
                                                            "]: expected a finite price > 0, got " +
                                                            number_text(close[i]));
    return Ok{};
}

Status check_dates(const std::vector<std::string>& dates, std::size_t n, std::string_view field) {
    if (dates.size() != n)
        return make_error(ErrorCode::invalid_input, std::string(field) + ": expected " + std::to_string(n) +
                                                        " dates (one per close), got " + std::to_string(dates.size()));
    for (std::size_t i = 0; i < dates.size(); ++i) {
        if (!is_iso_date(dates[i]))
            return make_error(ErrorCode::invalid_input, std::string(field) + "[" + std::to_string(i) + "]: expected YYYY-MM-DD, got '" + dates[i] + "'");
        if (i > 0 && dates[i] <= dates[i - 1])
            return make_error(ErrorCode::invalid_input, std::string(field) + "[" + std::to_string(i) + "]: dates must be strictly increasing, got " +
                                                            dates[i - 1] + " then " + dates[i]);
    }
    return Ok{};
}

Status check_series(const PriceSeries& s) {
    const std::string name = s.symbol.empty() ? std::string("series") : s.symbol;
    Status st = check_closes(s.close, name + ".close");
    if (!st) return st;
    st = check_dates(s.dates, s.close.size(), name + ".dates");
    if (!st) return st;
    if (!s.volume.empty()) {
        if (s.volume.size() != s.close.size())
            return make_error(ErrorCode::invalid_input, name + ".volume: expected " + std::to_string(s.close.size()) +
                                                            " values (or none), got " + std::to_string(s.volume.size()));
        for (std::size_t i = 0; i < s.volume.size(); ++i)
            if (std::isinf(s.volume[i]) || s.volume[i] < 0)  // NaN means "not available"
                return make_error(ErrorCode::invalid_input, name + ".volume[" + std::to_string(i) + "]: expected a number >= 0, got " +
                                                                number_text(s.volume[i]));
    }
    return Ok{};
}

Vec log_returns(VecRef close) {
    const Eigen::Index n = close.size();
    if (n < 2) return Vec();
    return (close.tail(n - 1).array() / close.head(n - 1).array()).log().matrix();
}

Vec adjusted_log_returns(const PriceSeries& s, const std::vector<PriceEvent>& events, std::vector<std::string>* neutralised) {
    Vec r = log_returns(Eigen::Map<const Vec>(s.close.data(), static_cast<Eigen::Index>(s.close.size())));
    for (const PriceEvent& e : events) {
        if (e.symbol != s.symbol) continue;
        const std::size_t i = s.lower_bound(e.date);
        if (i == 0 || i >= s.size() || s.dates[i] != e.date) continue;  // no return ends on that date here
        r[static_cast<Eigen::Index>(i - 1)] = 0.0;
        if (neutralised) neutralised->push_back(e.date);
    }
    if (neutralised) {
        std::sort(neutralised->begin(), neutralised->end());
        neutralised->erase(std::unique(neutralised->begin(), neutralised->end()), neutralised->end());
    }
    return r;
}

double mean(VecRef x) { return x.size() == 0 ? 0.0 : x.mean(); }

double sample_std(VecRef x) {
    if (x.size() < 2) return 0.0;
    const double m = x.mean();
    const double ss = (x.array() - m).square().sum();
    return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

double population_std(VecRef x) {
    if (x.size() == 0) return 0.0;
    const double m = x.mean();
    return std::sqrt((x.array() - m).square().sum() / static_cast<double>(x.size()));
}

double quantile_sorted(VecRef sorted, double p) {
    const Eigen::Index n = sorted.size();
    if (n == 0) return 0.0;
    const double h = static_cast<double>(n - 1) * std::clamp(p, 0.0, 1.0);
    const auto lo = static_cast<Eigen::Index>(std::floor(h));
    const Eigen::Index hi = std::min(lo + 1, n - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

Aligned align_by_date(const std::vector<const std::vector<std::string>*>& dates,
                      const std::vector<const std::vector<double>*>& closes) {
    Aligned out;
    const std::size_t k = dates.size();
    if (k == 0 || closes.size() != k) return out;
    // A k-way merge: walk the first series and advance every other one to the same date.
    std::vector<std::size_t> pos(k, 0), rows;  // rows: k row indices per common date, flat
    for (std::size_t i0 = 0; i0 < dates[0]->size(); ++i0) {
        const std::string& d = (*dates[0])[i0];
        bool all = true;
        for (std::size_t s = 1; s < k && all; ++s) {
            const auto& ds = *dates[s];
            while (pos[s] < ds.size() && ds[pos[s]] < d) ++pos[s];
            all = pos[s] < ds.size() && ds[pos[s]] == d;
        }
        if (!all) continue;
        out.dates.push_back(d);
        rows.push_back(i0);
        for (std::size_t s = 1; s < k; ++s) rows.push_back(pos[s]);
    }
    const std::size_t n = out.dates.size();
    out.close.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t s = 0; s < k; ++s)
            out.close(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(s)) = (*closes[s])[rows[r * k + s]];
    return out;
}

}  // namespace stockcast::risk

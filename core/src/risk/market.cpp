#include "stockcast/risk/market.hpp"

#include <algorithm>
#include <cmath>

#include "stockcast/risk/stats.hpp"

namespace stockcast::risk {

Result<MarketStats> market_beta(const PriceSeries& stock, const PriceSeries& index, const std::vector<PriceEvent>& events,
                                int window) {
    for (const PriceSeries* s : {&stock, &index}) {
        Status st = check_series(*s);
        if (!st) return st.error();
    }
    const Aligned a = align_by_date({&stock.dates, &index.dates}, {&stock.close, &index.close});
    const Eigen::Index rows = static_cast<Eigen::Index>(a.dates.size());
    Eigen::Index m = std::max<Eigen::Index>(rows - 1, 0);
    if (window > 0) m = std::min<Eigen::Index>(m, window);
    if (m < 30)
        return make_error(ErrorCode::insufficient_history, "beta to " + index.symbol + ": requires 30 returns on dates common to " + stock.symbol +
                                                               " and the index, provided " + std::to_string(m));
    const Eigen::Index first = rows - 1 - m;  // returns end on rows first+1 .. rows-1
    Vec rs(m), rm(m);
    for (Eigen::Index i = 0; i < m; ++i) {
        const Eigen::Index t = first + 1 + i;
        rs[i] = std::log(a.close(t, 0) / a.close(t - 1, 0));
        rm[i] = std::log(a.close(t, 1) / a.close(t - 1, 1));
    }
    // A jump at an event date of the stock is a series break, not market co-movement.
    const auto window_start = a.dates.begin() + first + 1;
    for (const PriceEvent& e : events) {
        if (e.symbol != stock.symbol) continue;
        const auto it = std::lower_bound(window_start, a.dates.end(), e.date);
        if (it != a.dates.end() && *it == e.date) rs[it - window_start] = 0;
    }
    const Vec ds = rs.array() - rs.mean(), dm = rm.array() - rm.mean();
    const double vm = dm.squaredNorm(), vs = ds.squaredNorm(), cov = ds.dot(dm);
    if (!(vm > 0))
        return make_error(ErrorCode::singular, "beta to " + index.symbol + ": the index returns have zero variance over the window");
    MarketStats out;
    out.index = index.symbol;
    out.beta = cov / vm;
    out.correlation = vs > 0 ? std::clamp(cov / std::sqrt(vs * vm), -1.0, 1.0) : 0.0;
    out.n_returns = static_cast<int>(m);
    out.first_date = a.dates[static_cast<std::size_t>(first + 1)];
    out.last_date = a.dates.back();
    return out;
}

}  // namespace stockcast::risk

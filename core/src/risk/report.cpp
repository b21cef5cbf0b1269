#include "stockcast/risk/report.hpp"

#include <algorithm>
#include <cmath>

namespace stockcast::risk {

Result<RiskReport> risk_report(const PriceSeries& s, const PriceSeries* market, const std::vector<PriceEvent>& events,
                               const RiskOptions& o) {
    Status st = check_series(s);
    if (!st) return st.error();
    if (o.window < 60 || o.min_rows < 35 || o.min_rows < o.score.window)
        return make_error(ErrorCode::invalid_input, "risk options: expected window >= 60 and min_rows >= max(35, score window), got window " +
                                                        std::to_string(o.window) + ", min_rows " + std::to_string(o.min_rows));
    if (static_cast<int>(s.size()) < o.min_rows)
        return make_error(ErrorCode::insufficient_history, "risk report for " + s.symbol + ": requires " + std::to_string(o.min_rows) +
                                                               " closes, provided " + std::to_string(s.size()));
    RiskReport rep;
    rep.symbol = s.symbol;
    rep.rows = static_cast<int>(s.size());
    rep.last_date = s.dates.back();
    rep.last_close = s.close.back();

    const Vec all = adjusted_log_returns(s, events, &rep.events_neutralised);
    const Eigen::Index m = std::min<Eigen::Index>(all.size(), o.window);
    const Vec r = all.tail(m);
    rep.window_returns = static_cast<int>(m);
    rep.window_first_date = s.dates[s.size() - static_cast<std::size_t>(m)];

    auto score = risk_score(s, events, o.score);
    if (!score) return score.error();
    rep.score = std::move(score.value());

    auto vol = fit_volatility(r, o.garch);
    if (!vol) return vol.error();
    rep.volatility = std::move(vol.value());

    auto var = value_at_risk(r, &rep.volatility);
    if (!var) return var.error();
    rep.var = std::move(var.value());

    // Drawdown on the path the adjusted returns trace (the closes themselves when no event hit).
    Vec path(all.size() + 1);
    path[0] = s.close.front();
    for (Eigen::Index i = 0; i < all.size(); ++i) path[i + 1] = path[i] * std::exp(all[i]);
    auto dd = max_drawdown(path, s.dates);
    if (!dd) return dd.error();
    rep.drawdown = std::move(dd.value());

    if (market) {
        auto mk = market_beta(s, *market, events, o.window);
        if (mk) rep.market = std::move(mk.value());
        else rep.market_note = mk.error().message;  // beta is optional: the rest of the report stands
    } else {
        rep.market_note = "no market index supplied";
    }

    auto ind = indicators(s);
    if (!ind) return ind.error();
    rep.indicators = std::move(ind.value());
    return rep;
}

}  // namespace stockcast::risk

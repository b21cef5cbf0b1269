// Small statistical building blocks shared by the risk engine: returns, moments,
// quantiles, the normal distribution and date alignment of several series.
#pragma once

#include "stockcast/normal.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "stockcast/data.hpp"
#include "stockcast/error.hpp"

namespace stockcast::risk {

using Vec = Eigen::VectorXd;
using VecRef = Eigen::Ref<const Eigen::VectorXd>;

// Rejects an empty series or any close that is NaN, infinite or <= 0 (invalid_input naming `field`).
Status check_closes(const std::vector<double>& close, std::string_view field);
// Rejects dates that are not YYYY-MM-DD or not strictly increasing, and a length differing from `n`.
Status check_dates(const std::vector<std::string>& dates, std::size_t n, std::string_view field);
// check_closes + check_dates, and volume either empty or of the same length with values >= 0 or NaN.
Status check_series(const PriceSeries& s);

// Daily log returns log(c[t+1] / c[t]); length n - 1 (0 for n < 2). Closes must be > 0.
Vec log_returns(VecRef close);
// Log returns of `s` with each return that ends on an event date of `s.symbol` set to 0:
// a split or data glitch is a series break, not a market move. returns[i] ends on dates[i + 1].
// `neutralised` (optional) receives the event dates that hit the series.
Vec adjusted_log_returns(const PriceSeries& s, const std::vector<PriceEvent>& events,
                         std::vector<std::string>* neutralised = nullptr);

double mean(VecRef x);                 // 0 for an empty vector
double sample_std(VecRef x);           // divisor n - 1; 0 for n < 2
double population_std(VecRef x);       // divisor n (numpy's np.std default); 0 for an empty vector
// Linear-interpolation quantile of ascending `sorted` (R type 7, numpy default); p in [0, 1].
double quantile_sorted(VecRef sorted, double p);

using stockcast::normal_cdf;       // see stockcast/normal.hpp
using stockcast::normal_quantile;

// Inner join of several series by date string: the dates present in every series, in order,
// and the closes on those dates (rows = dates, columns = series). Dates must be increasing.
struct Aligned {
    std::vector<std::string> dates;
    Eigen::MatrixXd close;
};
Aligned align_by_date(const std::vector<const std::vector<std::string>*>& dates,
                      const std::vector<const std::vector<double>*>& closes);

}  // namespace stockcast::risk

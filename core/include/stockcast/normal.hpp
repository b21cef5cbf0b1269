// The standard normal distribution, shared by forecasts (direction probabilities) and the risk
// engine (parametric VaR / ES).
#pragma once

namespace stockcast {

double normal_cdf(double z);
// Inverse of normal_cdf for p in (0, 1) (Acklam's rational approximation + one Halley step, ~1e-15);
// -inf / +inf outside.
double normal_quantile(double p);

}  // namespace stockcast

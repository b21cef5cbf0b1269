#include "stockcast/risk/garch.hpp"

#include <algorithm>
#include <cmath>

#include "nelder_mead.hpp"

namespace stockcast::risk {
namespace {

constexpr double kLog2Pi = 1.8378770664093454836;
constexpr double kMaxPersistence = 1 - 1e-6;  // keeps alpha + beta < 1 strictly
constexpr double kMinOmega = 1e-8;             // in units of the sample variance (fGarch uses 1e-6)
constexpr double kFTol = 1e-12;                // relative spread of -log L over the simplex (~1e-9 absolute)
constexpr double kXTol = 1e-6;                 // simplex diameter in (omega / v, alpha, beta)
constexpr int kStallEvals = 150;               // stop when -log L gained < kFTol over this many evaluations

// -log L + const for squared residuals x2 scaled to mean 1, without the log(2 pi) term.
// Products of 8 variances share one log: h lies in [1e-8, ~1e6] here, so no under/overflow.
double scaled_nll(const Vec& x2, double omega, double alpha, double beta) {
    const Eigen::Index n = x2.size();
    double h = omega + (alpha + beta);  // v = 1 after scaling
    double quad = 0, logsum = 0, prod = 1;
    for (Eigen::Index t = 0; t < n; ++t) {
        if (t > 0) h = omega + alpha * x2[t - 1] + beta * h;
        quad += x2[t] / h;
        prod *= h;
        if ((t & 7) == 7) { logsum += std::log(prod); prod = 1; }
    }
    logsum += std::log(prod);
    return 0.5 * (logsum + quad);
}

double sigmoid(double u) { return 1 / (1 + std::exp(-u)); }
double logit(double p) { return std::log(p / (1 - p)); }

// Unconstrained u -> (omega / v, alpha, beta) satisfying every constraint by construction.
GarchParams from_unconstrained(const Vec& u) {
    const double omega = kMinOmega + std::exp(std::min(u[0], 30.0));
    const double persistence = kMaxPersistence * sigmoid(u[1]);
    const double share = sigmoid(u[2]);
    return {omega, persistence * share, persistence * (1 - share)};
}

Vec to_unconstrained(double omega, double persistence, double share) {
    Vec u(3);
    u << std::log(omega - kMinOmega), logit(persistence / kMaxPersistence), logit(share);
    return u;
}

}  // namespace

double garch_log_likelihood(VecRef e, const GarchParams& p, Vec* variance) {
    const Eigen::Index n = e.size();
    if (n == 0) return 0;
    const double v = e.squaredNorm() / static_cast<double>(n);
    double h = p.omega + (p.alpha + p.beta) * v;
    double ll = 0;
    if (variance) variance->resize(n);
    for (Eigen::Index t = 0; t < n; ++t) {
        if (t > 0) h = p.omega + p.alpha * e[t - 1] * e[t - 1] + p.beta * h;
        if (variance) (*variance)[t] = h;
        ll -= 0.5 * (kLog2Pi + std::log(h) + e[t] * e[t] / h);
    }
    return ll;
}

Result<GarchFit> fit_garch(VecRef e, int max_evaluations) {
    const Eigen::Index n = e.size();
    if (n < 10) return make_error(ErrorCode::insufficient_history, "GARCH fit: requires 10 returns, provided " + std::to_string(n));
    if (!e.allFinite()) return make_error(ErrorCode::invalid_input, "GARCH fit: residuals must be finite");
    const double v = e.squaredNorm() / static_cast<double>(n);
    if (!(v > 0)) return make_error(ErrorCode::invalid_input, "GARCH fit: residuals have zero variance");

    // Work on residuals scaled to unit mean square: the likelihood surface is then the same
    // for every stock, so one set of starts and tolerances fits all.
    const Vec x2 = e.array().square() / v;
    int evals = 0;
    auto objective = [&](const Vec& u) {
        const GarchParams p = from_unconstrained(u);
        return scaled_nll(x2, p.omega, p.alpha, p.beta);
    };

    // Starts: a grid of 8 (persistence, alpha share) pairs with the unconditional variance at v;
    // the best seeds Nelder-Mead, which is then restarted once from a fresh simplex at its optimum
    // (a collapsed simplex can stall short of it). On all 66 NSE series a second seed changed no
    // fit but cost 50 % more evaluations.
    struct Start { Vec u; double f; };
    std::vector<Start> starts;
    for (double pers : {0.5, 0.8, 0.9, 0.97})
        for (double share : {0.1, 0.3}) {
            Vec u = to_unconstrained(1 - pers, pers, share);
            starts.push_back({u, objective(u)});
            ++evals;
        }
    const Start& seed = *std::min_element(starts.begin(), starts.end(), [](const Start& a, const Start& b) { return a.f < b.f; });
    auto params_of = [](const Vec& u) {
        const GarchParams p = from_unconstrained(u);
        return Vec((Vec(3) << p.omega, p.alpha, p.beta).finished());
    };

    detail::NelderMeadResult best = detail::nelder_mead(objective, seed.u, 0.5, max_evaluations - evals, kFTol, kXTol, params_of, kStallEvals);
    evals += best.evaluations;
    bool converged = best.converged;
    if (converged) {
        auto again = detail::nelder_mead(objective, best.x, 0.1, max_evaluations - evals, kFTol, kXTol, params_of, kStallEvals);
        evals += again.evaluations;
        converged = again.converged;
        if (again.f <= best.f) best = again;
    }
    if (!converged || !std::isfinite(best.f))
        return make_error(ErrorCode::not_converged, "GARCH fit: no convergence within " + std::to_string(max_evaluations) +
                                                        " likelihood evaluations");
    GarchParams p = from_unconstrained(best.x);
    p.omega *= v;  // back to the residuals' units; alpha and beta are scale-free
    GarchFit fit;
    fit.params = p;
    fit.log_likelihood = garch_log_likelihood(e, p);
    fit.evaluations = evals;
    return fit;
}

std::vector<VolForecast> volatility_forecasts(const GarchParams& p, double next_variance, const std::vector<int>& horizons) {
    const int max_h = horizons.empty() ? 0 : *std::max_element(horizons.begin(), horizons.end());
    std::vector<double> h(static_cast<std::size_t>(std::max(max_h, 0)));
    for (std::size_t k = 0; k < h.size(); ++k)
        h[k] = k == 0 ? next_variance : p.omega + (p.alpha + p.beta) * h[k - 1];
    std::vector<VolForecast> out;
    for (int horizon : horizons) {
        if (horizon < 1) continue;
        double sum = 0;
        for (int k = 0; k < horizon; ++k) sum += h[static_cast<std::size_t>(k)];
        const double daily = std::sqrt(h[static_cast<std::size_t>(horizon - 1)]);
        out.push_back({horizon, daily, std::sqrt(sum), daily * std::sqrt(252.0)});
    }
    return out;
}

Result<VolatilityModel> fit_volatility(VecRef returns, const GarchOptions& o) {
    const Eigen::Index n = returns.size();
    if (n < 20) return make_error(ErrorCode::insufficient_history, "volatility model: requires 20 returns, provided " + std::to_string(n));
    if (!returns.allFinite()) return make_error(ErrorCode::invalid_input, "volatility model: returns must be finite");
    if (!(o.ewma_lambda > 0 && o.ewma_lambda < 1))
        return make_error(ErrorCode::invalid_input, "volatility model: ewma_lambda must lie in (0, 1), got " + number_text(o.ewma_lambda));
    for (int h : o.horizons)
        if (h < 1 || h > 2520) return make_error(ErrorCode::invalid_input, "volatility model: horizons must lie in [1, 2520], got " + std::to_string(h));

    VolatilityModel m;
    m.n_returns = static_cast<int>(n);
    m.mean = returns.mean();
    const Vec e = returns.array() - m.mean;
    const double v = e.squaredNorm() / static_cast<double>(n);

    if (v > 0 && n >= o.min_returns) {
        auto fit = fit_garch(e, o.max_evaluations);
        if (fit && fit.value().params.alpha + fit.value().params.beta > o.max_persistence) {
            // The maximum sits on the stationarity boundary: an integrated model with no long-run
            // variance. EWMA is the standard integrated model, so it stands in.
            m.note = "GARCH(1,1) maximum on the stationarity boundary (alpha + beta = " +
                     number_text(fit.value().params.alpha + fit.value().params.beta) + "); EWMA used";
            m.evaluations = fit.value().evaluations;
        } else if (fit) {
            m.method = "garch";
            m.converged = true;
            m.params = fit.value().params;
            m.evaluations = fit.value().evaluations;
        } else {
            m.note = "GARCH(1,1) fit failed (" + fit.error().message + "); EWMA used";
            m.evaluations = o.max_evaluations;
        }
    } else if (v > 0) {
        m.note = "fewer than " + std::to_string(o.min_returns) + " returns (" + std::to_string(n) + "); EWMA used";
    } else {
        m.note = "returns have zero variance (constant prices); every volatility is 0";
    }
    if (m.method.empty()) {
        m.method = "ewma";
        m.params = {0.0, 1 - o.ewma_lambda, o.ewma_lambda};
    }

    // In-sample variances from the same recursion (EWMA is the omega = 0, alpha + beta = 1 case).
    Vec h;
    if (v > 0) {
        m.log_likelihood = garch_log_likelihood(e, m.params, &h);
    } else {
        h = Vec::Zero(n);
    }
    m.sigma = h.array().sqrt();
    m.next_variance = m.params.omega + m.params.alpha * e[n - 1] * e[n - 1] + m.params.beta * h[n - 1];
    m.persistence = m.params.alpha + m.params.beta;
    m.long_run_vol = m.method == "garch" ? std::sqrt(m.params.omega / (1 - m.persistence)) : std::sqrt(v);
    m.forecasts = volatility_forecasts(m.params, m.next_variance, o.horizons);
    return m;
}

}  // namespace stockcast::risk

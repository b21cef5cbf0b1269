// Nelder-Mead simplex minimiser for the risk engine's few-parameter fits (private header).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>

namespace stockcast::risk::detail {

struct NelderMeadResult {
    Eigen::VectorXd x;
    double f = 0;
    int evaluations = 0;
    bool converged = false;  // stopped by tolerance, not by the evaluation budget
};

struct Identity {
    const Eigen::VectorXd& operator()(const Eigen::VectorXd& x) const { return x; }
};

// Minimises f from x0 with initial simplex steps `step`. Stops when the spread of function values
// is below f_tol (relative) and the simplex diameter, measured on map(x), below x_tol; or after
// max_evals evaluations. Measuring on the model's own parameters (map) rather than on the
// unconstrained variables lets a fit whose maximum lies on a boundary (where the unconstrained
// variable runs off to infinity) stop as soon as the parameters stop moving.
// f returning NaN is treated as +inf.
template <class F, class Map = Identity>
NelderMeadResult nelder_mead(F&& f, const Eigen::VectorXd& x0, double step, int max_evals, double f_tol = 1e-10,
                             double x_tol = 1e-8, Map map = Map(), int stall_evals = 0) {
    const Eigen::Index n = x0.size();
    std::vector<Eigen::VectorXd> p(static_cast<std::size_t>(n + 1), x0);
    std::vector<double> fv(static_cast<std::size_t>(n + 1));
    int evals = 0;
    auto eval = [&](const Eigen::VectorXd& x) { ++evals; const double v = f(x); return std::isnan(v) ? INFINITY : v; };
    for (Eigen::Index i = 0; i < n; ++i) p[static_cast<std::size_t>(i + 1)][i] += step;
    for (std::size_t i = 0; i < p.size(); ++i) fv[i] = eval(p[i]);
    std::vector<std::size_t> order(p.size());
    NelderMeadResult res;
    double record = INFINITY;
    int record_evals = 0;
    while (true) {
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return fv[a] < fv[b]; });
        const std::size_t best = order.front(), worst = order.back(), second = order[order.size() - 2];
        double diameter = 0;
        const Eigen::VectorXd mb = map(p[best]);
        for (std::size_t i = 0; i < p.size(); ++i) diameter = std::max(diameter, (map(p[i]) - mb).cwiseAbs().maxCoeff());
        if (std::isfinite(fv[best]) && fv[worst] - fv[best] <= f_tol * (1 + std::abs(fv[best])) && diameter <= x_tol) {
            res.converged = true;
            break;
        }
        // Stalled: the best value has not improved by f_tol in stall_evals evaluations. On a flat
        // ridge (parameters not identified) or at a boundary the simplex can crawl for thousands
        // of evaluations gaining nothing that matters.
        if (fv[best] < record - f_tol * (1 + std::abs(fv[best]))) {
            record = fv[best];
            record_evals = evals;
        } else if (stall_evals > 0 && std::isfinite(fv[best]) && evals - record_evals >= stall_evals) {
            res.converged = true;
            break;
        }
        if (evals >= max_evals) break;
        Eigen::VectorXd centroid = Eigen::VectorXd::Zero(n);
        for (std::size_t i = 0; i < p.size(); ++i)
            if (i != worst) centroid += p[i];
        centroid /= static_cast<double>(n);
        const Eigen::VectorXd xr = centroid + (centroid - p[worst]);
        const double fr = eval(xr);
        if (fr < fv[best]) {
            const Eigen::VectorXd xe = centroid + 2.0 * (centroid - p[worst]);
            const double fe = eval(xe);
            if (fe < fr) { p[worst] = xe; fv[worst] = fe; } else { p[worst] = xr; fv[worst] = fr; }
        } else if (fr < fv[second]) {
            p[worst] = xr; fv[worst] = fr;
        } else {
            // Contract towards the better of the worst point and its reflection.
            const bool outside = fr < fv[worst];
            const Eigen::VectorXd xc = outside ? Eigen::VectorXd(centroid + 0.5 * (xr - centroid))
                                               : Eigen::VectorXd(centroid + 0.5 * (p[worst] - centroid));
            const double fc = eval(xc);
            if (fc < (outside ? fr : fv[worst])) {
                p[worst] = xc; fv[worst] = fc;
            } else {  // shrink towards the best point
                for (std::size_t i = 0; i < p.size(); ++i) {
                    if (i == best) continue;
                    p[i] = p[best] + 0.5 * (p[i] - p[best]);
                    fv[i] = eval(p[i]);
                }
            }
        }
    }
    const std::size_t best = order.front();
    res.x = p[best];
    res.f = fv[best];
    res.evaluations = evals;
    return res;
}

}  // namespace stockcast::risk::detail

#include "stockcast/risk/qp.hpp"

#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <vector>

namespace stockcast::risk {

Result<QpSolution> solve_qp_simplex(const Eigen::MatrixXd& Q, VecRef c, VecRef a, double b, int max_iterations) {
    const Eigen::Index n = Q.rows();
    if (n == 0 || Q.cols() != n || c.size() != n || a.size() != n)
        return make_error(ErrorCode::invalid_input, "QP: expected a square Q and vectors c, a of its size, got Q " + std::to_string(Q.rows()) +
                                                        "x" + std::to_string(Q.cols()) + ", c " + std::to_string(c.size()) + ", a " +
                                                        std::to_string(a.size()));
    if (!Q.allFinite() || !c.allFinite() || !a.allFinite() || !std::isfinite(b))
        return make_error(ErrorCode::invalid_input, "QP: inputs must be finite");
    Eigen::Index start = 0;
    a.maxCoeff(&start);
    if (!(b > 0) || !(a[start] > 0))
        return make_error(ErrorCode::invalid_input, "QP: a'x = b with x >= 0 needs b > 0 and some a_i > 0");

    // Feasible start: everything on the asset with the largest a_i.
    Vec x = Vec::Zero(n);
    x[start] = b / a[start];
    std::vector<bool> free(static_cast<std::size_t>(n), false);
    free[static_cast<std::size_t>(start)] = true;
    const double scale = Q.cwiseAbs().maxCoeff() + c.cwiseAbs().maxCoeff() + 1e-300;

    QpSolution sol;
    for (int it = 1; it <= max_iterations; ++it) {
        std::vector<Eigen::Index> F;
        for (Eigen::Index i = 0; i < n; ++i)
            if (free[static_cast<std::size_t>(i)]) F.push_back(i);
        const auto k = static_cast<Eigen::Index>(F.size());
        // KKT system on the free set: [Q_FF a_F; a_F' 0] [y; -lambda] = [c_F; b].
        Eigen::MatrixXd K = Eigen::MatrixXd::Zero(k + 1, k + 1);
        Vec rhs(k + 1);
        for (Eigen::Index r = 0; r < k; ++r) {
            for (Eigen::Index s = 0; s < k; ++s) K(r, s) = Q(F[r], F[s]);
            K(r, k) = K(k, r) = a[F[r]];
            rhs[r] = c[F[r]];
        }
        rhs[k] = b;
        Eigen::FullPivLU<Eigen::MatrixXd> lu(K);
        if (!lu.isInvertible()) return make_error(ErrorCode::singular, "QP: singular KKT system (covariance not positive definite?)");
        const Vec z = lu.solve(rhs);
        const double lambda = -z[k];

        // Step towards the equality-constrained optimum, stopping at the first bound it would cross.
        double step = 1;
        Eigen::Index blocking = -1;
        for (Eigen::Index r = 0; r < k; ++r) {
            const double xi = x[F[r]], yi = z[r];
            if (yi < 0 && xi - yi > 0) {
                const double t = xi / (xi - yi);
                if (t < step) { step = t; blocking = F[r]; }
            }
        }
        for (Eigen::Index r = 0; r < k; ++r) x[F[r]] += step * (z[r] - x[F[r]]);
        if (blocking >= 0) {
            x[blocking] = 0;
            free[static_cast<std::size_t>(blocking)] = false;
            continue;
        }
        // At the optimum of the current face: release the bound with the most negative multiplier.
        const Vec nu = Q * x - c - lambda * a;
        Eigen::Index release = -1;
        double most = -1e-13 * scale * (1 + x.cwiseAbs().maxCoeff());
        for (Eigen::Index i = 0; i < n; ++i)
            if (!free[static_cast<std::size_t>(i)] && nu[i] < most) { most = nu[i]; release = i; }
        if (release < 0) {
            sol.x = x.cwiseMax(0.0);
            sol.multiplier = lambda;
            sol.iterations = it;
            return sol;
        }
        free[static_cast<std::size_t>(release)] = true;
    }
    return make_error(ErrorCode::not_converged, "QP: no convergence within " + std::to_string(max_iterations) + " active-set iterations");
}

}  // namespace stockcast::risk

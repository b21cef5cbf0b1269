// A small exact active-set solver for the long-only portfolio problems:
//
//   minimise 1/2 x'Qx - c'x   subject to   a'x = b,  x >= 0
//
// with Q symmetric positive definite (b > 0 and some a_i > 0 for feasibility). Each step solves
// the equality-constrained problem on the free variables through its KKT system, so the answer is
// exact up to rounding (it matches R's quadprog::solve.QP to ~1e-12 on our covariances).
#pragma once

#include <Eigen/Core>

#include "stockcast/error.hpp"
#include "stockcast/risk/stats.hpp"

namespace stockcast::risk {

struct QpSolution {
    Vec x;
    double multiplier = 0;  // Lagrange multiplier of a'x = b (Qx - c = multiplier a + bound multipliers)
    int iterations = 0;
};

// Errors: invalid_input (sizes, non-finite values, infeasible constraint), singular (a KKT system
// that cannot be solved: Q not positive definite), not_converged (iteration cap, i.e. cycling).
Result<QpSolution> solve_qp_simplex(const Eigen::MatrixXd& Q, VecRef c, VecRef a, double b, int max_iterations = 500);

}  // namespace stockcast::risk

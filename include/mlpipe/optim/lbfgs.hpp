// SPDX-License-Identifier: Apache-2.0
/// @file optim/lbfgs.hpp Limited-memory BFGS for smooth unconstrained minimisation, with a
/// strong-Wolfe line search (Nocedal and Wright, Numerical Optimization, algorithms 7.4, 3.5, 3.6).
///
/// Its stopping rules are those of scipy's L-BFGS-B as scikit-learn calls it (max-norm of the
/// gradient <= gradient_tolerance, or a relative decrease of the loss <= function_tolerance), so a
/// model fitted here reaches the same optimum as scikit-learn's `lbfgs` solver.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "../fit.hpp"

namespace mlpipe {

/// Options of minimize_lbfgs.
struct lbfgs_options {
    std::int64_t max_iterations = 100;  ///< iterations (not function evaluations)
    double gradient_tolerance = 1e-4;   ///< stop when max|gradient| <= this
    double function_tolerance = 64 * std::numeric_limits<double>::epsilon();  ///< relative decrease
    int memory = 10;           ///< correction pairs kept
    int max_line_search = 50;  ///< function evaluations per line search
};

/// What minimize_lbfgs did; the minimiser is written into its argument.
struct lbfgs_result {
    fit_status status = fit_status::converged;
    std::int64_t iterations = 0;
    std::int64_t evaluations = 0;
    double loss = 0.0;
    double gradient_norm = 0.0;  ///< max-norm
};

namespace detail {

/// The minimiser of the cubic through (a, fa, da) and (b, fb, db), kept inside the middle 80% of
/// [a, b] (or its mirror); bisection when the cubic has no usable minimiser.
inline double safeguarded_cubic(double a, double fa, double da, double b, double fb, double db) {
    const double lo = std::min(a, b);
    const double hi = std::max(a, b);
    const double margin = 0.1 * (hi - lo);
    const double d1 = da + db - 3.0 * (fa - fb) / (a - b);
    const double radicand = d1 * d1 - da * db;
    double t = 0.5 * (a + b);
    if (radicand >= 0.0) {
        const double d2 = std::copysign(std::sqrt(radicand), b - a);
        const double denominator = db - da + 2.0 * d2;
        if (denominator != 0.0) {
            const double candidate = b - (b - a) * (db + d2 - d1) / denominator;
            if (std::isfinite(candidate)) t = candidate;
        }
    }
    return std::clamp(t, lo + margin, hi - margin);
}

}  // namespace detail

/// Minimises `objective` from the starting point `x` (overwritten with the result).
/// @param objective callable `double(const Eigen::VectorXd& x, Eigen::VectorXd& gradient)`
/// @param monitor optional: receives one progress report per iteration and may stop the run
/// Complexity: per iteration one or a few objective evaluations plus O(memory * size).
template <class Objective>
lbfgs_result minimize_lbfgs(Objective&& objective, Eigen::VectorXd& x, const lbfgs_options& options,
                            const detail::fit_monitor* monitor = nullptr) {
    constexpr double c1 = 1e-4;
    constexpr double c2 = 0.9;
    const Eigen::Index n = x.size();
    lbfgs_result result;
    Eigen::VectorXd g(n);
    double f = objective(x, g);
    result.evaluations = 1;
    std::deque<Eigen::VectorXd> s_history;
    std::deque<Eigen::VectorXd> y_history;
    std::deque<double> rho_history;
    Eigen::VectorXd d(n);
    Eigen::VectorXd x_new(n);
    Eigen::VectorXd g_new(n);
    std::vector<double> alpha_history;

    const auto finish = [&](fit_status status) {
        result.status = status;
        result.loss = f;
        result.gradient_norm = n > 0 ? g.cwiseAbs().maxCoeff() : 0.0;
        return result;
    };
    if (n == 0 || g.cwiseAbs().maxCoeff() <= options.gradient_tolerance)
        return finish(fit_status::converged);

    for (result.iterations = 1; result.iterations <= options.max_iterations; ++result.iterations) {
        // Search direction by the two-loop recursion.
        d = -g;
        const std::size_t m = s_history.size();
        alpha_history.assign(m, 0.0);
        for (std::size_t k = m; k-- > 0;) {
            alpha_history[k] = rho_history[k] * s_history[k].dot(d);
            d -= alpha_history[k] * y_history[k];
        }
        if (m > 0) d *= s_history.back().dot(y_history.back()) / y_history.back().squaredNorm();
        for (std::size_t k = 0; k < m; ++k) {
            const double beta = rho_history[k] * y_history[k].dot(d);
            d += (alpha_history[k] - beta) * s_history[k];
        }
        double dphi0 = g.dot(d);
        if (!(dphi0 < 0.0)) {  // not a descent direction: restart from steepest descent
            s_history.clear();
            y_history.clear();
            rho_history.clear();
            d = -g;
            dphi0 = -g.squaredNorm();
        }

        // Strong-Wolfe line search.
        const double phi0 = f;
        double step = m == 0 ? std::min(1.0, 1.0 / d.norm()) : 1.0;
        double step_prev = 0.0;
        double phi_prev = phi0;
        double dphi_prev = dphi0;
        bool found = false;
        double phi = 0.0;
        const auto evaluate = [&](double t) {
            x_new = x + t * d;
            phi = objective(x_new, g_new);
            ++result.evaluations;
            return g_new.dot(d);
        };
        const auto zoom = [&](double lo, double phi_lo, double dphi_lo, double hi, double phi_hi,
                              double dphi_hi, int budget) {
            for (; budget > 0; --budget) {
                const double t =
                    detail::safeguarded_cubic(lo, phi_lo, dphi_lo, hi, phi_hi, dphi_hi);
                const double dphi = evaluate(t);
                if (phi > phi0 + c1 * t * dphi0 || phi >= phi_lo) {
                    hi = t;
                    phi_hi = phi;
                    dphi_hi = dphi;
                } else {
                    if (std::abs(dphi) <= -c2 * dphi0) return true;
                    if (dphi * (hi - lo) >= 0.0) {
                        hi = lo;
                        phi_hi = phi_lo;
                        dphi_hi = dphi_lo;
                    }
                    lo = t;
                    phi_lo = phi;
                    dphi_lo = dphi;
                }
                if (std::abs(hi - lo) <= 1e-16 * std::max(1.0, std::abs(lo))) break;
            }
            // Accept the best point with sufficient decrease, if any.
            if (lo > 0.0) {
                (void)evaluate(lo);
                return phi <= phi0 + c1 * lo * dphi0;
            }
            return false;
        };
        for (int trial = 1; trial <= options.max_line_search; ++trial) {
            const double dphi = evaluate(step);
            const int budget = options.max_line_search - trial;
            if (!std::isfinite(phi) || phi > phi0 + c1 * step * dphi0 ||
                (trial > 1 && phi >= phi_prev)) {
                if (!std::isfinite(phi)) {  // overflow: shrink and retry
                    step *= 0.5;
                    continue;
                }
                found = zoom(step_prev, phi_prev, dphi_prev, step, phi, dphi, budget);
                break;
            }
            if (std::abs(dphi) <= -c2 * dphi0) {
                found = true;
                break;
            }
            if (dphi >= 0.0) {
                found = zoom(step, phi, dphi, step_prev, phi_prev, dphi_prev, budget);
                break;
            }
            step_prev = step;
            phi_prev = phi;
            dphi_prev = dphi;
            step *= 2.0;
        }
        if (!found) return finish(fit_status::no_progress);

        // Update the correction pairs.
        Eigen::VectorXd s = x_new - x;
        Eigen::VectorXd y = g_new - g;
        const double sy = s.dot(y);
        const double f_prev = f;
        x.swap(x_new);
        g.swap(g_new);
        f = phi;
        if (sy > std::numeric_limits<double>::epsilon() * y.squaredNorm()) {
            if (static_cast<int>(s_history.size()) == options.memory) {
                s_history.pop_front();
                y_history.pop_front();
                rho_history.pop_front();
            }
            s_history.push_back(std::move(s));
            y_history.push_back(std::move(y));
            rho_history.push_back(1.0 / sy);
        }

        const double gnorm = g.cwiseAbs().maxCoeff();
        if (monitor != nullptr) {
            if (auto stop = monitor->report({.stage = "lbfgs",
                                             .step = result.iterations,
                                             .steps = options.max_iterations,
                                             .loss = f,
                                             .gradient_norm = gnorm})) {
                return finish(*stop);
            }
        }
        if (gnorm <= options.gradient_tolerance) return finish(fit_status::converged);
        if ((f_prev - f) <=
            options.function_tolerance * std::max({std::abs(f_prev), std::abs(f), 1.0})) {
            return finish(fit_status::converged);
        }
    }
    result.iterations = options.max_iterations;
    return finish(fit_status::max_iterations);
}

}  // namespace mlpipe

// SPDX-License-Identifier: Apache-2.0
// Tests of optim/lbfgs.hpp: known minima, stopping rules, callbacks.
#include <cmath>

#include <catch2/catch.hpp>

#include <Eigen/Cholesky>

#include <mlpipe/optim/lbfgs.hpp>

namespace {
// The Rosenbrock function in n dimensions: minimum 0 at (1, ..., 1).
double rosenbrock(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    double f = 0.0;
    g.setZero();
    for (Eigen::Index i = 0; i + 1 < x.size(); ++i) {
        const double a = x[i + 1] - x[i] * x[i];
        const double b = 1.0 - x[i];
        f += 100.0 * a * a + b * b;
        g[i] += -400.0 * a * x[i] - 2.0 * b;
        g[i + 1] += 200.0 * a;
    }
    return f;
}
}  // namespace

TEST_CASE("L-BFGS finds the minimum of the Rosenbrock function", "[optim][lbfgs]") {
    Eigen::VectorXd x = Eigen::VectorXd::Constant(10, -1.2);
    const auto r =
        mlpipe::minimize_lbfgs(rosenbrock, x, {.max_iterations = 1000, .gradient_tolerance = 1e-9});
    CHECK(r.status == mlpipe::fit_status::converged);
    CHECK(r.loss < 1e-12);
    CHECK((x - Eigen::VectorXd::Ones(10)).cwiseAbs().maxCoeff() < 1e-5);
}

TEST_CASE("L-BFGS solves a convex quadratic to the exact solution", "[optim][lbfgs]") {
    // f(x) = x'Ax/2 - b'x with A symmetric positive definite: minimum at A^-1 b.
    Eigen::MatrixXd m = Eigen::MatrixXd::Random(20, 20);
    const Eigen::MatrixXd a = m * m.transpose() + 20.0 * Eigen::MatrixXd::Identity(20, 20);
    const Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(20, -1.0, 1.0);
    auto quadratic = [&](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
        g = a * x - b;
        return 0.5 * x.dot(a * x) - b.dot(x);
    };
    Eigen::VectorXd x = Eigen::VectorXd::Zero(20);
    const auto r =
        mlpipe::minimize_lbfgs(quadratic, x, {.max_iterations = 500, .gradient_tolerance = 1e-12});
    CHECK(
        (r.status == mlpipe::fit_status::converged || r.status == mlpipe::fit_status::no_progress));
    const Eigen::VectorXd exact = a.ldlt().solve(b);
    CHECK((x - exact).cwiseAbs().maxCoeff() < 1e-9);
}

TEST_CASE("L-BFGS stops at the iteration limit and reports it", "[optim][lbfgs]") {
    Eigen::VectorXd x = Eigen::VectorXd::Constant(4, -1.2);
    const auto r =
        mlpipe::minimize_lbfgs(rosenbrock, x, {.max_iterations = 3, .gradient_tolerance = 1e-12});
    CHECK(r.status == mlpipe::fit_status::max_iterations);
    CHECK(r.iterations == 3);
}

TEST_CASE("a progress callback sees every iteration and can stop the run", "[optim][lbfgs]") {
    int calls = 0;
    double last_loss = INFINITY;
    bool decreasing = true;
    mlpipe::fit_options options;
    options.on_progress = [&](const mlpipe::progress& p) {
        ++calls;
        decreasing = decreasing && p.loss <= last_loss;
        last_loss = p.loss;
        CHECK(p.stage == "lbfgs");
        CHECK(p.step == calls);
        return calls < 5;
    };
    const mlpipe::detail::fit_monitor monitor(options);
    Eigen::VectorXd x = Eigen::VectorXd::Constant(6, -1.2);
    const auto r = mlpipe::minimize_lbfgs(rosenbrock, x, {.max_iterations = 1000}, &monitor);
    CHECK(r.status == mlpipe::fit_status::stopped_by_callback);
    CHECK(calls == 5);
    CHECK(decreasing);
}

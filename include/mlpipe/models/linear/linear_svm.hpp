// SPDX-License-Identifier: Apache-2.0
/// @file models/linear/linear_svm.hpp Linear support vector classification by dual coordinate
/// descent (the liblinear method, as scikit-learn's LinearSVC), one-vs-rest for several classes,
/// with optional Platt-scaled probabilities.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <Eigen/Core>

#include "../../data/dataset.hpp"
#include "../../data/split.hpp"
#include "../../detail/dot.hpp"
#include "../../detail/random.hpp"
#include "../../error.hpp"
#include "../../optim/lbfgs.hpp"
#include "../classifier.hpp"
#include "../hyperparameters.hpp"

namespace mlpipe {

/// The loss of linear_svm.
enum class svm_loss {
    hinge,          ///< max(0, 1 - y f(x)) (L1-loss SVM)
    squared_hinge,  ///< max(0, 1 - y f(x))^2 (L2-loss SVM; scikit-learn's default)
};

/// JSON names of svm_loss values.
inline constexpr enum_names<svm_loss, 2> svm_loss_names{
    {{svm_loss::hinge, "hinge"}, {svm_loss::squared_hinge, "squared_hinge"}}};

/// Which problem linear_svm solves (the solution is the same).
enum class svm_solver {
    automatic,  ///< primal for squared_hinge with more rows than features, dual otherwise
    dual,       ///< dual coordinate descent (liblinear's default; the only one for hinge)
    primal,     ///< L-BFGS on the primal (squared_hinge only): fast when rows >> features
};

/// JSON names of svm_solver values.
inline constexpr enum_names<svm_solver, 3> svm_solver_names{
    {{svm_solver::automatic, "auto"}, {svm_solver::dual, "dual"}, {svm_solver::primal, "primal"}}};

/// Hyperparameters of linear_svm; they mean what they mean in scikit-learn's LinearSVC.
struct linear_svm_params {
    double C = 1.0;  ///< penalty of the loss; larger fits the data harder
    svm_loss loss = svm_loss::squared_hinge;
    svm_solver solver = svm_solver::automatic;
    bool fit_intercept = true;               ///< learn an intercept (regularised, as liblinear's)
    double intercept_scaling = 1.0;          ///< value of the constant feature that carries it
    std::int64_t max_iter = 1000;            ///< passes over the data per binary problem
    double tol = 1e-4;                       ///< stop when the projected gradient spread is below
    std::vector<double> class_weights = {};  ///< multiply C per class (class index order)
    bool probability = false;                ///< fit Platt scaling so predict_proba works
    std::size_t calibration_folds = 3;       ///< folds for the out-of-fold scores Platt fits on
    std::uint64_t seed = 0;                  ///< coordinate order and calibration folds

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "linear_svm";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() {
        using p = linear_svm_params;
        return std::tuple{hyperparameter("C", &p::C),
                          hyperparameter("loss", &p::loss, svm_loss_names),
                          hyperparameter("solver", &p::solver, svm_solver_names),
                          hyperparameter("fit_intercept", &p::fit_intercept),
                          hyperparameter("intercept_scaling", &p::intercept_scaling),
                          hyperparameter("max_iter", &p::max_iter),
                          hyperparameter("tol", &p::tol),
                          hyperparameter("class_weights", &p::class_weights),
                          hyperparameter("probability", &p::probability),
                          hyperparameter("calibration_folds", &p::calibration_folds),
                          hyperparameter("seed", &p::seed)};
    }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static linear_svm_params from_json(const nlohmann::json& j) {
        return params_from_json<linear_svm_params>(j);
    }
};

/// Linear SVM: w = argmin ||w||^2 / 2 + C sum_i loss(y_i w.x_i), solved in the dual one coordinate
/// at a time (Hsieh et al., ICML 2008). One binary problem (class 1 against class 0) for two
/// classes, one per class against the rest otherwise. Same seed, same model. Thread safety: const
/// members (prediction) may be called concurrently.
template <class Scalar = double>
class linear_svm {
  public:
    using scalar_type = Scalar;
    using rmatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    static constexpr std::string_view kind = "linear_svm";

    explicit linear_svm(linear_svm_params params = {}) : params_(std::move(params)) {
        check_params();
    }

    fit_report fit(const dataset<Scalar>& data, const fit_options& options = {}) {
        return fit(data, std::span<const double>{}, options);
    }

    /// Fits with one weight per row (empty: all 1); a row's weight multiplies its C.
    fit_report fit(const dataset<Scalar>& data, std::span<const double> sample_weight,
                   const fit_options& options = {});

    /// Scores: n x 1 (binary: positive means class 1) or n x n_classes.
    [[nodiscard]] probability_matrix<Scalar> decision_function(matrix_cref<Scalar> x) const;

    [[nodiscard]] class_index_vector predict(matrix_cref<Scalar> x) const;

    /// predict(x) and predict_proba(x) from one decision function (see mlpipe::predict_with_proba).
    /// @throws as predict_proba
    [[nodiscard]] classes_and_probabilities<Scalar> predict_with_proba(matrix_cref<Scalar> x) const;

    /// Platt-scaled probabilities. @throws invalid_input_error unless fitted with probability =
    /// true
    [[nodiscard]] probability_matrix<Scalar> predict_proba(matrix_cref<Scalar> x) const;

    /// Probabilities of one row without allocating; bit-identical to predict_proba.
    void predict_proba_row(std::span<const Scalar> row, std::span<Scalar> out) const {
        check_probability();
        const Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>> v(
            row.data(), static_cast<Eigen::Index>(row.size()));
        detail::check_prediction_input(v, n_features(), fitted_, kind);
        if (out.size() != classes_.size()) {
            throw invalid_input_error("linear_svm: output span holds " +
                                          std::to_string(out.size()) + " values for " +
                                          std::to_string(classes_.size()) + " classes",
                                      "size it n_classes");
        }
        Scalar z[64];
        std::vector<Scalar> heap;
        Scalar* scratch = z;
        if (coef_.rows() > 64) {
            heap.resize(static_cast<std::size_t>(coef_.rows()));
            scratch = heap.data();
        }
        scores(row.data(), scratch);
        proba_from_scores(scratch, out.data());
    }

    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    [[nodiscard]] Eigen::Index n_features() const noexcept { return coef_.cols(); }
    [[nodiscard]] const label_map& classes() const noexcept { return classes_; }
    [[nodiscard]] const std::vector<std::string>& feature_names() const noexcept {
        return feature_names_;
    }
    /// Weights: 1 x d (binary) or n_classes x d.
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>&
    coefficients() const noexcept {
        return coef_;
    }
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& intercepts() const noexcept {
        return intercept_;
    }
    /// Platt parameters per score column: p = 1 / (1 + exp(A f + B)); empty without probability.
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, 2, Eigen::RowMajor>& platt()
        const noexcept {
        return platt_;
    }
    [[nodiscard]] const linear_svm_params& params() const noexcept { return params_; }

    /// A fitted model from saved parts (see coefficients(), intercepts(), platt()).
    /// @throws format_error when the shapes disagree; invalid_input_error for bad params
    [[nodiscard]] static linear_svm restore(
        linear_svm_params params, rmatrix coef, vector intercept,
        Eigen::Matrix<Scalar, Eigen::Dynamic, 2, Eigen::RowMajor> platt, label_map classes,
        std::vector<std::string> feature_names) {
        linear_svm m(std::move(params));
        const auto k =
            classes.size() == 2 ? Eigen::Index{1} : static_cast<Eigen::Index>(classes.size());
        detail::check_restore(
            classes.size() >= 2 && coef.rows() == k && intercept.size() == k &&
                (platt.rows() == 0 || platt.rows() == k) &&
                static_cast<Eigen::Index>(feature_names.size()) == coef.cols(),
            kind, "coefficients, intercepts, Platt parameters, classes and feature names");
        m.coef_ = std::move(coef);
        m.intercept_ = std::move(intercept);
        m.platt_ = std::move(platt);
        m.classes_ = std::move(classes);
        m.feature_names_ = std::move(feature_names);
        m.fitted_ = true;
        return m;
    }

  private:
    /// Probabilities from the rows of decision_function (what predict_proba returns).
    [[nodiscard]] probability_matrix<Scalar> proba_from_decisions(
        const probability_matrix<Scalar>& z) const;
    void scores(const Scalar* row, Scalar* z) const noexcept {
        const auto d = static_cast<std::size_t>(coef_.cols());
        for (Eigen::Index j = 0; j < coef_.rows(); ++j) {
            z[j] = detail::dot_fixed_order(coef_.row(j).data(), row, d) + intercept_[j];
        }
    }

    void proba_from_scores(const Scalar* z, Scalar* p) const noexcept {
        const auto sigmoid = [&](Eigen::Index j) {
            const double t = static_cast<double>(platt_(j, 0)) * static_cast<double>(z[j]) +
                             static_cast<double>(platt_(j, 1));
            return t >= 0.0 ? std::exp(-t) / (1.0 + std::exp(-t)) : 1.0 / (1.0 + std::exp(t));
        };
        if (coef_.rows() == 1) {
            const auto p1 = static_cast<Scalar>(sigmoid(0));
            p[0] = Scalar(1) - p1;
            p[1] = p1;
            return;
        }
        Scalar sum = 0;
        for (Eigen::Index j = 0; j < coef_.rows(); ++j) {
            p[j] = static_cast<Scalar>(sigmoid(j));
            sum += p[j];
        }
        for (Eigen::Index j = 0; j < coef_.rows(); ++j) {
            p[j] = sum > Scalar(0) ? p[j] / sum : Scalar(1) / static_cast<Scalar>(coef_.rows());
        }
    }

    /// Solves every binary problem on (x, targets) into (coef, intercept).
    template <class Derived>
    void solve_all(const Eigen::MatrixBase<Derived>& x, const class_index_vector& targets,
                   std::size_t n_classes, const std::vector<double>& weights,
                   const detail::fit_monitor& monitor, fit_report& report, rmatrix& coef,
                   vector& intercept) const {
        const Eigen::Index k = n_classes == 2 ? 1 : static_cast<Eigen::Index>(n_classes);
        coef.resize(k, x.cols());
        intercept.resize(k);
        report = fit_report{};
        for (Eigen::Index c = 0; c < k; ++c) {
            const std::int32_t positive = n_classes == 2 ? 1 : static_cast<std::int32_t>(c);
            Eigen::VectorXd w;
            double b = 0.0;
            const bool primal = params_.solver == svm_solver::primal ||
                                (params_.solver == svm_solver::automatic &&
                                 params_.loss == svm_loss::squared_hinge && x.rows() > x.cols());
            const auto r = primal
                               ? solve_binary_primal(x, targets, positive, weights, monitor, w, b)
                               : solve_binary(x, targets, positive, weights,
                                              static_cast<std::uint64_t>(c), monitor, w, b);
            coef.row(c) = w.transpose().template cast<Scalar>();
            intercept[c] = static_cast<Scalar>(b);
            report.iterations = std::max(report.iterations, r.iterations);
            if (r.status != fit_status::converged && report.status == fit_status::converged)
                report.status = r.status;
            report.gradient_norm = std::max(report.gradient_norm, r.gradient_norm);
            if (r.status == fit_status::stopped_by_callback || r.status == fit_status::time_limit) {
                for (Eigen::Index rest = c + 1; rest < k; ++rest) {
                    coef.row(rest).setZero();
                    intercept[rest] = 0;
                }
                break;
            }
        }
    }

    /// Dual coordinate descent for one binary problem (class `positive` = +1, the rest -1).
    template <class Derived>
    fit_report solve_binary(const Eigen::MatrixBase<Derived>& x, const class_index_vector& targets,
                            std::int32_t positive, const std::vector<double>& weights,
                            std::uint64_t stream, const detail::fit_monitor& monitor,
                            Eigen::VectorXd& w, double& b) const {
        const Eigen::Index n = x.rows();
        const Eigen::Index d = x.cols();
        const double bias = params_.fit_intercept ? params_.intercept_scaling : 0.0;
        const bool l1 = params_.loss == svm_loss::hinge;
        w = Eigen::VectorXd::Zero(d);
        b = 0.0;
        std::vector<double> alpha(static_cast<std::size_t>(n), 0.0);
        std::vector<double> upper(static_cast<std::size_t>(n));
        std::vector<double> diag(static_cast<std::size_t>(n));
        std::vector<double> qii(static_cast<std::size_t>(n));
        std::vector<double> y(static_cast<std::size_t>(n));
        for (Eigen::Index i = 0; i < n; ++i) {
            const auto ii = static_cast<std::size_t>(i);
            const double ci = params_.C * weights[ii];
            y[ii] = targets[i] == positive ? 1.0 : -1.0;
            upper[ii] = l1 ? ci : std::numeric_limits<double>::infinity();
            diag[ii] = l1 ? 0.0 : (ci > 0.0 ? 0.5 / ci : std::numeric_limits<double>::infinity());
            qii[ii] = x.row(i).template cast<double>().squaredNorm() + bias * bias + diag[ii];
        }
        std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), Eigen::Index{0});
        detail::random_engine engine = detail::random_engine(params_.seed).split(stream);
        fit_report report;
        for (report.iterations = 1; report.iterations <= params_.max_iter; ++report.iterations) {
            detail::shuffle(std::span(order), engine);
            double pg_max = -std::numeric_limits<double>::infinity();
            double pg_min = std::numeric_limits<double>::infinity();
            for (const Eigen::Index i : order) {
                const auto ii = static_cast<std::size_t>(i);
                if (upper[ii] == 0.0 || !std::isfinite(qii[ii])) continue;  // zero-weight row
                const double g = y[ii] * (x.row(i).template cast<double>().dot(w) + b * bias) -
                                 1.0 + diag[ii] * alpha[ii];
                double pg = g;
                if (alpha[ii] == 0.0) {
                    pg = std::min(g, 0.0);
                } else if (alpha[ii] >= upper[ii]) {
                    pg = std::max(g, 0.0);
                }
                pg_max = std::max(pg_max, pg);
                pg_min = std::min(pg_min, pg);
                if (std::abs(pg) > 1e-12) {
                    const double old = alpha[ii];
                    alpha[ii] = std::min(std::max(old - g / qii[ii], 0.0), upper[ii]);
                    const double delta = (alpha[ii] - old) * y[ii];
                    w += delta * x.row(i).template cast<double>().transpose();
                    b += delta * bias;
                }
            }
            report.gradient_norm = pg_max - pg_min;
            if (auto stop = monitor.report({.stage = "dual_cd",
                                            .step = report.iterations,
                                            .steps = params_.max_iter,
                                            .loss = std::numeric_limits<double>::quiet_NaN(),
                                            .gradient_norm = report.gradient_norm})) {
                report.status = *stop;
                b *= bias;
                return report;
            }
            if (pg_max - pg_min <= params_.tol) {
                report.status = fit_status::converged;
                b *= bias;
                return report;
            }
        }
        report.iterations = params_.max_iter;
        report.status = fit_status::max_iterations;
        b *= bias;
        return report;
    }

    /// L-BFGS on the primal of the squared-hinge problem for one binary problem: minimise
    /// |theta|^2 / 2 + sum_i C_i max(0, 1 - y_i theta.(x_i, B))^2 with B = intercept_scaling (the
    /// intercept is regularised, as in liblinear, so both solvers share one optimum).
    template <class Derived>
    fit_report solve_binary_primal(const Eigen::MatrixBase<Derived>& x,
                                   const class_index_vector& targets, std::int32_t positive,
                                   const std::vector<double>& weights,
                                   const detail::fit_monitor& monitor, Eigen::VectorXd& w,
                                   double& b) const {
        const Eigen::Index n = x.rows();
        const Eigen::Index d = x.cols();
        const double bias = params_.fit_intercept ? params_.intercept_scaling : 0.0;
        Eigen::VectorXd y(n);
        Eigen::VectorXd cost(n);
        for (Eigen::Index i = 0; i < n; ++i) {
            y[i] = targets[i] == positive ? 1.0 : -1.0;
            cost[i] = params_.C * weights[static_cast<std::size_t>(i)];
        }
        const auto xd = x.template cast<double>();
        Eigen::VectorXd margin(n);
        Eigen::VectorXd coefficient(n);
        auto objective = [&](const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) {
            const auto wv = theta.head(d);
            margin.noalias() = xd * wv;
            margin.array() += theta[d] * bias;
            double loss = 0.0;
            for (Eigen::Index i = 0; i < n; ++i) {
                const double slack = 1.0 - y[i] * margin[i];
                if (slack > 0.0) {
                    loss += cost[i] * slack * slack;
                    coefficient[i] = -2.0 * cost[i] * slack * y[i];
                } else {
                    coefficient[i] = 0.0;
                }
            }
            gradient.head(d).noalias() = xd.transpose() * coefficient;
            gradient.head(d) += wv;
            gradient[d] = bias * coefficient.sum() + theta[d];
            return 0.5 * theta.squaredNorm() + loss;
        };
        Eigen::VectorXd theta = Eigen::VectorXd::Zero(d + 1);
        Eigen::VectorXd g0(d + 1);
        (void)objective(theta, g0);
        const double tolerance = params_.tol * std::max(1.0, g0.cwiseAbs().maxCoeff());
        const lbfgs_result r = minimize_lbfgs(
            objective, theta, {.max_iterations = params_.max_iter, .gradient_tolerance = tolerance},
            &monitor);
        w = theta.head(d);
        b = theta[d] * bias;
        return fit_report{.status = r.status,
                          .iterations = r.iterations,
                          .final_loss = r.loss,
                          .gradient_norm = r.gradient_norm};
    }

    /// Platt scaling on out-of-fold scores (Lin, Lin and Weng's robust Newton method).
    void calibrate(const dataset<Scalar>& data, const std::vector<double>& weights,
                   const detail::fit_monitor& monitor) {
        const Eigen::Index k = coef_.rows();
        const Eigen::Index n = data.n_samples();
        Eigen::MatrixXd oof(n, k);
        const auto folds = static_cast<Eigen::Index>(params_.calibration_folds);
        // Seeded stratified assignment of rows to folds.
        std::vector<Eigen::Index> fold_of(static_cast<std::size_t>(n));
        std::vector<std::vector<Eigen::Index>> by_class(data.n_classes());
        for (Eigen::Index i = 0; i < n; ++i)
            by_class[static_cast<std::size_t>(data.targets()[i])].push_back(i);
        detail::random_engine engine = detail::random_engine(params_.seed).split(1u << 20);
        Eigen::Index next = 0;
        for (auto& rows : by_class) {
            detail::shuffle(std::span(rows), engine);
            for (const Eigen::Index i : rows)
                fold_of[static_cast<std::size_t>(i)] = next++ % folds;
        }
        for (Eigen::Index f = 0; f < folds; ++f) {
            std::vector<Eigen::Index> train;
            std::vector<Eigen::Index> held;
            for (Eigen::Index i = 0; i < n; ++i)
                (fold_of[static_cast<std::size_t>(i)] == f ? held : train).push_back(i);
            const auto part = data.subset(train);
            std::vector<double> part_weights;
            for (const Eigen::Index i : train)
                part_weights.push_back(weights[static_cast<std::size_t>(i)]);
            rmatrix coef;
            vector intercept;
            fit_report ignored;
            solve_all(part.features(), part.targets(), data.n_classes(), part_weights, monitor,
                      ignored, coef, intercept);
            for (const Eigen::Index i : held) {
                for (Eigen::Index j = 0; j < k; ++j) {
                    oof(i, j) =
                        static_cast<double>(coef.row(j).template cast<double>().dot(
                                                data.features().row(i).template cast<double>()) +
                                            static_cast<double>(intercept[j]));
                }
            }
        }
        platt_.resize(k, 2);
        for (Eigen::Index j = 0; j < k; ++j) {
            const std::int32_t positive = k == 1 ? 1 : static_cast<std::int32_t>(j);
            std::vector<bool> is_positive(static_cast<std::size_t>(n));
            for (Eigen::Index i = 0; i < n; ++i)
                is_positive[static_cast<std::size_t>(i)] = data.targets()[i] == positive;
            const auto [a, b] = fit_sigmoid(oof.col(j), is_positive);
            platt_(j, 0) = static_cast<Scalar>(a);
            platt_(j, 1) = static_cast<Scalar>(b);
        }
    }

    static std::pair<double, double> fit_sigmoid(const Eigen::VectorXd& f,
                                                 const std::vector<bool>& positive) {
        const auto n = static_cast<std::size_t>(f.size());
        double prior1 = 0;
        for (bool p : positive)
            prior1 += p ? 1.0 : 0.0;
        const double prior0 = static_cast<double>(n) - prior1;
        const double hi = (prior1 + 1.0) / (prior1 + 2.0);
        const double lo = 1.0 / (prior0 + 2.0);
        std::vector<double> t(n);
        for (std::size_t i = 0; i < n; ++i)
            t[i] = positive[i] ? hi : lo;
        double a = 0.0;
        double b = std::log((prior0 + 1.0) / (prior1 + 1.0));
        const auto objective = [&](double aa, double bb) {
            double value = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const double z = f[static_cast<Eigen::Index>(i)] * aa + bb;
                value += z >= 0 ? t[i] * z + std::log1p(std::exp(-z))
                                : (t[i] - 1.0) * z + std::log1p(std::exp(z));
            }
            return value;
        };
        double value = objective(a, b);
        for (int it = 0; it < 100; ++it) {
            double h11 = 1e-12;
            double h22 = 1e-12;
            double h21 = 0.0;
            double g1 = 0.0;
            double g2 = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const double fi = f[static_cast<Eigen::Index>(i)];
                const double z = fi * a + b;
                double p = 0.0;
                double q = 0.0;
                if (z >= 0) {
                    p = std::exp(-z) / (1.0 + std::exp(-z));
                    q = 1.0 / (1.0 + std::exp(-z));
                } else {
                    p = 1.0 / (1.0 + std::exp(z));
                    q = std::exp(z) / (1.0 + std::exp(z));
                }
                const double d2 = p * q;
                h11 += fi * fi * d2;
                h22 += d2;
                h21 += fi * d2;
                const double d1 = t[i] - p;
                g1 += fi * d1;
                g2 += d1;
            }
            if (std::abs(g1) < 1e-5 && std::abs(g2) < 1e-5) break;
            const double det = h11 * h22 - h21 * h21;
            const double da = -(h22 * g1 - h21 * g2) / det;
            const double db = -(-h21 * g1 + h11 * g2) / det;
            const double gd = g1 * da + g2 * db;
            double step = 1.0;
            while (step >= 1e-10) {
                const double candidate = objective(a + step * da, b + step * db);
                if (candidate < value + 1e-4 * step * gd) {
                    a += step * da;
                    b += step * db;
                    value = candidate;
                    break;
                }
                step /= 2.0;
            }
            if (step < 1e-10) break;
        }
        return {a, b};
    }

    void check_probability() const {
        if (fitted_ && platt_.rows() == 0) {
            throw invalid_input_error(
                "linear_svm was fitted without probability estimates",
                "set linear_svm_params::probability = true and fit again, or use "
                "decision_function",
                "probability");
        }
    }

    void check_params() const {
        const auto bad = [](const std::string& what, const std::string& fix,
                            const std::string& name) {
            return invalid_input_error("linear_svm: " + what, fix, name);
        };
        if (!(params_.C > 0.0) || !std::isfinite(params_.C))
            throw bad("C must be positive and finite", "use e.g. C = 1.0", "C");
        if (params_.max_iter < 1)
            throw bad("max_iter must be at least 1", "use e.g. 1000", "max_iter");
        if (!(params_.tol > 0.0)) throw bad("tol must be positive", "use e.g. 1e-4", "tol");
        if (params_.solver == svm_solver::primal && params_.loss == svm_loss::hinge) {
            throw bad("the primal solver needs a differentiable loss; hinge has none",
                      "use svm_solver::dual or svm_loss::squared_hinge", "solver");
        }
        if (!(params_.intercept_scaling > 0.0))
            throw bad("intercept_scaling must be positive", "use 1.0", "intercept_scaling");
        if (params_.probability && params_.calibration_folds < 2) {
            throw bad("calibration_folds must be at least 2", "use e.g. 3", "calibration_folds");
        }
        for (double w : params_.class_weights) {
            if (!(w >= 0.0) || !std::isfinite(w))
                throw bad("class_weights must be finite and >= 0", "fix the weights",
                          "class_weights");
        }
    }

    linear_svm_params params_;
    rmatrix coef_;
    vector intercept_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 2, Eigen::RowMajor> platt_;
    label_map classes_;
    std::vector<std::string> feature_names_;
    bool fitted_ = false;
};

template <class Scalar>
auto linear_svm<Scalar>::fit(const dataset<Scalar>& data, std::span<const double> sample_weight,
                             const fit_options& options) -> fit_report {
    detail::check_training_data(data, kind);
    const Eigen::Index n = data.n_samples();
    if (!sample_weight.empty() && static_cast<Eigen::Index>(sample_weight.size()) != n) {
        throw invalid_input_error("linear_svm: " + std::to_string(sample_weight.size()) +
                                      " sample weights for " + std::to_string(n) + " rows",
                                  "give one weight per row", "sample_weight");
    }
    if (!params_.class_weights.empty() && params_.class_weights.size() != data.n_classes()) {
        throw invalid_input_error(
            "linear_svm: class_weights has " + std::to_string(params_.class_weights.size()) +
                " entries for " + std::to_string(data.n_classes()) + " classes",
            "give one weight per class, in class index order", "class_weights");
    }
    const detail::fit_monitor monitor(options);
    std::vector<double> weights(static_cast<std::size_t>(n), 1.0);
    for (Eigen::Index i = 0; i < n; ++i) {
        double w = sample_weight.empty() ? 1.0 : sample_weight[static_cast<std::size_t>(i)];
        if (!(w >= 0.0) || !std::isfinite(w)) {
            throw invalid_input_error("linear_svm: a sample weight is negative or not finite",
                                      "use finite weights >= 0", "sample_weight");
        }
        if (!params_.class_weights.empty())
            w *= params_.class_weights[static_cast<std::size_t>(data.targets()[i])];
        weights[static_cast<std::size_t>(i)] = w;
    }
    fit_report report;
    solve_all(data.features(), data.targets(), data.n_classes(), weights, monitor, report, coef_,
              intercept_);
    classes_ = data.classes();
    feature_names_ = data.feature_names();
    fitted_ = true;
    if (params_.probability) calibrate(data, weights, monitor);
    report.elapsed_seconds = monitor.elapsed_seconds();
    return report;
}

template <class Scalar>
auto linear_svm<Scalar>::decision_function(matrix_cref<Scalar> x) const
    -> probability_matrix<Scalar> {
    detail::check_prediction_input(x, n_features(), fitted_, kind, /*check_finite=*/false);
    probability_matrix<Scalar> z(x.rows(), coef_.rows());
    const auto d = static_cast<std::size_t>(x.cols());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const Scalar* row = x.row(i).data();
        scores(row, z.row(i).data());
        for (Eigen::Index j = 0; j < z.cols(); ++j)
            detail::check_scored_row(row, d, z(i, j), i, kind);
    }
    return z;
}

template <class Scalar>
auto linear_svm<Scalar>::predict(matrix_cref<Scalar> x) const -> class_index_vector {
    const auto z = decision_function(x);
    return detail::classes_from_scores(z);
}

template <class Scalar>
auto linear_svm<Scalar>::predict_proba(matrix_cref<Scalar> x) const -> probability_matrix<Scalar> {
    check_probability();
    return proba_from_decisions(decision_function(x));
}

template <class Scalar>
auto linear_svm<Scalar>::predict_with_proba(matrix_cref<Scalar> x) const
    -> classes_and_probabilities<Scalar> {
    check_probability();
    const auto z = decision_function(x);
    return {detail::classes_from_scores(z), proba_from_decisions(z)};
}

template <class Scalar>
auto linear_svm<Scalar>::proba_from_decisions(const probability_matrix<Scalar>& z) const
    -> probability_matrix<Scalar> {
    probability_matrix<Scalar> p(z.rows(), static_cast<Eigen::Index>(classes_.size()));
    for (Eigen::Index i = 0; i < z.rows(); ++i)
        proba_from_scores(z.row(i).data(), p.row(i).data());
    return p;
}

MLPIPE_EXTERN_MODEL(linear_svm);

}  // namespace mlpipe

// SPDX-License-Identifier: Apache-2.0
/// @file models/linear/logistic_regression.hpp L2-regularised logistic regression (binary and
/// multinomial), fitted by L-BFGS to the same optimum as scikit-learn's `lbfgs` solver.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../../data/dataset.hpp"
#include "../../detail/block_products.hpp"
#include "../../detail/dot.hpp"
#include "../../detail/thread_pool.hpp"
#include "../../error.hpp"
#include "../../optim/lbfgs.hpp"
#include "../classifier.hpp"
#include "../hyperparameters.hpp"

namespace mlpipe {

/// Hyperparameters of logistic_regression; they mean what they mean in scikit-learn.
struct logistic_regression_params {
    double C = 1.0;               ///< inverse L2 strength: minimise C * sum(loss) + ||W||^2 / 2
    bool fit_intercept = true;    ///< learn an unpenalised intercept per class
    std::int64_t max_iter = 100;  ///< L-BFGS iterations
    double tol = 1e-4;            ///< stop when max|gradient| <= tol
    class_weighting class_weight = class_weighting::none;
    std::vector<double> class_weights = {};  ///< explicit weight per class index (overrides none)

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "logistic_regression";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() {
        using p = logistic_regression_params;
        return std::tuple{hyperparameter("C", &p::C),
                          hyperparameter("fit_intercept", &p::fit_intercept),
                          hyperparameter("max_iter", &p::max_iter),
                          hyperparameter("tol", &p::tol),
                          hyperparameter("class_weight", &p::class_weight, class_weighting_names),
                          hyperparameter("class_weights", &p::class_weights)};
    }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static logistic_regression_params from_json(const nlohmann::json& j) {
        return params_from_json<logistic_regression_params>(j);
    }
};

/// Logistic regression. Two classes: one coefficient vector and the logistic function. More: one
/// vector per class and the softmax (multinomial), as scikit-learn's default with lbfgs.
///
/// The objective is C * sum_i w_i * log_loss_i + ||W||_F^2 / 2 (intercepts unpenalised), where w_i
/// is the product of the sample weight and the class weight. It is minimised in double precision
/// whatever Scalar is; the fitted coefficients are stored as Scalar.
/// Thread safety: const member functions (prediction) may be called concurrently; fit may not run
/// concurrently with anything else on the same object.
template <class Scalar = double>
class logistic_regression {
  public:
    using scalar_type = Scalar;
    static constexpr std::string_view kind = "logistic_regression";

    explicit logistic_regression(logistic_regression_params params = {})
        : params_(std::move(params)) {
        check_params();
    }

    /// Fits on `data` with unit sample weights.
    /// @throws invalid_input_error for unusable data (one class, NaN, empty)
    fit_report fit(const dataset<Scalar>& data, const fit_options& options = {}) {
        return fit(data, std::span<const double>{}, options);
    }

    /// Fits on `data` with one weight per row (empty span: all 1).
    fit_report fit(const dataset<Scalar>& data, std::span<const double> sample_weight,
                   const fit_options& options = {});

    /// Raw scores: n x 1 (binary: the log-odds of class 1) or n x n_classes.
    /// @throws not_fitted_error, invalid_input_error (feature count, NaN)
    [[nodiscard]] probability_matrix<Scalar> decision_function(matrix_cref<Scalar> x) const;

    /// Class probabilities, n x n_classes, rows summing to 1.
    [[nodiscard]] probability_matrix<Scalar> predict_proba(matrix_cref<Scalar> x) const;

    /// The most probable class index of each row.
    [[nodiscard]] class_index_vector predict(matrix_cref<Scalar> x) const;

    /// predict(x) and predict_proba(x) from one decision function (see mlpipe::predict_with_proba).
    /// @throws as predict_proba
    [[nodiscard]] classes_and_probabilities<Scalar> predict_with_proba(matrix_cref<Scalar> x) const;

    /// Probabilities of one row into `out` (size n_classes), without allocating for up to 64
    /// classes. Bit-identical to the same row of predict_proba.
    /// @throws as predict_proba
    void predict_proba_row(std::span<const Scalar> row, std::span<Scalar> out) const {
        check_row(row, out.size());
        Scalar stack[max_stack_classes];
        std::vector<Scalar> heap;
        const auto k = static_cast<std::size_t>(coef_.rows());
        Scalar* z = stack;
        if (k > max_stack_classes) {
            heap.resize(k);
            z = heap.data();
        }
        scores(row.data(), z);
        scores_to_proba(std::span<const Scalar>(z, k), out);
    }

    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    [[nodiscard]] Eigen::Index n_features() const noexcept { return coef_.cols(); }
    [[nodiscard]] const label_map& classes() const noexcept { return classes_; }
    [[nodiscard]] const std::vector<std::string>& feature_names() const noexcept {
        return feature_names_;
    }
    /// Coefficients: 1 x d (binary) or n_classes x d.
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>&
    coefficients() const noexcept {
        return coef_;
    }
    /// Intercepts: 1 (binary) or n_classes.
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& intercepts() const noexcept {
        return intercept_;
    }
    [[nodiscard]] const logistic_regression_params& params() const noexcept { return params_; }

    /// A fitted model from saved parts (see coefficients(), intercepts()).
    /// @throws format_error when the shapes disagree; invalid_input_error for bad params
    [[nodiscard]] static logistic_regression restore(
        logistic_regression_params params,
        Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> coef,
        Eigen::Matrix<Scalar, Eigen::Dynamic, 1> intercept, label_map classes,
        std::vector<std::string> feature_names) {
        logistic_regression m(std::move(params));
        const auto k =
            classes.size() == 2 ? Eigen::Index{1} : static_cast<Eigen::Index>(classes.size());
        detail::check_restore(classes.size() >= 2 && coef.rows() == k && intercept.size() == k &&
                                  static_cast<Eigen::Index>(feature_names.size()) == coef.cols(),
                              kind, "coefficients, intercepts, classes and feature names");
        m.coef_ = std::move(coef);
        m.intercept_ = std::move(intercept);
        m.classes_ = std::move(classes);
        m.feature_names_ = std::move(feature_names);
        m.fitted_ = true;
        return m;
    }

  private:
    /// Probabilities from the rows of decision_function (what predict_proba returns).
    [[nodiscard]] probability_matrix<Scalar> proba_from_decisions(
        const probability_matrix<Scalar>& z) const;
    static constexpr std::size_t max_stack_classes = 64;

    /// The relative loss decrease that ends a fit. scikit-learn's lbfgs (scipy's L-BFGS-B with its
    /// default factr = 1e7) stops at 1e7 * epsilon = 2.2e-9; so do we at the default tol = 1e-4. A
    /// tighter tol tightens it (tol^2, down to 64 epsilon), so that e.g. tol = 1e-10 reaches the
    /// exact optimum rather than stopping where scikit-learn does.
    static double function_tolerance(double tol) noexcept {
        constexpr double epsilon = std::numeric_limits<double>::epsilon();
        return std::clamp(tol * tol, 64.0 * epsilon, 1e7 * epsilon);
    }

    /// Scores of one row (n_features values) into z (coef_.rows() values).
    void scores(const Scalar* row, Scalar* z) const noexcept {
        const auto d = static_cast<std::size_t>(coef_.cols());
        for (Eigen::Index j = 0; j < coef_.rows(); ++j) {
            z[j] = detail::dot_fixed_order(coef_.row(j).data(), row, d) + intercept_[j];
        }
    }

    static double sigmoid(double z) noexcept {
        if (z >= 0.0) return 1.0 / (1.0 + std::exp(-z));
        const double e = std::exp(z);
        return e / (1.0 + e);
    }

    void scores_to_proba(std::span<const Scalar> z, std::span<Scalar> p) const {
        if (z.size() == 1) {
            const auto p1 = static_cast<Scalar>(sigmoid(static_cast<double>(z[0])));
            p[0] = Scalar(1) - p1;
            p[1] = p1;
            return;
        }
        const Scalar top = *std::max_element(z.begin(), z.end());
        Scalar sum = 0;
        for (std::size_t j = 0; j < z.size(); ++j) {
            p[j] = std::exp(z[j] - top);
            sum += p[j];
        }
        for (auto& v : p)
            v /= sum;
    }

    void check_row(std::span<const Scalar> row, std::size_t out_size) const {
        if (!fitted_) {
            throw not_fitted_error(std::string(kind) + " is used before it was fitted or loaded",
                                   "call fit() or load a model first");
        }
        if (static_cast<Eigen::Index>(row.size()) != n_features()) {
            throw invalid_input_error(
                std::string(kind) + ": row has " + std::to_string(row.size()) +
                    " features but the model was trained on " + std::to_string(n_features()),
                "pass the model's features, in the training order");
        }
        if (out_size != classes_.size()) {
            throw invalid_input_error(std::string(kind) + ": output span holds " +
                                          std::to_string(out_size) + " values for " +
                                          std::to_string(classes_.size()) + " classes",
                                      "size it n_classes");
        }
        for (Scalar v : row) {
            if (!std::isfinite(v)) {
                throw invalid_input_error(std::string(kind) + ": row holds NaN or infinite values",
                                          "impute missing values before predicting");
            }
        }
    }

    Eigen::VectorXd row_weights(const dataset<Scalar>& data,
                                std::span<const double> sample_weight) const {
        const Eigen::Index n = data.n_samples();
        const std::size_t n_classes = data.n_classes();
        std::vector<double> per_class(n_classes, 1.0);
        if (!params_.class_weights.empty()) {
            if (params_.class_weights.size() != n_classes) {
                throw invalid_input_error(
                    std::string(kind) + ": class_weights has " +
                        std::to_string(params_.class_weights.size()) + " entries for " +
                        std::to_string(n_classes) + " classes",
                    "give one weight per class, in class index order", "class_weights");
            }
            per_class = params_.class_weights;
        } else if (params_.class_weight == class_weighting::balanced) {
            const auto counts = data.class_counts();
            for (std::size_t c = 0; c < n_classes; ++c) {
                per_class[c] = counts[c] == 0
                                   ? 0.0
                                   : static_cast<double>(n) / (static_cast<double>(n_classes) *
                                                               static_cast<double>(counts[c]));
            }
        }
        Eigen::VectorXd w(n);
        for (Eigen::Index i = 0; i < n; ++i) {
            w[i] = per_class[static_cast<std::size_t>(data.targets()[i])] *
                   (sample_weight.empty() ? 1.0 : sample_weight[static_cast<std::size_t>(i)]);
        }
        return w;
    }

    void check_params() const {
        const auto bad = [](const std::string& what, const std::string& fix,
                            const std::string& name) {
            return invalid_input_error("logistic_regression: " + what, fix, name);
        };
        if (!(params_.C > 0.0) || !std::isfinite(params_.C)) {
            throw bad("C is " + std::to_string(params_.C) + "; it must be positive and finite",
                      "use e.g. C = 1.0 (smaller means stronger regularisation)", "C");
        }
        if (params_.max_iter < 1)
            throw bad("max_iter must be at least 1", "use e.g. 100", "max_iter");
        if (!(params_.tol > 0.0)) throw bad("tol must be positive", "use e.g. 1e-4", "tol");
        for (double w : params_.class_weights) {
            if (!(w >= 0.0) || !std::isfinite(w)) {
                throw bad("class_weights must be finite and >= 0", "fix the weights",
                          "class_weights");
            }
        }
    }

    logistic_regression_params params_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> coef_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> intercept_;
    label_map classes_;
    std::vector<std::string> feature_names_;
    bool fitted_ = false;
};

template <class Scalar>
auto logistic_regression<Scalar>::fit(const dataset<Scalar>& data,
                                      std::span<const double> sample_weight,
                                      const fit_options& options) -> fit_report {
    // Finiteness is checked in the moments pass below.
    detail::check_training_data(data, kind, /*check_finite=*/false);
    const Eigen::Index n = data.n_samples();
    const Eigen::Index d = data.n_features();
    const auto n_classes = static_cast<Eigen::Index>(data.n_classes());
    if (!sample_weight.empty() && static_cast<Eigen::Index>(sample_weight.size()) != n) {
        throw invalid_input_error(std::string(kind) + ": " + std::to_string(sample_weight.size()) +
                                      " sample weights for " + std::to_string(n) + " rows",
                                  "give one weight per row", "sample_weight");
    }
    for (double w : sample_weight) {
        if (!(w >= 0.0) || !std::isfinite(w)) {
            throw invalid_input_error(
                std::string(kind) + ": a sample weight is negative or not finite",
                "use finite weights >= 0", "sample_weight");
        }
    }
    const Eigen::VectorXd weights = row_weights(data, sample_weight);
    const Eigen::Index k = n_classes == 2 ? 1 : n_classes;  // coefficient rows
    const Eigen::Index width = d + 1;                       // coefficients + intercept

    // The design matrix in double (no copy when Scalar is double).
    using dmatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    dmatrix converted;
    if constexpr (!std::is_same_v<Scalar, double>)
        converted = data.features().template cast<double>();
    const dmatrix& x = [&]() -> const dmatrix& {
        if constexpr (std::is_same_v<Scalar, double>) {
            return data.features();
        } else {
            return converted;
        }
    }();
    const class_index_vector& y = data.targets();
    const double c = params_.C;
    const bool intercept = params_.fit_intercept;

    // The data term is summed over fixed blocks of rows, each block's partial sums kept apart
    // and added in block order: the result is the same whatever the thread count. A block
    // (block_rows x d doubles) stays in the L2 cache between the product that scores it and
    // the one that accumulates its gradient, so each evaluation streams X from memory once.
    constexpr Eigen::Index block_rows = 256;
    const Eigen::Index blocks = (n + block_rows - 1) / block_rows;
    const auto block_range = [&](std::size_t index) {
        const Eigen::Index start = static_cast<Eigen::Index>(index) * block_rows;
        return std::pair{start, std::min(block_rows, n - start)};
    };
    detail::thread_pool pool(static_cast<unsigned>(
        std::min<Eigen::Index>(detail::resolve_threads(options.threads), blocks)));

    // L-BFGS runs on a preconditioned parametrisation of the same problem: v_j = w_j * sd_j
    // and, with an intercept, c = b + w . mean. The optimum is the same; the iterations are
    // far fewer and the result far more precise on features of different scales. The column
    // means and spreads come from one pass over X: per block, then merged in block order
    // (Chan, Golub and LeVeque's pairwise update).
    Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(d);
    Eigen::RowVectorXd scale = Eigen::RowVectorXd::Ones(d);
    {
        std::vector<Eigen::RowVectorXd> block_mean(static_cast<std::size_t>(blocks));
        std::vector<Eigen::RowVectorXd> block_m2(static_cast<std::size_t>(blocks));
        pool.parallel_for(static_cast<std::size_t>(blocks), [&](std::size_t index) {
            const auto [start, rows] = block_range(index);
            const auto xb = x.middleRows(start, rows);
            block_mean[index] = xb.colwise().sum() / static_cast<double>(rows);
            block_m2[index] = (xb.rowwise() - block_mean[index]).colwise().squaredNorm();
        });
        Eigen::RowVectorXd m = block_mean[0];
        Eigen::RowVectorXd m2 = block_m2[0];
        double count = static_cast<double>(block_range(0).second);
        for (std::size_t b = 1; b < static_cast<std::size_t>(blocks); ++b) {
            const auto rows = static_cast<double>(block_range(b).second);
            const double total = count + rows;
            const Eigen::RowVectorXd delta = block_mean[b] - m;
            m += delta * (rows / total);
            m2 += block_m2[b] + delta.cwiseAbs2() * (count * rows / total);
            count = total;
        }
        // NaN or infinity in X makes the moments so: name the culprit (finite values so
        // large that their squares overflow fall through to the unit scale below).
        if (!std::isfinite(m.sum() + m2.sum())) detail::check_finite_features(data, kind);
        if (intercept) mean = m;
        for (Eigen::Index j = 0; j < d; ++j) {
            // The spread around the mean the intercept removes (around 0 without one).
            const double sd = std::sqrt(intercept ? m2[j] / count : m2[j] / count + m[j] * m[j]);
            scale[j] = sd > 0.0 && std::isfinite(sd) ? sd : 1.0;
        }
    }
    dmatrix t(k, width);  // w and b in the original parametrisation
    dmatrix g(k, width);
    const auto to_original = [&](const Eigen::VectorXd& theta) {
        const Eigen::Map<const dmatrix> v(theta.data(), k, width);
        t.leftCols(d) = v.leftCols(d).array().rowwise() / scale.array();
        t.col(d) = intercept ? Eigen::VectorXd(v.col(d) - t.leftCols(d) * mean.transpose())
                             : Eigen::VectorXd::Zero(k);
    };
    // Scores, then residuals (weight * (probability - target)), one column per class. Every
    // product below is a matrix-vector product of a block of X with one class's column, by the
    // two kernels of detail/block_products.hpp (AVX2 + FMA when the processor has them).
    Eigen::MatrixXd z(n, k);
    const detail::simd_path path = detail::block_products_path();
    std::vector<double> block_loss(static_cast<std::size_t>(blocks));
    std::vector<dmatrix> block_grad(static_cast<std::size_t>(blocks), dmatrix(k, width));
    const auto block_terms = [&](std::size_t index) {
        const auto [start, rows] = block_range(index);
        const double* xs = x.row(start).data();
        const auto stride = static_cast<std::size_t>(x.outerStride());
        const auto urows = static_cast<std::size_t>(rows);
        const auto ud = static_cast<std::size_t>(d);
        for (Eigen::Index j = 0; j < k; ++j)
            detail::rows_dot(path, xs, stride, urows, ud, &t(j, 0), &z(start, j));
        double loss = 0.0;
        if (k == 1) {
            // log(1 + exp(z)) - target * z and the sigmoid, stably from one exponential, over the
            // whole block at once (Eigen's vectorised exp and log1p; on the stack).
            using block_array = Eigen::Array<double, Eigen::Dynamic, 1, 0, block_rows, 1>;
            auto zb = z.col(0).segment(start, rows).array();
            const auto wb = weights.segment(start, rows).array();
            const block_array zi = zb + t(0, d);
            const block_array target =
                (y.segment(start, rows).array() == 1).template cast<double>();
            const block_array e = (-zi.abs()).exp();
            // The sum in order, as Eigen's (scalar) reduction of the same expression adds it: g++
            // -O3 cannot see that e's fixed-capacity storage is written up to `rows` and warned
            // (-Wmaybe-uninitialized) inside that reduction.
            for (Eigen::Index i = 0; i < rows; ++i) {
                const double term =
                    wb[i] * (std::max(zi[i], 0.0) + std::log1p(e[i]) - target[i] * zi[i]);
                loss = i == 0 ? term : loss + term;
            }
            const block_array s = 1.0 / (1.0 + e);  // sigmoid(|z|)
            zb = wb * ((zi >= 0.0).select(s, e * s) - target);
        } else {
            for (Eigen::Index i = start; i < start + rows; ++i) {
                const double w = weights[i];
                const auto yi = static_cast<Eigen::Index>(y[i]);
                double top = -std::numeric_limits<double>::infinity();
                for (Eigen::Index j = 0; j < k; ++j) {
                    z(i, j) += t(j, d);
                    top = std::max(top, z(i, j));
                }
                const double target_score = z(i, yi);
                double sum = 0.0;
                for (Eigen::Index j = 0; j < k; ++j) {
                    z(i, j) = std::exp(z(i, j) - top);
                    sum += z(i, j);
                }
                loss += w * (top + std::log(sum) - target_score);
                for (Eigen::Index j = 0; j < k; ++j)
                    z(i, j) *= w / sum;
                z(i, yi) -= w;
            }
        }
        auto& gb = block_grad[index];
        for (Eigen::Index j = 0; j < k; ++j) {
            detail::weighted_row_sum(path, xs, stride, urows, ud, &z(start, j), &gb(j, 0));
            gb(j, d) = z.col(j).segment(start, rows).sum();
        }
        block_loss[index] = loss;
    };
    auto objective = [&](const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) {
        to_original(theta);
        pool.parallel_for(static_cast<std::size_t>(blocks), block_terms);
        double loss = 0.0;
        g.setZero();
        for (Eigen::Index b = 0; b < blocks; ++b) {
            loss += block_loss[static_cast<std::size_t>(b)];
            g += block_grad[static_cast<std::size_t>(b)];
        }
        // Gradient in the original parametrisation...
        g *= c;
        g.leftCols(d) += t.leftCols(d);
        if (!intercept) g.col(d).setZero();
        // ...and by the chain rule in the preconditioned one.
        Eigen::Map<dmatrix> gv(gradient.data(), k, width);
        gv.leftCols(d) = (g.leftCols(d) - g.col(d) * mean).array().rowwise() / scale.array();
        gv.col(d) = g.col(d);
        return c * loss + 0.5 * t.leftCols(d).squaredNorm();
    };

    Eigen::VectorXd theta = Eigen::VectorXd::Zero(k * width);
    const detail::fit_monitor monitor(options);
    const lbfgs_result r = minimize_lbfgs(objective, theta,
                                          {.max_iterations = params_.max_iter,
                                           .gradient_tolerance = params_.tol,
                                           .function_tolerance = function_tolerance(params_.tol)},
                                          &monitor);
    to_original(theta);
    coef_ = t.leftCols(d).template cast<Scalar>();
    intercept_ = t.col(d).template cast<Scalar>();
    classes_ = data.classes();
    feature_names_ = data.feature_names();
    fitted_ = true;
    return fit_report{.status = r.status,
                      .iterations = r.iterations,
                      .final_loss = r.loss,
                      .gradient_norm = r.gradient_norm,
                      .elapsed_seconds = monitor.elapsed_seconds()};
}

template <class Scalar>
auto logistic_regression<Scalar>::decision_function(matrix_cref<Scalar> x) const
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
auto logistic_regression<Scalar>::predict_proba(matrix_cref<Scalar> x) const
    -> probability_matrix<Scalar> {
    return proba_from_decisions(decision_function(x));
}

template <class Scalar>
auto logistic_regression<Scalar>::predict_with_proba(matrix_cref<Scalar> x) const
    -> classes_and_probabilities<Scalar> {
    const probability_matrix<Scalar> z = decision_function(x);
    return {detail::classes_from_scores(z), proba_from_decisions(z)};
}

template <class Scalar>
auto logistic_regression<Scalar>::proba_from_decisions(const probability_matrix<Scalar>& z) const
    -> probability_matrix<Scalar> {
    probability_matrix<Scalar> p(z.rows(), static_cast<Eigen::Index>(classes_.size()));
    for (Eigen::Index i = 0; i < z.rows(); ++i) {
        scores_to_proba(
            std::span<const Scalar>(z.row(i).data(), static_cast<std::size_t>(z.cols())),
            std::span<Scalar>(p.row(i).data(), static_cast<std::size_t>(p.cols())));
    }
    return p;
}

template <class Scalar>
auto logistic_regression<Scalar>::predict(matrix_cref<Scalar> x) const -> class_index_vector {
    const probability_matrix<Scalar> z = decision_function(x);
    return detail::classes_from_scores(z);
}

MLPIPE_EXTERN_MODEL(logistic_regression);

}  // namespace mlpipe

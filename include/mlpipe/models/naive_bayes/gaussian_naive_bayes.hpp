// SPDX-License-Identifier: Apache-2.0
/// @file models/naive_bayes/gaussian_naive_bayes.hpp Gaussian naive Bayes with variance smoothing,
/// as scikit-learn's GaussianNB.
#pragma once

#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <Eigen/Core>

#include "../../data/dataset.hpp"
#include "../../error.hpp"
#include "../classifier.hpp"
#include "../hyperparameters.hpp"

namespace mlpipe {

/// Hyperparameters of gaussian_naive_bayes.
struct gaussian_naive_bayes_params {
    /// Added to every variance: var_smoothing times the largest feature variance.
    double var_smoothing = 1e-9;
    /// Class priors in class index order; empty: the class frequencies of the training data.
    std::vector<double> priors = {};

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "gaussian_naive_bayes";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() {
        using p = gaussian_naive_bayes_params;
        return std::tuple{hyperparameter("var_smoothing", &p::var_smoothing),
                          hyperparameter("priors", &p::priors)};
    }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static gaussian_naive_bayes_params from_json(const nlohmann::json& j) {
        return params_from_json<gaussian_naive_bayes_params>(j);
    }
};

/// Each class is a product of independent normal distributions, one per feature; prediction takes
/// the class of highest posterior. Fitting is one pass over the data (weighted means and variances
/// in double precision).
/// Thread safety: const members (prediction) may be called concurrently.
template <class Scalar = double>
class gaussian_naive_bayes {
  public:
    using scalar_type = Scalar;
    static constexpr std::string_view kind = "gaussian_naive_bayes";
    /// predict is the most probable class of predict_proba (see mlpipe::predict_with_proba).
    static constexpr bool predicts_most_probable = true;

    explicit gaussian_naive_bayes(gaussian_naive_bayes_params params = {})
        : params_(std::move(params)) {
        if (!(params_.var_smoothing >= 0.0) || !std::isfinite(params_.var_smoothing)) {
            throw invalid_input_error("gaussian_naive_bayes: var_smoothing must be finite and >= 0",
                                      "use e.g. 1e-9", "var_smoothing");
        }
    }

    fit_report fit(const dataset<Scalar>& data, const fit_options& options = {}) {
        return fit(data, std::span<const double>{}, options);
    }

    /// Fits with one weight per row (empty: all 1).
    fit_report fit(const dataset<Scalar>& data, std::span<const double> sample_weight,
                   const fit_options& options = {});

    /// Class probabilities, n x n_classes.
    [[nodiscard]] probability_matrix<Scalar> predict_proba(matrix_cref<Scalar> x) const;

    [[nodiscard]] class_index_vector predict(matrix_cref<Scalar> x) const;

    /// Probabilities of one row, without allocating; bit-identical to predict_proba.
    void predict_proba_row(std::span<const Scalar> row, std::span<Scalar> out) const {
        const Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>> v(
            row.data(), static_cast<Eigen::Index>(row.size()));
        detail::check_prediction_input(v, n_features(), fitted_, kind);
        if (static_cast<Eigen::Index>(out.size()) != mean_.rows()) {
            throw invalid_input_error("gaussian_naive_bayes: output span holds " +
                                          std::to_string(out.size()) + " values for " +
                                          std::to_string(mean_.rows()) + " classes",
                                      "size it n_classes");
        }
        proba_row(row.data(), out.data());
    }

    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    [[nodiscard]] Eigen::Index n_features() const noexcept { return mean_.cols(); }
    [[nodiscard]] const label_map& classes() const noexcept { return classes_; }
    [[nodiscard]] const std::vector<std::string>& feature_names() const noexcept {
        return feature_names_;
    }
    /// Per-class feature means (n_classes x d).
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>&
    means() const noexcept {
        return mean_;
    }
    /// Per-class feature variances including smoothing (n_classes x d).
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>&
    variances() const noexcept {
        return var_;
    }
    [[nodiscard]] const gaussian_naive_bayes_params& params() const noexcept { return params_; }

    /// Per-class constant of the log-likelihood: log prior - sum_j log(2 pi var_j) / 2.
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& class_log_norms() const noexcept {
        return log_norm_;
    }

    /// A fitted model from saved parts (see means(), variances(), class_log_norms()).
    /// @throws format_error when the shapes disagree or a variance is not positive
    [[nodiscard]] static gaussian_naive_bayes restore(
        gaussian_naive_bayes_params params,
        Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> means,
        Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> variances,
        Eigen::Matrix<Scalar, Eigen::Dynamic, 1> log_norms, label_map classes,
        std::vector<std::string> feature_names) {
        gaussian_naive_bayes m(std::move(params));
        const auto k = static_cast<Eigen::Index>(classes.size());
        detail::check_restore(k >= 2 && means.rows() == k && variances.rows() == k &&
                                  log_norms.size() == k && variances.cols() == means.cols() &&
                                  static_cast<Eigen::Index>(feature_names.size()) == means.cols(),
                              kind, "means, variances, class constants, classes and feature names");
        detail::check_restore(
            (variances.array() > Scalar(0)).all() && means.allFinite() && log_norms.allFinite(),
            kind, "a variance is not positive or a value is not finite");
        m.mean_ = std::move(means);
        m.var_ = std::move(variances);
        m.log_norm_ = std::move(log_norms);
        m.classes_ = std::move(classes);
        m.feature_names_ = std::move(feature_names);
        m.fitted_ = true;
        return m;
    }

  private:
    void proba_row(const Scalar* x, Scalar* out) const noexcept {
        const Eigen::Index k = mean_.rows();
        const Eigen::Index d = mean_.cols();
        Scalar top = -std::numeric_limits<Scalar>::infinity();
        for (Eigen::Index c = 0; c < k; ++c) {
            Scalar s = 0;
            const Scalar* m = mean_.row(c).data();
            const Scalar* v = var_.row(c).data();
            for (Eigen::Index j = 0; j < d; ++j) {
                const Scalar diff = x[j] - m[j];
                s += diff * diff / v[j];
            }
            out[c] = log_norm_[c] - Scalar(0.5) * s;
            top = std::max(top, out[c]);
        }
        Scalar sum = 0;
        for (Eigen::Index c = 0; c < k; ++c) {
            out[c] = std::exp(out[c] - top);
            sum += out[c];
        }
        for (Eigen::Index c = 0; c < k; ++c)
            out[c] /= sum;
    }

    gaussian_naive_bayes_params params_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> mean_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> var_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> log_norm_;
    label_map classes_;
    std::vector<std::string> feature_names_;
    bool fitted_ = false;
};

template <class Scalar>
auto gaussian_naive_bayes<Scalar>::fit(const dataset<Scalar>& data,
                                       std::span<const double> sample_weight,
                                       const fit_options& options) -> fit_report {
    detail::check_training_data(data, kind);
    const detail::fit_monitor monitor(options);
    const Eigen::Index n = data.n_samples();
    const Eigen::Index d = data.n_features();
    const auto k = static_cast<Eigen::Index>(data.n_classes());
    if (!sample_weight.empty() && static_cast<Eigen::Index>(sample_weight.size()) != n) {
        throw invalid_input_error("gaussian_naive_bayes: " + std::to_string(sample_weight.size()) +
                                      " sample weights for " + std::to_string(n) + " rows",
                                  "give one weight per row", "sample_weight");
    }
    const auto weight = [&](Eigen::Index i) {
        return sample_weight.empty() ? 1.0 : sample_weight[static_cast<std::size_t>(i)];
    };
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(k, d);
    Eigen::VectorXd total = Eigen::VectorXd::Zero(k);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double w = weight(i);
        if (!(w >= 0.0) || !std::isfinite(w)) {
            throw invalid_input_error(
                "gaussian_naive_bayes: a sample weight is negative or not finite",
                "use finite weights >= 0", "sample_weight");
        }
        const Eigen::Index c = data.targets()[i];
        sum.row(c) += w * data.features().row(i).template cast<double>();
        total[c] += w;
    }
    Eigen::MatrixXd mean = sum.array().colwise() / total.array().max(1e-300);
    Eigen::MatrixXd var = Eigen::MatrixXd::Zero(k, d);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Index c = data.targets()[i];
        var.row(c) += weight(i) * (data.features().row(i).template cast<double>() - mean.row(c))
                                      .array()
                                      .square()
                                      .matrix();
    }
    var = var.array().colwise() / total.array().max(1e-300);
    // Smoothing: a fraction of the largest variance of any feature over all rows.
    const Eigen::RowVectorXd overall_mean =
        data.features().template cast<double>().colwise().mean();
    const double largest = ((data.features().template cast<double>().rowwise() - overall_mean)
                                .array()
                                .square()
                                .colwise()
                                .sum() /
                            static_cast<double>(n))
                               .maxCoeff();
    const double epsilon = params_.var_smoothing * largest;
    var.array() += epsilon;
    if ((var.array() <= 0.0).any()) {
        throw invalid_input_error(
            "gaussian_naive_bayes: a feature has zero variance in a class and "
            "var_smoothing is 0",
            "set var_smoothing > 0 (e.g. 1e-9)", "var_smoothing");
    }
    Eigen::VectorXd prior(k);
    if (!params_.priors.empty()) {
        if (static_cast<Eigen::Index>(params_.priors.size()) != k) {
            throw invalid_input_error("gaussian_naive_bayes: priors has " +
                                          std::to_string(params_.priors.size()) + " entries for " +
                                          std::to_string(k) + " classes",
                                      "give one prior per class, in class index order", "priors");
        }
        double s = 0.0;
        for (std::size_t c = 0; c < params_.priors.size(); ++c) {
            if (!(params_.priors[c] >= 0.0)) {
                throw invalid_input_error("gaussian_naive_bayes: priors must be >= 0",
                                          "fix the priors", "priors");
            }
            prior[static_cast<Eigen::Index>(c)] = params_.priors[c];
            s += params_.priors[c];
        }
        if (std::abs(s - 1.0) > 1e-8) {
            throw invalid_input_error(
                "gaussian_naive_bayes: priors sum to " + std::to_string(s) + ", not 1",
                "normalise the priors", "priors");
        }
    } else {
        prior = total / total.sum();
    }
    mean_ = mean.template cast<Scalar>();
    var_ = var.template cast<Scalar>();
    // Constant part of each class's log-likelihood: log prior - sum_j log(2 pi var_j) / 2.
    log_norm_.resize(k);
    for (Eigen::Index c = 0; c < k; ++c) {
        log_norm_[c] = static_cast<Scalar>(
            std::log(prior[c]) - 0.5 * (2.0 * std::numbers::pi * var.row(c).array()).log().sum());
    }
    classes_ = data.classes();
    feature_names_ = data.feature_names();
    fitted_ = true;
    return fit_report{.status = fit_status::converged,
                      .iterations = 1,
                      .elapsed_seconds = monitor.elapsed_seconds()};
}

template <class Scalar>
auto gaussian_naive_bayes<Scalar>::predict_proba(matrix_cref<Scalar> x) const
    -> probability_matrix<Scalar> {
    detail::check_prediction_input(x, n_features(), fitted_, kind);
    probability_matrix<Scalar> p(x.rows(), mean_.rows());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        proba_row(x.row(i).data(), p.row(i).data());
    }
    return p;
}

template <class Scalar>
auto gaussian_naive_bayes<Scalar>::predict(matrix_cref<Scalar> x) const -> class_index_vector {
    return detail::most_probable(predict_proba(x));
}

MLPIPE_EXTERN_MODEL(gaussian_naive_bayes);

}  // namespace mlpipe

// SPDX-License-Identifier: Apache-2.0
/// @file models/classifier.hpp What every classifier shares: the `classifier` concept, the matrix
/// types of its interface, and the checks of its inputs. The fit vocabulary (options, reports,
/// progress) is in fit.hpp.
#pragma once

#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "../config.hpp"
#include "../data/dataset.hpp"
#include "../error.hpp"
#include "../fit.hpp"

namespace mlpipe {

/// A row-major feature matrix view: callers pass their own memory without a copy.
template <class Scalar>
using matrix_cref = Eigen::Ref<const feature_matrix<Scalar>>;

/// Probabilities, one row per sample, one column per class.
template <class Scalar>
using probability_matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A classifier: fits on a labelled dataset, predicts class indices and probabilities, maps
/// indices back through classes(), and has a stable kind name.
template <class M>
concept classifier = requires(M model, const M& fitted,
                              const dataset<typename M::scalar_type>& data,
                              const fit_options& options,
                              const feature_matrix<typename M::scalar_type>& x) {
    typename M::scalar_type;
    { M::kind } -> std::convertible_to<std::string_view>;
    { model.fit(data, options) } -> std::same_as<fit_report>;
    { fitted.predict(x) } -> std::same_as<class_index_vector>;
    { fitted.predict_proba(x) } -> std::same_as<probability_matrix<typename M::scalar_type>>;
    { fitted.n_features() } -> std::convertible_to<Eigen::Index>;
    { fitted.classes() } -> std::convertible_to<const label_map&>;
    { fitted.fitted() } -> std::convertible_to<bool>;
};

namespace detail {

/// Throws format_error unless `ok`: a model restored from saved parts whose shapes disagree.
MLPIPE_DECL void check_restore(bool ok, std::string_view kind, const std::string& what);

/// Throws invalid_input_error naming the first NaN or infinite feature value of `data`, if any.
template <class Scalar>
void check_finite_features(const dataset<Scalar>& data, std::string_view model) {
    const auto& x = data.features();
    // x * 0 is 0 for a finite x and NaN for NaN or infinity: one vectorised pass answers "all
    // finite?" at memory speed (Eigen's allFinite is a scalar loop, 8x slower); the loop below
    // only runs to name the culprit.
    if (!std::isnan((x.array() * Scalar(0)).sum())) return;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        for (Eigen::Index j = 0; j < x.cols(); ++j) {
            if (!std::isfinite(x(i, j))) {
                throw invalid_input_error(
                    std::string(model) + ": feature \"" +
                        data.feature_names()[static_cast<std::size_t>(j)] + "\" of row " +
                        std::to_string(i) + " is " + (std::isnan(x(i, j)) ? "NaN" : "infinite"),
                    "impute missing values (simple_imputer) or drop the row first");
            }
        }
    }
}

/// Checks a training set before any model code runs: labelled, non-empty, >= 2 classes and (unless
/// the model checks finiteness itself, fused into a pass over the data it makes anyway) finite.
template <class Scalar>
void check_training_data(const dataset<Scalar>& data, std::string_view model,
                         bool check_finite = true) {
    const std::string who(model);
    if (!data.labelled()) {
        throw invalid_input_error(who + ": the training data has no labels",
                                  "read it with a label column (csv_options::label_column)");
    }
    if (data.n_samples() == 0 || data.n_features() == 0) {
        throw invalid_input_error(who + ": the training data is empty (" +
                                      std::to_string(data.n_samples()) + " rows, " +
                                      std::to_string(data.n_features()) + " features)",
                                  "train on at least one row and one feature");
    }
    const auto counts = data.class_counts();
    std::size_t present = 0;
    for (auto c : counts)
        present += c > 0 ? 1 : 0;
    if (present < 2) {
        throw invalid_input_error(who + ": the training data holds a single class",
                                  "a classifier needs rows of at least two classes");
    }
    if (check_finite) check_finite_features(data, model);
}

/// Checks a prediction input against the fitted model: fitted, feature count and (unless the
/// model checks finiteness itself, fused into its one pass over the data) no NaN or infinity.
template <class Derived>
void check_prediction_input(const Eigen::MatrixBase<Derived>& x, Eigen::Index n_features,
                            bool fitted, std::string_view model, bool check_finite = true) {
    const std::string who(model);
    if (!fitted) {
        throw not_fitted_error(who + " is used before it was fitted or loaded",
                               "call fit() or load a model first");
    }
    if (x.cols() != n_features) {
        throw invalid_input_error(who + ": input has " + std::to_string(x.cols()) +
                                      " features but the model was trained on " +
                                      std::to_string(n_features),
                                  "pass rows with the model's features, in the training order");
    }
    if (check_finite && !x.allFinite()) {
        throw invalid_input_error(who + ": input holds NaN or infinite values",
                                  "impute missing values before predicting");
    }
}

/// For linear models that check finiteness in their scoring pass: a finite score proves a finite
/// row (NaN propagates, and inf times a weight is inf or NaN); a non-finite score is an error
/// when the row holds NaN or infinity (otherwise it is a genuine overflow).
template <class Scalar>
void check_scored_row(const Scalar* row, std::size_t n, Scalar score, Eigen::Index index,
                      std::string_view model) {
    if (MLPIPE_LIKELY(std::isfinite(score))) return;
    for (std::size_t j = 0; j < n; ++j) {
        if (!std::isfinite(row[j])) {
            throw invalid_input_error(std::string(model) + ": input row " + std::to_string(index) +
                                          " holds NaN or infinite values (feature " +
                                          std::to_string(j) + ")",
                                      "impute missing values before predicting");
        }
    }
}

/// The most probable class of each row (the first on ties, as numpy's argmax).
template <class Scalar>
[[nodiscard]] class_index_vector most_probable(const probability_matrix<Scalar>& p) {
    class_index_vector out(p.rows());
    for (Eigen::Index i = 0; i < p.rows(); ++i) {
        Eigen::Index best = 0;
        for (Eigen::Index c = 1; c < p.cols(); ++c)
            if (p(i, c) > p(i, best)) best = c;
        out[i] = static_cast<std::int32_t>(best);
    }
    return out;
}

/// The class of each row of decision scores: the largest score (the first on ties), or for a
/// single column (two classes), class 1 where the score is positive.
template <class Scalar>
[[nodiscard]] class_index_vector classes_from_scores(const probability_matrix<Scalar>& z) {
    class_index_vector out(z.rows());
    for (Eigen::Index i = 0; i < z.rows(); ++i) {
        if (z.cols() == 1) {
            out[i] = z(i, 0) > Scalar(0) ? 1 : 0;
        } else {
            Eigen::Index best = 0;
            z.row(i).maxCoeff(&best);
            out[i] = static_cast<std::int32_t>(best);
        }
    }
    return out;
}

}  // namespace detail

/// The classes and the probabilities of the same rows: what predict and predict_proba return.
template <class Scalar>
struct classes_and_probabilities {
    class_index_vector classes;
    probability_matrix<Scalar> probabilities;
};

/// `{model.predict(x), model.predict_proba(x)}` in one pass over the model where it allows: a
/// model with a `predict_with_proba(x)` member (linear models: one decision function; pipelines:
/// one pass through the steps) computes both at once; a model that declares
/// `predicts_most_probable` (its predict is the most probable class of predict_proba) takes the
/// classes from the probabilities; any other runs both. Equal to the two calls, bit for bit.
/// @throws as the model's predict_proba
template <classifier Model>
[[nodiscard]] classes_and_probabilities<typename Model::scalar_type> predict_with_proba(
    const Model& model, matrix_cref<typename Model::scalar_type> x) {
    if constexpr (requires { model.predict_with_proba(x); }) {
        return model.predict_with_proba(x);
    } else if constexpr (requires { requires Model::predicts_most_probable; }) {
        auto p = model.predict_proba(x);
        auto classes = detail::most_probable(p);
        return {std::move(classes), std::move(p)};
    } else {
        auto classes = model.predict(x);
        return {std::move(classes), model.predict_proba(x)};
    }
}

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

namespace detail {

MLPIPE_DECL void check_restore(bool ok, std::string_view kind, const std::string& what) {
    if (!ok) {
        throw format_error(std::string(kind) + ": saved parts disagree: " + what,
                           "the artifact is corrupt or was written by an incompatible writer",
                           source_position{"artifact"});
    }
}

}  // namespace detail

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe

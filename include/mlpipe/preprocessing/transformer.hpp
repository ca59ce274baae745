// SPDX-License-Identifier: Apache-2.0
/// @file preprocessing/transformer.hpp The `transformer` concept and the input checks that every
/// preprocessing step shares.
#pragma once

#include <cmath>
#include <concepts>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "../data/dataset.hpp"
#include "../error.hpp"
#include "../models/classifier.hpp"

namespace mlpipe {

/// A preprocessing step: learns from a dataset, then maps rows of n_features_in() values to rows of
/// n_features_out() values, batch or one row at a time (allocation-free, bit-identical to batch).
/// Transformers accept NaN (missing values) and pass it through, except imputers, which fill it.
template <class T>
concept transformer = requires(T step, const T& fitted,
                               const dataset<typename T::scalar_type>& data,
                               const feature_matrix<typename T::scalar_type>& x,
                               std::span<const typename T::scalar_type> in,
                               std::span<typename T::scalar_type> out) {
    typename T::scalar_type;
    { T::kind } -> std::convertible_to<std::string_view>;
    step.fit(data);
    { fitted.transform(x) } -> std::same_as<feature_matrix<typename T::scalar_type>>;
    fitted.transform_row(in, out);
    { fitted.n_features_in() } -> std::convertible_to<Eigen::Index>;
    { fitted.n_features_out() } -> std::convertible_to<Eigen::Index>;
    { fitted.feature_names_out() } -> std::convertible_to<std::vector<std::string>>;
    { fitted.fitted() } -> std::convertible_to<bool>;
};

namespace detail {

/// Checks the data a transformer is fitted on: at least one row and column, no infinities.
template <class Scalar>
void check_transformer_fit(const dataset<Scalar>& data, std::string_view who) {
    if (data.n_samples() == 0 || data.n_features() == 0) {
        throw invalid_input_error(std::string(who) + ": cannot fit on empty data (" +
                                      std::to_string(data.n_samples()) + " rows, " +
                                      std::to_string(data.n_features()) + " features)",
                                  "fit on at least one row and one feature");
    }
    if ((data.features().array().isInf()).any()) {
        throw invalid_input_error(std::string(who) + ": the data holds infinite values",
                                  "replace infinities before preprocessing");
    }
}

/// Checks rows given to a fitted transformer: fitted, right width, no infinities (NaN allowed).
template <class Derived>
void check_transformer_input(const Eigen::MatrixBase<Derived>& x, Eigen::Index n_features,
                             bool fitted, std::string_view who) {
    if (!fitted) {
        throw not_fitted_error(std::string(who) + " is used before it was fitted or loaded",
                               "call fit() or load a model first");
    }
    if (x.cols() != n_features) {
        throw invalid_input_error(std::string(who) + ": input has " + std::to_string(x.cols()) +
                                      " features but it was fitted on " +
                                      std::to_string(n_features),
                                  "pass rows with the fitted features, in the same order");
    }
    if ((x.array().isInf()).any()) {
        throw invalid_input_error(std::string(who) + ": input holds infinite values",
                                  "replace infinities before preprocessing");
    }
}

/// Checks spans given to transform_row.
template <class Scalar>
void check_transformer_row(std::span<const Scalar> in, std::span<Scalar> out, Eigen::Index n_in,
                           Eigen::Index n_out, bool fitted, std::string_view who) {
    const Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>> row(
        in.data(), static_cast<Eigen::Index>(in.size()));
    check_transformer_input(row, n_in, fitted, who);
    if (static_cast<Eigen::Index>(out.size()) != n_out) {
        throw invalid_input_error(std::string(who) + ": output span holds " +
                                      std::to_string(out.size()) + " values for " +
                                      std::to_string(n_out) + " output features",
                                  "size it n_features_out()");
    }
}

/// Applies a per-row transform to every row of x.
template <class Scalar, class Step>
feature_matrix<Scalar> transform_rows(const Step& step, matrix_cref<Scalar> x) {
    feature_matrix<Scalar> out(x.rows(), step.n_features_out());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        step.transform_row_unchecked(
            std::span<const Scalar>(x.row(i).data(), static_cast<std::size_t>(x.cols())),
            std::span<Scalar>(out.row(i).data(), static_cast<std::size_t>(out.cols())));
    }
    return out;
}

}  // namespace detail

}  // namespace mlpipe

// SPDX-License-Identifier: Apache-2.0
/// @file preprocessing/simple_imputer.hpp Fills missing values (NaN) per feature with its mean,
/// median, most frequent value or a constant, as scikit-learn's SimpleImputer.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <Eigen/Core>

#include "../models/hyperparameters.hpp"
#include "transformer.hpp"

namespace mlpipe {

/// What a missing value is replaced with.
enum class impute_strategy { mean, median, most_frequent, constant };

/// JSON names of impute_strategy values.
inline constexpr enum_names<impute_strategy, 4> impute_strategy_names{
    {{impute_strategy::mean, "mean"},
     {impute_strategy::median, "median"},
     {impute_strategy::most_frequent, "most_frequent"},
     {impute_strategy::constant, "constant"}}};

/// Options of simple_imputer.
struct simple_imputer_params {
    impute_strategy strategy = impute_strategy::mean;
    double fill_value = 0.0;  ///< used by impute_strategy::constant

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "simple_imputer";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() {
        using p = simple_imputer_params;
        return std::tuple{hyperparameter("strategy", &p::strategy, impute_strategy_names),
                          hyperparameter("fill_value", &p::fill_value)};
    }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static simple_imputer_params from_json(const nlohmann::json& j) {
        return params_from_json<simple_imputer_params>(j);
    }
};

/// Replaces NaN in feature j by a statistic of the observed values of feature j. most_frequent
/// breaks ties by the smallest value; median averages the two middle values of an even count.
/// Thread safety: const members may be called concurrently.
template <class Scalar = double>
class simple_imputer {
  public:
    using scalar_type = Scalar;
    static constexpr std::string_view kind = "simple_imputer";

    explicit simple_imputer(simple_imputer_params params = {}) : params_(params) {
        if (params_.strategy == impute_strategy::constant && !std::isfinite(params_.fill_value)) {
            throw invalid_input_error("simple_imputer: fill_value must be finite", "use e.g. 0",
                                      "fill_value");
        }
    }

    /// Learns the fill value of every feature.
    /// @throws invalid_input_error when a feature has no observed value (except with constant)
    void fit(const dataset<Scalar>& data) {
        detail::check_transformer_fit(data, kind);
        const Eigen::Index d = data.n_features();
        fill_.resize(d);
        std::vector<double> observed;
        for (Eigen::Index j = 0; j < d; ++j) {
            if (params_.strategy == impute_strategy::constant) {
                fill_[j] = static_cast<Scalar>(params_.fill_value);
                continue;
            }
            observed.clear();
            for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
                const double v = static_cast<double>(data.features()(i, j));
                if (!std::isnan(v)) observed.push_back(v);
            }
            if (observed.empty()) {
                throw invalid_input_error("simple_imputer: feature \"" +
                                              data.feature_names()[static_cast<std::size_t>(j)] +
                                              "\" has no observed value to learn from",
                                          "drop the feature, or use impute_strategy::constant",
                                          data.feature_names()[static_cast<std::size_t>(j)]);
            }
            fill_[j] = static_cast<Scalar>(statistic(observed));
        }
        names_ = data.feature_names();
        fitted_ = true;
    }

    [[nodiscard]] feature_matrix<Scalar> transform(matrix_cref<Scalar> x) const {
        detail::check_transformer_input(x, n_features_in(), fitted_, kind);
        return detail::transform_rows<Scalar>(*this, x);
    }

    void transform_row(std::span<const Scalar> in, std::span<Scalar> out) const {
        detail::check_transformer_row(in, out, n_features_in(), n_features_out(), fitted_, kind);
        transform_row_unchecked(in, out);
    }

    /// transform_row without the checks (for pipelines that checked already).
    void transform_row_unchecked(std::span<const Scalar> in, std::span<Scalar> out) const noexcept {
        for (std::size_t j = 0; j < in.size(); ++j) {
            out[j] = std::isnan(in[j]) ? fill_[static_cast<Eigen::Index>(j)] : in[j];
        }
    }

    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    [[nodiscard]] Eigen::Index n_features_in() const noexcept { return fill_.size(); }
    [[nodiscard]] Eigen::Index n_features_out() const noexcept { return fill_.size(); }
    [[nodiscard]] std::vector<std::string> feature_names_out() const { return names_; }
    /// The value that replaces NaN, per feature.
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& fill_values() const noexcept {
        return fill_;
    }
    [[nodiscard]] const simple_imputer_params& params() const noexcept { return params_; }

    /// A fitted imputer from saved parts (see fill_values()).
    [[nodiscard]] static simple_imputer restore(simple_imputer_params params,
                                                Eigen::Matrix<Scalar, Eigen::Dynamic, 1> fill,
                                                std::vector<std::string> names) {
        detail::check_restore(
            static_cast<Eigen::Index>(names.size()) == fill.size() && fill.allFinite(), kind,
            "fill values and feature names");
        simple_imputer s(params);
        s.fill_ = std::move(fill);
        s.names_ = std::move(names);
        s.fitted_ = true;
        return s;
    }

  private:
    double statistic(std::vector<double>& v) const {
        switch (params_.strategy) {
            case impute_strategy::mean: {
                double sum = 0.0;
                for (double x : v)
                    sum += x;
                return sum / static_cast<double>(v.size());
            }
            case impute_strategy::median: {
                std::sort(v.begin(), v.end());
                const std::size_t m = v.size() / 2;
                return v.size() % 2 == 1 ? v[m] : 0.5 * (v[m - 1] + v[m]);
            }
            case impute_strategy::most_frequent: {
                std::sort(v.begin(), v.end());
                double best = v[0];
                std::size_t best_count = 0;
                for (std::size_t i = 0; i < v.size();) {
                    std::size_t k = i;
                    while (k < v.size() && v[k] == v[i])
                        ++k;
                    if (k - i > best_count) {  // strictly more: ties keep the smallest value
                        best_count = k - i;
                        best = v[i];
                    }
                    i = k;
                }
                return best;
            }
            case impute_strategy::constant:
                break;
        }
        return params_.fill_value;
    }

    simple_imputer_params params_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> fill_;
    std::vector<std::string> names_;
    bool fitted_ = false;
};

}  // namespace mlpipe

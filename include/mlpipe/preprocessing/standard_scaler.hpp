// SPDX-License-Identifier: Apache-2.0
/// @file preprocessing/standard_scaler.hpp Centres features on their mean and scales them to unit
/// variance, as scikit-learn's StandardScaler.
#pragma once

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

/// Options of standard_scaler.
struct standard_scaler_params {
    bool with_mean = true;  ///< subtract each feature's mean
    bool with_std = true;   ///< divide by each feature's standard deviation (population, ddof 0)

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "standard_scaler";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() {
        using p = standard_scaler_params;
        return std::tuple{hyperparameter("with_mean", &p::with_mean),
                          hyperparameter("with_std", &p::with_std)};
    }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static standard_scaler_params from_json(const nlohmann::json& j) {
        return params_from_json<standard_scaler_params>(j);
    }
};

/// x' = (x - mean) / sd per feature. NaN is ignored when fitting and passed through when
/// transforming; a constant feature gets sd 1 (it becomes 0 rather than NaN).
/// Thread safety: const members may be called concurrently.
template <class Scalar = double>
class standard_scaler {
  public:
    using scalar_type = Scalar;
    static constexpr std::string_view kind = "standard_scaler";

    explicit standard_scaler(standard_scaler_params params = {}) : params_(params) {}

    /// Learns mean and standard deviation of every feature (in double precision).
    void fit(const dataset<Scalar>& data) {
        detail::check_transformer_fit(data, kind);
        const Eigen::Index d = data.n_features();
        mean_.setZero(d);
        scale_.setOnes(d);
        for (Eigen::Index j = 0; j < d; ++j) {
            double sum = 0.0;
            Eigen::Index count = 0;
            for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
                const double v = static_cast<double>(data.features()(i, j));
                if (!std::isnan(v)) {
                    sum += v;
                    ++count;
                }
            }
            const double mean = count > 0 ? sum / static_cast<double>(count) : 0.0;
            double squares = 0.0;
            for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
                const double v = static_cast<double>(data.features()(i, j));
                if (!std::isnan(v)) squares += (v - mean) * (v - mean);
            }
            const double sd = count > 0 ? std::sqrt(squares / static_cast<double>(count)) : 0.0;
            if (params_.with_mean) mean_[j] = static_cast<Scalar>(mean);
            if (params_.with_std) scale_[j] = sd > 0.0 ? static_cast<Scalar>(sd) : Scalar(1);
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
            const auto jj = static_cast<Eigen::Index>(j);
            out[j] = (in[j] - mean_[jj]) / scale_[jj];
        }
    }

    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    [[nodiscard]] Eigen::Index n_features_in() const noexcept { return mean_.size(); }
    [[nodiscard]] Eigen::Index n_features_out() const noexcept { return mean_.size(); }
    [[nodiscard]] std::vector<std::string> feature_names_out() const { return names_; }
    /// Per-feature means (0 when with_mean is false).
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& means() const noexcept {
        return mean_;
    }
    /// Per-feature divisors (1 when with_std is false or the feature is constant).
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& scales() const noexcept {
        return scale_;
    }
    [[nodiscard]] const standard_scaler_params& params() const noexcept { return params_; }

    /// A fitted scaler from saved parts (see means(), scales()).
    [[nodiscard]] static standard_scaler restore(standard_scaler_params params,
                                                 Eigen::Matrix<Scalar, Eigen::Dynamic, 1> means,
                                                 Eigen::Matrix<Scalar, Eigen::Dynamic, 1> scales,
                                                 std::vector<std::string> names) {
        detail::check_restore(means.size() == scales.size() &&
                                  static_cast<Eigen::Index>(names.size()) == means.size() &&
                                  (scales.array() > Scalar(0)).all(),
                              kind, "means, scales and feature names");
        standard_scaler s(params);
        s.mean_ = std::move(means);
        s.scale_ = std::move(scales);
        s.names_ = std::move(names);
        s.fitted_ = true;
        return s;
    }

  private:
    standard_scaler_params params_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> mean_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> scale_;
    std::vector<std::string> names_;
    bool fitted_ = false;
};

}  // namespace mlpipe

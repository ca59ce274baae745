// SPDX-License-Identifier: Apache-2.0
/// @file preprocessing/min_max_scaler.hpp Maps each feature's observed range onto a target range,
/// as scikit-learn's MinMaxScaler.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <Eigen/Core>

#include "../models/hyperparameters.hpp"
#include "transformer.hpp"

namespace mlpipe {

/// Options of min_max_scaler.
struct min_max_scaler_params {
    double range_min = 0.0;  ///< the image of each feature's minimum
    double range_max = 1.0;  ///< the image of each feature's maximum
    bool clip = false;       ///< clamp transformed values into [range_min, range_max]

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "min_max_scaler";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() {
        using p = min_max_scaler_params;
        return std::tuple{hyperparameter("range_min", &p::range_min),
                          hyperparameter("range_max", &p::range_max),
                          hyperparameter("clip", &p::clip)};
    }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static min_max_scaler_params from_json(const nlohmann::json& j) {
        return params_from_json<min_max_scaler_params>(j);
    }
};

/// x' = range_min + (x - min) * (range_max - range_min) / (max - min) per feature. NaN is ignored
/// when fitting and passed through; a constant feature maps to range_min.
/// Thread safety: const members may be called concurrently.
template <class Scalar = double>
class min_max_scaler {
  public:
    using scalar_type = Scalar;
    static constexpr std::string_view kind = "min_max_scaler";

    explicit min_max_scaler(min_max_scaler_params params = {}) : params_(params) {
        if (!(params_.range_min < params_.range_max) || !std::isfinite(params_.range_min) ||
            !std::isfinite(params_.range_max)) {
            throw invalid_input_error("min_max_scaler: the range must satisfy min < max (got [" +
                                          std::to_string(params_.range_min) + ", " +
                                          std::to_string(params_.range_max) + "])",
                                      "use e.g. [0, 1] or [-1, 1]", "range");
        }
    }

    /// Learns each feature's minimum and maximum.
    void fit(const dataset<Scalar>& data) {
        detail::check_transformer_fit(data, kind);
        const Eigen::Index d = data.n_features();
        scale_.resize(d);
        offset_.resize(d);
        for (Eigen::Index j = 0; j < d; ++j) {
            double low = std::numeric_limits<double>::infinity();
            double high = -low;
            for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
                const double v = static_cast<double>(data.features()(i, j));
                if (std::isnan(v)) continue;
                low = std::min(low, v);
                high = std::max(high, v);
            }
            if (!(low <= high)) low = high = 0.0;  // all NaN
            const double range = high - low;
            const double scale =
                (params_.range_max - params_.range_min) / (range > 0.0 ? range : 1.0);
            scale_[j] = static_cast<Scalar>(scale);
            offset_[j] = static_cast<Scalar>(params_.range_min - low * scale);
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
        const auto low = static_cast<Scalar>(params_.range_min);
        const auto high = static_cast<Scalar>(params_.range_max);
        for (std::size_t j = 0; j < in.size(); ++j) {
            const auto jj = static_cast<Eigen::Index>(j);
            Scalar v = in[j] * scale_[jj] + offset_[jj];
            if (params_.clip && !std::isnan(v)) v = std::clamp(v, low, high);
            out[j] = v;
        }
    }

    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    [[nodiscard]] Eigen::Index n_features_in() const noexcept { return scale_.size(); }
    [[nodiscard]] Eigen::Index n_features_out() const noexcept { return scale_.size(); }
    [[nodiscard]] std::vector<std::string> feature_names_out() const { return names_; }
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& scales() const noexcept {
        return scale_;
    }
    [[nodiscard]] const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& offsets() const noexcept {
        return offset_;
    }
    [[nodiscard]] const min_max_scaler_params& params() const noexcept { return params_; }

    /// A fitted scaler from saved parts (see scales(), offsets()).
    [[nodiscard]] static min_max_scaler restore(min_max_scaler_params params,
                                                Eigen::Matrix<Scalar, Eigen::Dynamic, 1> scales,
                                                Eigen::Matrix<Scalar, Eigen::Dynamic, 1> offsets,
                                                std::vector<std::string> names) {
        detail::check_restore(scales.size() == offsets.size() &&
                                  static_cast<Eigen::Index>(names.size()) == scales.size(),
                              kind, "scales, offsets and feature names");
        min_max_scaler s(params);
        s.scale_ = std::move(scales);
        s.offset_ = std::move(offsets);
        s.names_ = std::move(names);
        s.fitted_ = true;
        return s;
    }

  private:
    min_max_scaler_params params_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> scale_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> offset_;
    std::vector<std::string> names_;
    bool fitted_ = false;
};

}  // namespace mlpipe

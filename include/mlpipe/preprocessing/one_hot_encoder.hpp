// SPDX-License-Identifier: Apache-2.0
/// @file preprocessing/one_hot_encoder.hpp Expands categorical columns (numeric category codes)
/// into indicator columns, passing the other columns through.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <Eigen/Core>

#include "../models/hyperparameters.hpp"
#include "transformer.hpp"

namespace mlpipe {

/// What to do with a category not seen when fitting.
enum class unknown_category {
    error,   ///< throw invalid_input_error naming the column and the value
    ignore,  ///< encode as all zeros
};

/// JSON names of unknown_category values.
inline constexpr enum_names<unknown_category, 2> unknown_category_names{
    {{unknown_category::error, "error"}, {unknown_category::ignore, "ignore"}}};

/// Options of one_hot_encoder.
struct one_hot_encoder_params {
    std::vector<std::string> columns = {};  ///< the categorical columns, by feature name
    unknown_category handle_unknown = unknown_category::error;
    std::size_t max_categories = 1000;  ///< more distinct values in a column is an error

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "one_hot_encoder";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() {
        using p = one_hot_encoder_params;
        return std::tuple{
            hyperparameter("columns", &p::columns),
            hyperparameter("handle_unknown", &p::handle_unknown, unknown_category_names),
            hyperparameter("max_categories", &p::max_categories)};
    }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static one_hot_encoder_params from_json(const nlohmann::json& j) {
        return params_from_json<one_hot_encoder_params>(j);
    }
};

/// Output columns follow the input order: a categorical column becomes one indicator per category
/// (sorted), named "column=value"; every other column passes through unchanged.
/// Thread safety: const members may be called concurrently.
template <class Scalar = double>
class one_hot_encoder {
  public:
    using scalar_type = Scalar;
    static constexpr std::string_view kind = "one_hot_encoder";

    explicit one_hot_encoder(one_hot_encoder_params params = {}) : params_(std::move(params)) {
        if (params_.max_categories == 0) {
            throw invalid_input_error("one_hot_encoder: max_categories must be at least 1",
                                      "use e.g. 1000", "max_categories");
        }
    }

    /// Learns the categories of each named column.
    /// @throws invalid_input_error for an unknown column name, NaN in a categorical column, or
    /// more than max_categories categories
    void fit(const dataset<Scalar>& data) {
        detail::check_transformer_fit(data, kind);
        const auto& names = data.feature_names();
        categories_.assign(names.size(), {});
        categorical_.assign(names.size(), false);
        for (const auto& column : params_.columns) {
            const auto it = std::find(names.begin(), names.end(), column);
            if (it == names.end()) {
                throw invalid_input_error("one_hot_encoder: no feature named \"" + column + "\"",
                                          "name categorical columns exactly as the data does",
                                          "columns");
            }
            categorical_[static_cast<std::size_t>(it - names.begin())] = true;
        }
        names_out_.clear();
        for (std::size_t j = 0; j < names.size(); ++j) {
            if (!categorical_[j]) {
                names_out_.push_back(names[j]);
                continue;
            }
            auto& cats = categories_[j];
            for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
                const Scalar v = data.features()(i, static_cast<Eigen::Index>(j));
                if (std::isnan(v)) {
                    throw invalid_input_error("one_hot_encoder: categorical column \"" + names[j] +
                                                  "\" holds NaN in row " + std::to_string(i),
                                              "impute it first (simple_imputer with most_frequent)",
                                              names[j]);
                }
                cats.push_back(v);
            }
            std::sort(cats.begin(), cats.end());
            cats.erase(std::unique(cats.begin(), cats.end()), cats.end());
            if (cats.size() > params_.max_categories) {
                throw invalid_input_error(
                    "one_hot_encoder: column \"" + names[j] + "\" has " +
                        std::to_string(cats.size()) + " categories, more than max_categories (" +
                        std::to_string(params_.max_categories) + ")",
                    "check that it is categorical, or raise max_categories", names[j]);
            }
            for (Scalar c : cats)
                names_out_.push_back(names[j] + "=" + format(c));
        }
        n_in_ = static_cast<Eigen::Index>(names.size());
        names_in_ = names;
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

    /// transform_row without the shape checks; still throws for an unknown category when
    /// handle_unknown is error.
    void transform_row_unchecked(std::span<const Scalar> in, std::span<Scalar> out) const {
        std::size_t o = 0;
        for (std::size_t j = 0; j < in.size(); ++j) {
            if (!categorical_[j]) {
                out[o++] = in[j];
                continue;
            }
            const auto& cats = categories_[j];
            const auto it = std::lower_bound(cats.begin(), cats.end(), in[j]);
            const bool known = it != cats.end() && *it == in[j];
            if (!known && params_.handle_unknown == unknown_category::error) {
                throw invalid_input_error(
                    "one_hot_encoder: column \"" + names_out_prefix(j) + "\" has category " +
                        format(in[j]) + ", not seen when fitting",
                    "retrain with that category, or use unknown_category::ignore",
                    names_out_prefix(j));
            }
            for (std::size_t c = 0; c < cats.size(); ++c)
                out[o + c] = Scalar(0);
            if (known) out[o + static_cast<std::size_t>(it - cats.begin())] = Scalar(1);
            o += cats.size();
        }
    }

    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    [[nodiscard]] Eigen::Index n_features_in() const noexcept { return n_in_; }
    [[nodiscard]] Eigen::Index n_features_out() const noexcept {
        return static_cast<Eigen::Index>(names_out_.size());
    }
    [[nodiscard]] std::vector<std::string> feature_names_out() const { return names_out_; }
    /// Sorted categories of input column j (empty for pass-through columns).
    [[nodiscard]] const std::vector<Scalar>& categories(std::size_t j) const {
        return categories_.at(j);
    }
    [[nodiscard]] const one_hot_encoder_params& params() const noexcept { return params_; }

    /// Input feature names (the names the encoder was fitted with).
    [[nodiscard]] const std::vector<std::string>& feature_names_in() const noexcept {
        return names_in_;
    }

    /// A fitted encoder from saved parts: the input names and, per input column, its sorted
    /// categories (empty for pass-through columns; the categorical columns are params.columns).
    [[nodiscard]] static one_hot_encoder restore(one_hot_encoder_params params,
                                                 std::vector<std::string> names_in,
                                                 std::vector<std::vector<Scalar>> categories) {
        one_hot_encoder e(std::move(params));
        detail::check_restore(categories.size() == names_in.size(), kind,
                              "categories and input names");
        e.categorical_.assign(names_in.size(), false);
        for (const auto& column : e.params_.columns) {
            const auto it = std::find(names_in.begin(), names_in.end(), column);
            detail::check_restore(it != names_in.end(), kind,
                                  "a categorical column is not an input");
            e.categorical_[static_cast<std::size_t>(it - names_in.begin())] = true;
        }
        e.names_out_.clear();
        for (std::size_t j = 0; j < names_in.size(); ++j) {
            const auto& cats = categories[j];
            detail::check_restore(
                e.categorical_[j] ? !cats.empty() && std::is_sorted(cats.begin(), cats.end()) &&
                                        std::adjacent_find(cats.begin(), cats.end()) == cats.end()
                                  : cats.empty(),
                kind, "categories of column " + names_in[j]);
            if (!e.categorical_[j]) {
                e.names_out_.push_back(names_in[j]);
            } else {
                for (Scalar c : cats)
                    e.names_out_.push_back(names_in[j] + "=" + format(c));
            }
        }
        e.categories_ = std::move(categories);
        e.n_in_ = static_cast<Eigen::Index>(names_in.size());
        e.names_in_ = std::move(names_in);
        e.fitted_ = true;
        return e;
    }

  private:
    static std::string format(Scalar v) {
        char buffer[64];
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
        return std::string(buffer, r.ptr);
    }

    std::string names_out_prefix(std::size_t j) const {
        std::size_t o = 0;
        for (std::size_t k = 0; k < j; ++k)
            o += categorical_[k] ? categories_[k].size() : 1;
        const std::string& first = names_out_.at(o);
        return first.substr(0, first.rfind('='));
    }

    one_hot_encoder_params params_;
    std::vector<std::vector<Scalar>> categories_;
    std::vector<bool> categorical_;
    std::vector<std::string> names_out_;
    std::vector<std::string> names_in_;
    Eigen::Index n_in_ = 0;
    bool fitted_ = false;
};

}  // namespace mlpipe

// SPDX-License-Identifier: Apache-2.0
/// @file preprocessing/pipeline.hpp A chain of preprocessing steps and a classifier, fitted
/// together and used (and saved) as one model, so a predictor can never apply the wrong scaler.
#pragma once

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../models/classifier.hpp"
#include "any_transformer.hpp"
#include "transformer.hpp"

namespace mlpipe {

/// Preprocessing steps followed by a classifier. fit() fits each step on the output of the steps
/// before it, then the classifier on the last output; prediction runs the same chain.
/// Thread safety: const members (prediction) may be called concurrently.
template <classifier Model>
class pipeline {
  public:
    using scalar_type = typename Model::scalar_type;
    using step_type = any_transformer<scalar_type>;
    static constexpr std::string_view kind = "pipeline";

    explicit pipeline(std::vector<step_type> steps = {}, Model model = Model{})
        : steps_(std::move(steps)), model_(std::move(model)) {}

    /// Fits the steps, then the classifier. Progress callbacks and limits go to the classifier.
    /// @throws invalid_input_error as the steps and the classifier do (e.g. NaN left unimputed)
    fit_report fit(const dataset<scalar_type>& data, const fit_options& options = {}) {
        if (!data.labelled()) {
            throw invalid_input_error("pipeline: the training data has no labels",
                                      "read it with a label column (csv_options::label_column)");
        }
        dataset<scalar_type> current = data;
        for (auto& step : steps_) {
            step.fit(current);
            current = dataset<scalar_type>(step.transform(current.features()), current.targets(),
                                           current.classes(), step.feature_names_out());
        }
        const fit_report report = model_.fit(current, options);
        feature_names_ = data.feature_names();
        n_features_ = data.n_features();
        fitted_ = true;
        return report;
    }

    /// The steps' output for x (what the classifier sees).
    [[nodiscard]] feature_matrix<scalar_type> transform(matrix_cref<scalar_type> x) const {
        check(x.cols());
        feature_matrix<scalar_type> current = x;
        for (const auto& step : steps_)
            current = step.transform(current);
        return current;
    }

    [[nodiscard]] class_index_vector predict(matrix_cref<scalar_type> x) const {
        return model_.predict(transform(x));
    }

    [[nodiscard]] probability_matrix<scalar_type> predict_proba(matrix_cref<scalar_type> x) const {
        return model_.predict_proba(transform(x));
    }

    /// predict(x) and predict_proba(x) from one pass through the steps (and through the model
    /// where it allows: mlpipe::predict_with_proba).
    [[nodiscard]] classes_and_probabilities<scalar_type> predict_with_proba(
        matrix_cref<scalar_type> x) const {
        return mlpipe::predict_with_proba(model_, transform(x));
    }

    /// Probabilities of one row; after the first call on a thread, it allocates nothing.
    /// Bit-identical to the same row of predict_proba.
    void predict_proba_row(std::span<const scalar_type> row, std::span<scalar_type> out) const {
        check(static_cast<Eigen::Index>(row.size()));
        thread_local std::vector<scalar_type> a;
        thread_local std::vector<scalar_type> b;
        std::span<const scalar_type> in = row;
        for (const auto& step : steps_) {
            auto& target = in.data() == a.data() ? b : a;
            target.resize(static_cast<std::size_t>(step.n_features_out()));
            step.transform_row(in, std::span<scalar_type>(target));
            in = std::span<const scalar_type>(target);
        }
        model_.predict_proba_row(in, out);
    }

    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    /// Number of input features (before preprocessing).
    [[nodiscard]] Eigen::Index n_features() const noexcept { return n_features_; }
    [[nodiscard]] const label_map& classes() const noexcept { return model_.classes(); }
    /// Names of the input features.
    [[nodiscard]] const std::vector<std::string>& feature_names() const noexcept {
        return feature_names_;
    }
    [[nodiscard]] const std::vector<step_type>& steps() const noexcept { return steps_; }
    [[nodiscard]] const Model& model() const noexcept { return model_; }

    /// A fitted pipeline from fitted parts.
    /// @throws format_error when the steps' widths do not chain into the model
    [[nodiscard]] static pipeline restore(std::vector<step_type> steps, Model model,
                                          std::vector<std::string> feature_names) {
        Eigen::Index width = static_cast<Eigen::Index>(feature_names.size());
        for (const auto& step : steps) {
            detail::check_restore(step.fitted() && step.n_features_in() == width, kind,
                                  "a step's input width");
            width = step.n_features_out();
        }
        detail::check_restore(model.fitted() && model.n_features() == width, kind,
                              "the model's input width");
        pipeline p(std::move(steps), std::move(model));
        p.n_features_ = static_cast<Eigen::Index>(feature_names.size());
        p.feature_names_ = std::move(feature_names);
        p.fitted_ = true;
        return p;
    }

  private:
    void check(Eigen::Index columns) const {
        if (!fitted_) {
            throw not_fitted_error("pipeline is used before it was fitted or loaded",
                                   "call fit() or load a model first");
        }
        if (columns != n_features_) {
            throw invalid_input_error(
                "pipeline: input has " + std::to_string(columns) +
                    " features but the pipeline was trained on " + std::to_string(n_features_),
                "pass rows with the training features, in the training order");
        }
    }

    std::vector<step_type> steps_;
    Model model_;
    std::vector<std::string> feature_names_;
    Eigen::Index n_features_ = 0;
    bool fitted_ = false;
};

}  // namespace mlpipe

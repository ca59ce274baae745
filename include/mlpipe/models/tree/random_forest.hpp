// SPDX-License-Identifier: Apache-2.0
/// @file models/tree/random_forest.hpp A random forest of CART trees (bootstrap rows, random
/// feature subsets per split), as scikit-learn's RandomForestClassifier.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "../../data/dataset.hpp"
#include "../../error.hpp"
#include "../classifier.hpp"
#include "../hyperparameters.hpp"
#include "flat_forest.hpp"
#include "tree_builder.hpp"

namespace mlpipe {

/// Hyperparameters of random_forest; they mean what they mean in scikit-learn.
struct random_forest_params {
    std::int64_t n_estimators = 100;                    ///< trees
    bool bootstrap = true;                              ///< each tree fits a bootstrap sample
    bool oob_score = false;                             ///< measure out-of-bag accuracy
    split_criterion criterion = split_criterion::gini;  ///< impurity to minimise
    std::int64_t max_depth = 0;                         ///< depth limit; 0: unlimited
    std::int64_t min_samples_split = 2;                 ///< rows a node needs to be split
    std::int64_t min_samples_leaf = 1;                  ///< rows each child keeps at least
    max_features_option max_features = max_features_option::sqrt();  ///< features per split
    class_weighting class_weight = class_weighting::none;            ///< none or balanced
    std::vector<double> class_weights = {};  ///< explicit weight per class index (overrides)
    std::uint64_t seed = 0;                  ///< tree t draws from (seed, t)
    unsigned predict_threads = 1;  ///< threads of batch prediction (0: one per hardware thread)

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "random_forest";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() {
        using p = random_forest_params;
        return std::tuple_cat(std::tuple{hyperparameter("n_estimators", &p::n_estimators),
                                         hyperparameter("bootstrap", &p::bootstrap),
                                         hyperparameter("oob_score", &p::oob_score),
                                         hyperparameter("predict_threads", &p::predict_threads)},
                              detail::tree_growth_fields<p>());
    }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static random_forest_params from_json(const nlohmann::json& j) {
        return params_from_json<random_forest_params>(j);
    }
};

/// A random forest: n_estimators CART trees, each grown on a bootstrap sample of the rows (drawn
/// as counts, which weigh the rows) and choosing each split among max_features randomly drawn
/// features; predict_proba is the mean of the trees' leaf probabilities, as scikit-learn's.
///
/// Trees are fitted in parallel on fit_options::threads (a pool with blocking waits); tree t draws
/// from its own engine seeded by (seed, t), so the forest is the same, bit for bit, whatever the
/// thread count. Progress is reported once per finished tree (stage "tree", step = trees finished
/// so far), from the pool's threads but one call at a time; a callback that returns false, or the
/// time limit, stops the fit and keeps the trees finished so far (with one thread: exactly the
/// first `step` trees).
///
/// Prediction walks all trees' nodes in one packed array, 16 trees at a time so that their memory
/// loads overlap; predict_proba_row does not allocate.
/// Thread safety: const members (prediction) may be called concurrently; fit may not run
/// concurrently with anything else on the same object.
template <class Scalar = double>
class random_forest {
  public:
    using scalar_type = Scalar;
    static constexpr std::string_view kind = "random_forest";
    /// predict is the most probable class of predict_proba (see mlpipe::predict_with_proba).
    static constexpr bool predicts_most_probable = true;

    /// @throws invalid_input_error naming a nonsensical hyperparameter
    explicit random_forest(random_forest_params params = {}) : params_(std::move(params)) {
        if (params_.n_estimators < 1) {
            throw invalid_input_error("random_forest: n_estimators is " +
                                          std::to_string(params_.n_estimators) +
                                          "; a forest needs at least 1 tree",
                                      "use e.g. 100", "n_estimators");
        }
        if (params_.oob_score && !params_.bootstrap) {
            throw invalid_input_error("random_forest: oob_score needs bootstrap = true",
                                      "set bootstrap = true or oob_score = false", "oob_score");
        }
        detail::check_tree_params(kind, params_.max_depth, params_.min_samples_split,
                                  params_.min_samples_leaf, params_.max_features,
                                  params_.class_weights);
    }

    /// Fits on `data` with unit sample weights.
    /// @throws invalid_input_error for unusable data (one class, NaN, empty) or max_features > d
    fit_report fit(const dataset<Scalar>& data, const fit_options& options = {}) {
        return fit(data, std::span<const double>{}, options);
    }

    /// Fits on `data` with one weight per row (empty span: all 1), multiplied by the class
    /// weights and each tree's bootstrap counts.
    /// Complexity: the features are ranked once (O(d n log n)); each tree as decision_tree with
    /// max_features features per split.
    fit_report fit(const dataset<Scalar>& data, std::span<const double> sample_weight,
                   const fit_options& options = {});

    /// Class probabilities, n x n_classes: the mean of the trees' leaf probabilities. Rows are
    /// spread over params().predict_threads.
    /// @throws not_fitted_error, invalid_input_error (feature count, NaN)
    [[nodiscard]] probability_matrix<Scalar> predict_proba(matrix_cref<Scalar> x) const;

    /// The most probable class index of each row (the lowest index on ties).
    [[nodiscard]] class_index_vector predict(matrix_cref<Scalar> x) const;

    /// Probabilities of one row into `out` (size n_classes), without allocating; bit-identical to
    /// the same row of predict_proba. @throws as predict_proba
    void predict_proba_row(std::span<const Scalar> row, std::span<Scalar> out) const {
        detail::check_tree_row(row, out.size(), fitted_, n_features(), classes_.size(), kind);
        forest_.proba_row(row.data(), out.data());
    }

    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    [[nodiscard]] Eigen::Index n_features() const noexcept { return forest_.n_features(); }
    [[nodiscard]] const label_map& classes() const noexcept { return classes_; }
    [[nodiscard]] const std::vector<std::string>& feature_names() const noexcept {
        return feature_names_;
    }
    [[nodiscard]] const random_forest_params& params() const noexcept { return params_; }

    /// Trees in the fitted forest (fewer than n_estimators when a callback stopped the fit).
    [[nodiscard]] std::size_t n_trees() const noexcept { return forest_.n_trees(); }
    /// Mean of the trees' normalised impurity decreases, normalised (scikit-learn's
    /// feature_importances_).
    [[nodiscard]] const Eigen::VectorXd& feature_importances() const noexcept {
        return importances_;
    }
    /// Accuracy on the training rows of the trees that did not draw them (rows every tree drew
    /// are left out); NaN unless fitted with oob_score = true.
    [[nodiscard]] double oob_score() const noexcept { return oob_score_; }
    /// Depth of tree t.
    [[nodiscard]] std::int64_t tree_depth(std::size_t t) const { return forest_.depth(t); }
    /// The packed trees (for saving).
    [[nodiscard]] const detail::flat_forest<Scalar>& packed() const noexcept { return forest_; }

    /// A fitted forest from saved parts (see packed(), feature_importances(), oob_score()).
    /// @throws format_error when the parts disagree
    [[nodiscard]] static random_forest restore(random_forest_params params,
                                               detail::flat_forest<Scalar> forest,
                                               Eigen::VectorXd importances, double oob_score,
                                               label_map classes,
                                               std::vector<std::string> feature_names) {
        random_forest m(std::move(params));
        detail::check_restore(
            forest.n_trees() >= 1 && forest.n_classes() == classes.size() &&
                forest.n_features() == static_cast<Eigen::Index>(feature_names.size()) &&
                importances.size() == forest.n_features(),
            kind, "trees, importances, classes and feature names");
        m.forest_ = std::move(forest);
        m.importances_ = std::move(importances);
        m.oob_score_ = oob_score;
        m.classes_ = std::move(classes);
        m.feature_names_ = std::move(feature_names);
        m.fitted_ = true;
        return m;
    }

  private:
    random_forest_params params_;
    detail::flat_forest<Scalar> forest_;
    Eigen::VectorXd importances_;
    double oob_score_ = std::numeric_limits<double>::quiet_NaN();
    label_map classes_;
    std::vector<std::string> feature_names_;
    bool fitted_ = false;
};

template <class Scalar>
auto random_forest<Scalar>::fit(const dataset<Scalar>& data, std::span<const double> sample_weight,
                                const fit_options& options) -> fit_report {
    detail::forest_settings s;
    s.tree = {.criterion = params_.criterion,
              .max_depth = params_.max_depth,
              .min_samples_split = params_.min_samples_split,
              .min_samples_leaf = params_.min_samples_leaf};
    s.max_features = params_.max_features;
    s.n_trees = params_.n_estimators;
    s.bootstrap = params_.bootstrap;
    s.oob_score = params_.oob_score;
    s.seed = params_.seed;
    s.class_weight = params_.class_weight;
    s.class_weights = params_.class_weights;
    auto result = detail::fit_forest(data, sample_weight, s, options, kind);
    forest_ = std::move(result.forest);
    importances_ = std::move(result.importances);
    oob_score_ = result.oob_score;
    classes_ = data.classes();
    feature_names_ = data.feature_names();
    fitted_ = true;
    return result.report;
}

template <class Scalar>
auto random_forest<Scalar>::predict_proba(matrix_cref<Scalar> x) const
    -> probability_matrix<Scalar> {
    detail::check_prediction_input(x, n_features(), fitted_, kind);
    return detail::forest_predict_proba(forest_, x, params_.predict_threads);
}

template <class Scalar>
auto random_forest<Scalar>::predict(matrix_cref<Scalar> x) const -> class_index_vector {
    return detail::most_probable(predict_proba(x));
}

MLPIPE_EXTERN_MODEL(random_forest);

}  // namespace mlpipe

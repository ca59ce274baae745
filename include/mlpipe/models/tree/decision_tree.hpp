// SPDX-License-Identifier: Apache-2.0
/// @file models/tree/decision_tree.hpp A CART classification tree (Gini or entropy), as
/// scikit-learn's DecisionTreeClassifier.
#pragma once

#include <cstdint>
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

/// Hyperparameters of decision_tree; they mean what they mean in scikit-learn.
struct decision_tree_params {
    split_criterion criterion = split_criterion::gini;  ///< impurity to minimise
    std::int64_t max_depth = 0;                         ///< depth limit; 0: unlimited
    std::int64_t min_samples_split = 2;                 ///< rows a node needs to be split
    std::int64_t min_samples_leaf = 1;                  ///< rows each child keeps at least
    max_features_option max_features = max_features_option::all();  ///< features per split
    class_weighting class_weight = class_weighting::none;           ///< none or balanced
    std::vector<double> class_weights = {};  ///< explicit weight per class index (overrides)
    std::uint64_t seed = 0;                  ///< feature draws (ties between equal splits)

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "decision_tree";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() { return detail::tree_growth_fields<decision_tree_params>(); }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static decision_tree_params from_json(const nlohmann::json& j) {
        return params_from_json<decision_tree_params>(j);
    }
};

/// A CART classification tree: binary splits "x[f] <= threshold" chosen to minimise the weighted
/// impurity of the children, grown depth first until the leaves are pure or a limit stops them;
/// a leaf predicts the weighted class frequencies of its training rows. Features of each split are
/// drawn in an order set by the seed (which decides between equally good splits), so the same
/// seed gives the same tree, bit for bit.
///
/// Prediction walks a packed node array (no pointers); predict_proba_row does not allocate.
/// Thread safety: const members (prediction) may be called concurrently; fit may not run
/// concurrently with anything else on the same object.
template <class Scalar = double>
class decision_tree {
  public:
    using scalar_type = Scalar;
    static constexpr std::string_view kind = "decision_tree";
    /// predict is the most probable class of predict_proba (see mlpipe::predict_with_proba).
    static constexpr bool predicts_most_probable = true;

    /// @throws invalid_input_error naming a nonsensical hyperparameter
    explicit decision_tree(decision_tree_params params = {}) : params_(std::move(params)) {
        detail::check_tree_params(kind, params_.max_depth, params_.min_samples_split,
                                  params_.min_samples_leaf, params_.max_features,
                                  params_.class_weights);
    }

    /// Fits on `data` with unit sample weights.
    /// @throws invalid_input_error for unusable data (one class, NaN, empty) or max_features > d
    fit_report fit(const dataset<Scalar>& data, const fit_options& options = {}) {
        return fit(data, std::span<const double>{}, options);
    }

    /// Fits on `data` with one weight per row (empty span: all 1; rows of weight 0 are left out).
    /// options.threads spreads the one-off ranking of the features.
    /// Complexity: O(d n log n) to rank the features, then O(n_node * max_features) per node plus
    /// the sort of each node's ranks (radix sort for large nodes).
    fit_report fit(const dataset<Scalar>& data, std::span<const double> sample_weight,
                   const fit_options& options = {});

    /// Class probabilities, n x n_classes: the class frequencies of each row's leaf.
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
    [[nodiscard]] const decision_tree_params& params() const noexcept { return params_; }

    /// Normalised total impurity decrease per feature (sums to 1 unless the tree is one leaf), as
    /// scikit-learn's feature_importances_.
    [[nodiscard]] const Eigen::VectorXd& feature_importances() const noexcept {
        return importances_;
    }
    /// Longest root-to-leaf path (0 for a lone leaf).
    [[nodiscard]] std::int64_t depth() const { return fitted_ ? forest_.depth(0) : 0; }
    /// Nodes, splits and leaves together.
    [[nodiscard]] std::size_t node_count() const noexcept {
        return fitted_ ? forest_.node_count(0) : 0;
    }
    /// Leaves.
    [[nodiscard]] std::size_t leaf_count() const noexcept {
        return fitted_ ? forest_.leaf_count(0) : 0;
    }
    /// The packed tree (for saving).
    [[nodiscard]] const detail::flat_forest<Scalar>& packed() const noexcept { return forest_; }

    /// A fitted tree from saved parts (see packed(), feature_importances()).
    /// @throws format_error when the parts disagree
    [[nodiscard]] static decision_tree restore(decision_tree_params params,
                                               detail::flat_forest<Scalar> forest,
                                               Eigen::VectorXd importances, label_map classes,
                                               std::vector<std::string> feature_names) {
        decision_tree m(std::move(params));
        detail::check_restore(
            forest.n_trees() == 1 && forest.n_classes() == classes.size() &&
                forest.n_features() == static_cast<Eigen::Index>(feature_names.size()) &&
                importances.size() == forest.n_features(),
            kind, "tree, importances, classes and feature names");
        m.forest_ = std::move(forest);
        m.importances_ = std::move(importances);
        m.classes_ = std::move(classes);
        m.feature_names_ = std::move(feature_names);
        m.fitted_ = true;
        return m;
    }

  private:
    decision_tree_params params_;
    detail::flat_forest<Scalar> forest_;
    Eigen::VectorXd importances_;
    label_map classes_;
    std::vector<std::string> feature_names_;
    bool fitted_ = false;
};

template <class Scalar>
auto decision_tree<Scalar>::fit(const dataset<Scalar>& data, std::span<const double> sample_weight,
                                const fit_options& options) -> fit_report {
    detail::forest_settings s;
    s.tree = {.criterion = params_.criterion,
              .max_depth = params_.max_depth,
              .min_samples_split = params_.min_samples_split,
              .min_samples_leaf = params_.min_samples_leaf};
    s.max_features = params_.max_features;
    s.n_trees = 1;
    s.seed = params_.seed;
    s.class_weight = params_.class_weight;
    s.class_weights = params_.class_weights;
    auto result = detail::fit_forest(data, sample_weight, s, options, kind);
    forest_ = std::move(result.forest);
    importances_ = std::move(result.importances);
    classes_ = data.classes();
    feature_names_ = data.feature_names();
    fitted_ = true;
    return result.report;
}

template <class Scalar>
auto decision_tree<Scalar>::predict_proba(matrix_cref<Scalar> x) const
    -> probability_matrix<Scalar> {
    detail::check_prediction_input(x, n_features(), fitted_, kind);
    return detail::forest_predict_proba(forest_, x, 1);
}

template <class Scalar>
auto decision_tree<Scalar>::predict(matrix_cref<Scalar> x) const -> class_index_vector {
    return detail::most_probable(predict_proba(x));
}

MLPIPE_EXTERN_MODEL(decision_tree);

}  // namespace mlpipe

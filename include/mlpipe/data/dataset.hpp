// SPDX-License-Identifier: Apache-2.0
/// @file data/dataset.hpp `dataset<Scalar>`: a feature matrix, class indices, the label map and the
/// feature names, kept consistent with each other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../error.hpp"
#include "label_map.hpp"

namespace mlpipe {

/// Row-major feature matrix: rows are samples, columns are features.
template <class Scalar>
using feature_matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// One class index per sample, in [0, classes().size()).
using class_index_vector = Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1>;

/// The default name of feature `j`: "x0", "x1", ...
[[nodiscard]] MLPIPE_DECL std::string default_feature_name(std::size_t j);

/// A data set: `features()` (n x d, row-major), and for labelled data `targets()` (n class
/// indices) with `classes()` mapping indices back to the original labels; `feature_names()` (d).
///
/// The constructor checks the invariants (sizes agree, indices in range, names unique), so a
/// dataset that exists is consistent. Features may hold NaN (missing values); models reject them
/// unless an imputer runs first.
/// Thread safety: const member functions may be called concurrently.
template <class Scalar>
class dataset {
    static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                  "dataset<Scalar>: Scalar must be float or double");

  public:
    using scalar_type = Scalar;
    using matrix_type = feature_matrix<Scalar>;
    using index_type = Eigen::Index;

    /// An empty, unlabelled data set.
    dataset() = default;

    /// A labelled data set. Throws invalid_input_error when the parts disagree.
    /// @param feature_names d unique names, or empty for "x0".."x{d-1}"
    dataset(matrix_type features, class_index_vector targets, label_map classes,
            std::vector<std::string> feature_names = {})
        : features_(std::move(features)),
          targets_(std::move(targets)),
          classes_(std::move(classes)),
          feature_names_(std::move(feature_names)) {
        if (targets_.size() != features_.rows()) {
            throw invalid_input_error("dataset has " + std::to_string(features_.rows()) +
                                          " feature rows but " + std::to_string(targets_.size()) +
                                          " targets",
                                      "give one class index per row", "targets");
        }
        if (classes_.empty() && features_.rows() > 0) {
            throw invalid_input_error(
                "labelled dataset with an empty label map",
                "build the label map from the labels (label_map::from_strings "
                "or from_integers), or construct an unlabelled dataset",
                "classes");
        }
        const auto n_classes = static_cast<std::int64_t>(classes_.size());
        for (index_type i = 0; i < targets_.size(); ++i) {
            if (targets_[i] < 0 || targets_[i] >= n_classes) {
                throw invalid_input_error("target of row " + std::to_string(i) +
                                              " is class index " + std::to_string(targets_[i]) +
                                              ", outside [0, " + std::to_string(n_classes) + ")",
                                          "map labels to indices with label_map::index_of",
                                          "targets");
            }
        }
        labelled_ = true;
        check_names();
    }

    /// An unlabelled data set (for prediction inputs).
    explicit dataset(matrix_type features, std::vector<std::string> feature_names = {})
        : features_(std::move(features)), feature_names_(std::move(feature_names)) {
        check_names();
    }

    /// n x d features, row-major.
    [[nodiscard]] const matrix_type& features() const noexcept { return features_; }
    /// n class indices (empty when unlabelled).
    [[nodiscard]] const class_index_vector& targets() const noexcept { return targets_; }
    /// Class index <-> original label.
    [[nodiscard]] const label_map& classes() const noexcept { return classes_; }
    /// d feature names.
    [[nodiscard]] const std::vector<std::string>& feature_names() const noexcept {
        return feature_names_;
    }

    [[nodiscard]] bool labelled() const noexcept { return labelled_; }
    [[nodiscard]] index_type n_samples() const noexcept { return features_.rows(); }
    [[nodiscard]] index_type n_features() const noexcept { return features_.cols(); }
    [[nodiscard]] std::size_t n_classes() const noexcept { return classes_.size(); }

    /// Number of rows of each class (size n_classes()).
    [[nodiscard]] std::vector<std::size_t> class_counts() const {
        std::vector<std::size_t> counts(classes_.size(), 0);
        for (index_type i = 0; i < targets_.size(); ++i)
            ++counts[static_cast<std::size_t>(targets_[i])];
        return counts;
    }

    /// The rows `rows` (in that order, repeats allowed), with the same classes and names.
    /// Throws invalid_input_error for a row index out of range.
    [[nodiscard]] dataset subset(std::span<const index_type> rows) const {
        matrix_type x(static_cast<index_type>(rows.size()), features_.cols());
        class_index_vector y(labelled_ ? static_cast<index_type>(rows.size()) : 0);
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const index_type r = rows[k];
            if (r < 0 || r >= features_.rows()) {
                throw invalid_input_error("row index " + std::to_string(r) + " is outside [0, " +
                                              std::to_string(features_.rows()) + ")",
                                          "pass row indices of this dataset", "rows");
            }
            x.row(static_cast<index_type>(k)) = features_.row(r);
            if (labelled_) y[static_cast<index_type>(k)] = targets_[r];
        }
        if (!labelled_) return dataset(std::move(x), feature_names_);
        return dataset(std::move(x), std::move(y), classes_, feature_names_);
    }

    /// The same data with another scalar type.
    template <class Other>
    [[nodiscard]] dataset<Other> cast() const {
        feature_matrix<Other> x = features_.template cast<Other>();
        if (!labelled_) return dataset<Other>(std::move(x), feature_names_);
        return dataset<Other>(std::move(x), targets_, classes_, feature_names_);
    }

  private:
    void check_names() {
        const auto d = static_cast<std::size_t>(features_.cols());
        if (feature_names_.empty()) {
            feature_names_.reserve(d);
            for (std::size_t j = 0; j < d; ++j)
                feature_names_.push_back(default_feature_name(j));
            return;
        }
        if (feature_names_.size() != d) {
            throw invalid_input_error("dataset has " + std::to_string(d) + " feature columns but " +
                                          std::to_string(feature_names_.size()) + " feature names",
                                      "give one name per column, or none for x0, x1, ...",
                                      "feature_names");
        }
        std::unordered_set<std::string> seen;
        for (const auto& name : feature_names_) {
            if (!seen.insert(name).second) {
                throw invalid_input_error("feature name \"" + name + "\" appears twice",
                                          "give every column a distinct name", "feature_names");
            }
        }
    }

    matrix_type features_;
    class_index_vector targets_;
    label_map classes_;
    std::vector<std::string> feature_names_;
    bool labelled_ = false;
};

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

MLPIPE_DECL std::string default_feature_name(std::size_t j) {
    return "x" + std::to_string(j);
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

#if defined(MLPIPE_SEPARATE_COMPILATION)
MLPIPE_EXTERN template class dataset<double>;
MLPIPE_EXTERN template class dataset<float>;
#endif

}  // namespace mlpipe

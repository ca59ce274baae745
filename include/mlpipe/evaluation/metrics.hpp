// SPDX-License-Identifier: Apache-2.0
/// @file evaluation/metrics.hpp Classification metrics on class indices, computed as scikit-learn
/// 1.2 computes them: accuracy, balanced accuracy, precision / recall / F1, confusion matrix,
/// ROC AUC and log loss.
///
/// Every metric takes class indices (as dataset::targets() and classifier::predict() give them)
/// and, where scikit-learn has them, optional sample weights (an empty span means all 1). Classes
/// are always the indices 0..n_classes-1: a metric averaged over classes includes every class, as
/// scikit-learn does when given `labels=range(n_classes)`. Inputs are validated first; a bad input
/// is an invalid_input_error naming the parameter.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "../data/dataset.hpp"
#include "../error.hpp"

namespace mlpipe {

/// A read-only view of class indices: a class_index_vector, a Map over the caller's memory, or a
/// segment of either.
using class_index_cref = Eigen::Ref<const class_index_vector>;

/// How per-class precision, recall and F1 are combined into one number.
enum class averaging {
    binary,    ///< the positive class's score only (two classes)
    micro,     ///< from the total true positives, false positives and false negatives
    macro,     ///< unweighted mean over the classes
    weighted,  ///< mean over the classes weighted by their support (true rows)
};

/// Options of precision_score, recall_score, f1_score and per_class_scores.
struct metric_options {
    /// One weight per sample (>= 0, finite, not all 0), or empty for all 1. A view: it must outlive
    /// the call.
    std::span<const double> sample_weight = {};
    /// The class whose scores averaging::binary reports.
    std::int32_t positive_class = 1;
    /// The value of a score whose denominator is 0 (a class never predicted or never true): 0 or
    /// 1, as scikit-learn's `zero_division`.
    double zero_division = 0.0;
};

/// How confusion_matrix normalises its counts.
enum class normalization {
    none,       ///< counts (sums of sample weights)
    true_rows,  ///< each row (true class) sums to 1
    predicted,  ///< each column (predicted class) sums to 1
    all,        ///< the whole matrix sums to 1
};

/// Per-class precision, recall, F1 and support (the weighted number of true rows), indexed by
/// class.
struct class_scores {
    std::vector<double> precision;
    std::vector<double> recall;
    std::vector<double> f1;
    std::vector<double> support;
};

namespace detail {

MLPIPE_DECL invalid_input_error metric_error(std::string_view metric, const std::string& problem,
                                             const std::string& remedy, const std::string& subject);

/// Checks sizes and ranges of y_true / y_pred and the weights.
MLPIPE_DECL void check_class_indices(std::string_view metric, class_index_cref y_true,
                                     class_index_cref y_pred, std::size_t n_classes,
                                     std::span<const double> sample_weight);

MLPIPE_DECL double weight_of(std::span<const double> sample_weight, Eigen::Index i) noexcept;

/// Weighted confusion counts, rows true, columns predicted. Inputs already checked.
MLPIPE_DECL Eigen::MatrixXd confusion_counts(class_index_cref y_true, class_index_cref y_pred,
                                             std::size_t n_classes,
                                             std::span<const double> sample_weight);

/// Checks a probability matrix: one row per sample, >= 2 columns, entries finite in [0, 1], rows
/// summing to 1 (within scikit-learn's np.allclose tolerance, |1 - sum| <= 1e-8 + 1e-5 * sum).
template <class Derived>
void check_probabilities(std::string_view metric, const Eigen::MatrixBase<Derived>& proba,
                         Eigen::Index n_samples) {
    if (proba.rows() != n_samples) {
        throw metric_error(metric,
                           "proba has " + std::to_string(proba.rows()) + " rows for " +
                               std::to_string(n_samples) + " samples",
                           "pass one row of probabilities per sample", "proba");
    }
    if (proba.cols() < 2) {
        throw metric_error(metric,
                           "proba has " + std::to_string(proba.cols()) +
                               " column(s); it needs one per class and at least two classes",
                           "pass predict_proba's output (n_samples x n_classes)", "proba");
    }
    for (Eigen::Index i = 0; i < proba.rows(); ++i) {
        double sum = 0.0;
        for (Eigen::Index j = 0; j < proba.cols(); ++j) {
            const auto p = static_cast<double>(proba(i, j));
            if (std::isnan(p) || p < 0.0 || p > 1.0) {
                throw metric_error(
                    metric,
                    "proba(" + std::to_string(i) + ", " + std::to_string(j) + ") is " +
                        std::to_string(p) + (std::isnan(p) ? " (NaN)" : "") + ", not a probability",
                    "pass probabilities in [0, 1] (predict_proba's output)", "proba");
            }
            sum += p;
        }
        if (!(std::abs(1.0 - sum) <= 1e-8 + 1e-5 * sum)) {
            throw metric_error(
                metric,
                "row " + std::to_string(i) + " of proba sums to " + std::to_string(sum) + ", not 1",
                "pass probabilities (normalise each row to sum to 1), not scores", "proba");
        }
    }
}

/// Binary ROC AUC of `score` for the rows where `positive(i)` holds, by the trapezoidal rule over
/// the distinct thresholds, as scikit-learn's roc_curve + auc (ties count one half). Rows of weight
/// 0 are left out, as scikit-learn does. Throws when either class is absent.
template <class Score, class Positive>
double binary_auc(std::string_view metric, Eigen::Index n, Score&& score, Positive&& positive,
                  std::span<const double> sample_weight, const std::string& which) {
    std::vector<Eigen::Index> order;
    order.reserve(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
        if (weight_of(sample_weight, i) != 0.0) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](Eigen::Index a, Eigen::Index b) { return score(a) > score(b); });
    double tp = 0.0;
    double fp = 0.0;
    double previous_tp = 0.0;
    double previous_fp = 0.0;
    double area = 0.0;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const Eigen::Index i = order[k];
        const double w = weight_of(sample_weight, i);
        if (positive(i)) {
            tp += w;
        } else {
            fp += w;
        }
        // Close a threshold group at the last row of each distinct score.
        if (k + 1 == order.size() || score(order[k + 1]) != score(i)) {
            area += (fp - previous_fp) * (tp + previous_tp) / 2.0;
            previous_tp = tp;
            previous_fp = fp;
        }
    }
    if (tp == 0.0 || fp == 0.0) {
        throw metric_error(
            metric, "only one class present in y_true" + which + "; ROC AUC is not defined then",
            "score on samples of both classes (a stratified split keeps them)", "y_true");
    }
    return area / (tp * fp);
}

}  // namespace detail

/// The fraction (weighted) of samples whose prediction is right.
/// @throws invalid_input_error for empty or mismatched inputs, negative class indices or bad
/// weights
/// Complexity: O(n). Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL double accuracy_score(class_index_cref y_true, class_index_cref y_pred,
                                                std::span<const double> sample_weight = {});

/// The confusion matrix, n_classes x n_classes: entry (t, p) counts (or sums the weights of) the
/// samples of true class t predicted as p, as scikit-learn's confusion_matrix.
/// @throws invalid_input_error for bad inputs (see the file comment)
/// Complexity: O(n + n_classes^2). Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL Eigen::MatrixXd confusion_matrix(
    class_index_cref y_true, class_index_cref y_pred, std::size_t n_classes,
    std::span<const double> sample_weight = {}, normalization normalize = normalization::none);

/// The mean recall over the classes present in y_true (classes with no true sample are left
/// out, as scikit-learn does).
/// @throws invalid_input_error for bad inputs (see the file comment)
/// Complexity: O(n + n_classes^2). Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL double balanced_accuracy_score(
    class_index_cref y_true, class_index_cref y_pred, std::size_t n_classes,
    std::span<const double> sample_weight = {});

/// Precision, recall, F1 and support of every class (scikit-learn's
/// precision_recall_fscore_support with average=None, labels=range(n_classes)). A ratio whose
/// denominator is 0 is options.zero_division.
/// @throws invalid_input_error for bad inputs (see the file comment)
/// Complexity: O(n + n_classes^2). Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL class_scores per_class_scores(class_index_cref y_true,
                                                        class_index_cref y_pred,
                                                        std::size_t n_classes,
                                                        const metric_options& options = {});

namespace detail {

/// precision (0), recall (1) or F1 (2), averaged.
MLPIPE_DECL double averaged_score(std::string_view metric, int which, class_index_cref y_true,
                                  class_index_cref y_pred, std::size_t n_classes, averaging average,
                                  const metric_options& options);

}  // namespace detail

/// Precision, tp / (tp + fp), averaged as `average` says (as scikit-learn's precision_score with
/// labels=range(n_classes)).
/// @throws invalid_input_error for bad inputs, and averaging::binary with other than 2 classes
/// Complexity: O(n + n_classes^2). Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL double precision_score(class_index_cref y_true, class_index_cref y_pred,
                                                 std::size_t n_classes, averaging average,
                                                 const metric_options& options = {});

/// Recall, tp / (tp + fn), averaged as `average` says. Same contract as precision_score.
[[nodiscard]] MLPIPE_DECL double recall_score(class_index_cref y_true, class_index_cref y_pred,
                                              std::size_t n_classes, averaging average,
                                              const metric_options& options = {});

/// F1, the harmonic mean of precision and recall, per class then averaged as `average` says.
/// Same contract as precision_score.
[[nodiscard]] MLPIPE_DECL double f1_score(class_index_cref y_true, class_index_cref y_pred,
                                          std::size_t n_classes, averaging average,
                                          const metric_options& options = {});

/// Binary ROC AUC of decision scores (higher means more likely `positive_class`): the area under
/// the ROC curve, ties counted one half, as scikit-learn's roc_auc_score(y_true == positive_class,
/// scores). Any class other than positive_class is negative.
/// @throws invalid_input_error for mismatched sizes, NaN scores, bad weights, or y_true holding
/// a single class
/// Complexity: O(n log n). Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL double binary_roc_auc(class_index_cref y_true,
                                                std::span<const double> scores,
                                                std::int32_t positive_class = 1,
                                                std::span<const double> sample_weight = {});

/// ROC AUC from predicted probabilities (n x n_classes, rows summing to 1). Two classes: the
/// binary AUC of column 1 (class index 1 is positive; `average` is ignored). More: one-vs-rest,
/// each class's AUC against the rest, averaged with averaging::macro (unweighted) or
/// averaging::weighted (by support), as scikit-learn's roc_auc_score(multi_class="ovr").
/// @throws invalid_input_error for bad sizes, NaN or non-probabilities, bad weights, a class
/// with no true sample, or averaging other than macro / weighted for more than 2 classes
/// Complexity: O(n_classes * n log n). Thread safety: pure function.
template <class Derived>
[[nodiscard]] double roc_auc_score(class_index_cref y_true, const Eigen::MatrixBase<Derived>& proba,
                                   averaging average = averaging::macro,
                                   std::span<const double> sample_weight = {}) {
    constexpr std::string_view metric = "roc_auc_score";
    const auto n_classes = static_cast<std::size_t>(proba.cols());
    detail::check_probabilities(metric, proba, y_true.size());
    detail::check_class_indices(metric, y_true, y_true, n_classes, sample_weight);
    if (n_classes == 2) {
        return detail::binary_auc(
            metric, y_true.size(), [&](Eigen::Index i) { return static_cast<double>(proba(i, 1)); },
            [&](Eigen::Index i) { return y_true[i] == 1; }, sample_weight, "");
    }
    if (average != averaging::macro && average != averaging::weighted) {
        throw detail::metric_error(metric,
                                   "one-vs-rest ROC AUC averages with macro or weighted only",
                                   "use averaging::macro or averaging::weighted", "average");
    }
    double sum = 0.0;
    double weights = 0.0;
    for (Eigen::Index c = 0; c < proba.cols(); ++c) {
        const auto c32 = static_cast<std::int32_t>(c);
        const double auc = detail::binary_auc(
            metric, y_true.size(), [&](Eigen::Index i) { return static_cast<double>(proba(i, c)); },
            [&](Eigen::Index i) { return y_true[i] == c32; }, sample_weight,
            " (class index " + std::to_string(c) + " against the rest)");
        double w = 1.0;
        if (average == averaging::weighted) {
            w = 0.0;
            for (Eigen::Index i = 0; i < y_true.size(); ++i)
                if (y_true[i] == c32) w += detail::weight_of(sample_weight, i);
        }
        sum += w * auc;
        weights += w;
    }
    return sum / weights;
}

/// Mean (weighted) cross-entropy -log p(true class), with probabilities clipped to
/// [eps, 1 - eps] (eps of the input's scalar type) and rows renormalised, as scikit-learn's
/// log_loss with eps="auto". proba is n x n_classes with rows summing to 1.
/// @throws invalid_input_error for bad sizes, NaN or non-probabilities, class indices outside the
/// columns, or bad weights
/// Complexity: O(n * n_classes). Thread safety: pure function.
template <class Derived>
[[nodiscard]] double log_loss(class_index_cref y_true, const Eigen::MatrixBase<Derived>& proba,
                              std::span<const double> sample_weight = {}) {
    using scalar = typename Derived::Scalar;
    constexpr std::string_view metric = "log_loss";
    detail::check_probabilities(metric, proba, y_true.size());
    detail::check_class_indices(metric, y_true, y_true, static_cast<std::size_t>(proba.cols()),
                                sample_weight);
    const scalar eps = std::numeric_limits<scalar>::epsilon();
    double loss = 0.0;
    double total = 0.0;
    for (Eigen::Index i = 0; i < y_true.size(); ++i) {
        double row_sum = 0.0;
        for (Eigen::Index j = 0; j < proba.cols(); ++j)
            row_sum += static_cast<double>(std::clamp<scalar>(proba(i, j), eps, scalar(1) - eps));
        const auto p =
            static_cast<double>(std::clamp<scalar>(proba(i, y_true[i]), eps, scalar(1) - eps)) /
            row_sum;
        const double w = detail::weight_of(sample_weight, i);
        loss -= w * std::log(p);
        total += w;
    }
    return loss / total;
}

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

namespace detail {

MLPIPE_DECL invalid_input_error metric_error(std::string_view metric, const std::string& problem,
                                             const std::string& remedy,
                                             const std::string& subject) {
    return invalid_input_error(std::string(metric) + ": " + problem, remedy, subject);
}

MLPIPE_DECL void check_class_indices(std::string_view metric, class_index_cref y_true,
                                     class_index_cref y_pred, std::size_t n_classes,
                                     std::span<const double> sample_weight) {
    if (y_true.size() == 0) {
        throw metric_error(metric, "y_true is empty", "score at least one sample", "y_true");
    }
    if (y_pred.size() != y_true.size()) {
        throw metric_error(metric,
                           "y_true has " + std::to_string(y_true.size()) + " entries but y_pred " +
                               std::to_string(y_pred.size()),
                           "pass one prediction per sample", "y_pred");
    }
    if (n_classes == 0) {
        throw metric_error(metric, "n_classes is 0", "pass the number of classes", "n_classes");
    }
    const auto check_range = [&](class_index_cref y, const char* name) {
        for (Eigen::Index i = 0; i < y.size(); ++i) {
            if (y[i] < 0 || static_cast<std::size_t>(y[i]) >= n_classes) {
                throw metric_error(metric,
                                   std::string(name) + "[" + std::to_string(i) +
                                       "] is class index " + std::to_string(y[i]) +
                                       ", outside [0, " + std::to_string(n_classes) + ")",
                                   "pass class indices (label_map::index_of), and the number of "
                                   "classes of the label map",
                                   name);
            }
        }
    };
    check_range(y_true, "y_true");
    check_range(y_pred, "y_pred");
    if (sample_weight.empty()) return;
    if (static_cast<Eigen::Index>(sample_weight.size()) != y_true.size()) {
        throw metric_error(metric,
                           std::to_string(sample_weight.size()) + " sample weights for " +
                               std::to_string(y_true.size()) + " samples",
                           "give one weight per sample, or none", "sample_weight");
    }
    double total = 0.0;
    for (double w : sample_weight) {
        if (!std::isfinite(w) || w < 0.0) {
            throw metric_error(metric, "a sample weight is negative, NaN or infinite",
                               "use finite weights >= 0", "sample_weight");
        }
        total += w;
    }
    if (!(total > 0.0)) {
        throw metric_error(metric, "the sample weights sum to 0",
                           "give at least one sample a positive weight", "sample_weight");
    }
}

MLPIPE_DECL double weight_of(std::span<const double> sample_weight, Eigen::Index i) noexcept {
    return sample_weight.empty() ? 1.0 : sample_weight[static_cast<std::size_t>(i)];
}

MLPIPE_DECL Eigen::MatrixXd confusion_counts(class_index_cref y_true, class_index_cref y_pred,
                                             std::size_t n_classes,
                                             std::span<const double> sample_weight) {
    const auto k = static_cast<Eigen::Index>(n_classes);
    Eigen::MatrixXd counts = Eigen::MatrixXd::Zero(k, k);
    for (Eigen::Index i = 0; i < y_true.size(); ++i)
        counts(y_true[i], y_pred[i]) += weight_of(sample_weight, i);
    return counts;
}

MLPIPE_DECL double averaged_score(std::string_view metric, int which, class_index_cref y_true,
                                  class_index_cref y_pred, std::size_t n_classes, averaging average,
                                  const metric_options& options) {
    detail::check_class_indices(metric, y_true, y_pred, n_classes, options.sample_weight);
    const Eigen::MatrixXd counts =
        detail::confusion_counts(y_true, y_pred, n_classes, options.sample_weight);
    const auto divide = [&](double a, double b) {
        return b == 0.0 ? options.zero_division : a / b;
    };
    const auto pick = [&](double tp, double predicted, double support) {
        const double precision = divide(tp, predicted);
        const double recall = divide(tp, support);
        if (which == 0) return precision;
        if (which == 1) return recall;
        const double denominator = precision + recall;
        return denominator == 0.0 ? 0.0 : 2.0 * precision * recall / denominator;
    };
    switch (average) {
        case averaging::binary: {
            if (n_classes != 2) {
                throw metric_error(
                    metric, "averaging::binary needs 2 classes, not " + std::to_string(n_classes),
                    "use averaging::macro, weighted or micro for more classes", "average");
            }
            const std::int32_t c = options.positive_class;
            if (c != 0 && c != 1) {
                throw metric_error(
                    metric,
                    "positive_class is " + std::to_string(c) + ", not a class index of 2 classes",
                    "use 0 or 1", "positive_class");
            }
            return pick(counts(c, c), counts.col(c).sum(), counts.row(c).sum());
        }
        case averaging::micro: {
            const double tp = counts.trace();
            const double total = counts.sum();  // predicted = support = total
            return pick(tp, total, total);
        }
        case averaging::macro:
        case averaging::weighted: {
            double sum = 0.0;
            double weights = 0.0;
            for (Eigen::Index c = 0; c < counts.rows(); ++c) {
                const double support = counts.row(c).sum();
                const double w = average == averaging::macro ? 1.0 : support;
                sum += w * pick(counts(c, c), counts.col(c).sum(), support);
                weights += w;
            }
            return sum / weights;
        }
    }
    return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace detail

MLPIPE_DECL double accuracy_score(class_index_cref y_true, class_index_cref y_pred,
                                  std::span<const double> sample_weight) {
    constexpr auto unbounded = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
    detail::check_class_indices("accuracy_score", y_true, y_pred, unbounded, sample_weight);
    double right = 0.0;
    double total = 0.0;
    for (Eigen::Index i = 0; i < y_true.size(); ++i) {
        const double w = detail::weight_of(sample_weight, i);
        total += w;
        if (y_true[i] == y_pred[i]) right += w;
    }
    return right / total;
}

MLPIPE_DECL Eigen::MatrixXd confusion_matrix(class_index_cref y_true, class_index_cref y_pred,
                                             std::size_t n_classes,
                                             std::span<const double> sample_weight,
                                             normalization normalize) {
    detail::check_class_indices("confusion_matrix", y_true, y_pred, n_classes, sample_weight);
    Eigen::MatrixXd counts = detail::confusion_counts(y_true, y_pred, n_classes, sample_weight);
    // As scikit-learn: an empty row or column stays 0 instead of 0 / 0.
    switch (normalize) {
        case normalization::none:
            break;
        case normalization::true_rows:
            for (Eigen::Index r = 0; r < counts.rows(); ++r) {
                const double sum = counts.row(r).sum();
                if (sum > 0.0) counts.row(r) /= sum;
            }
            break;
        case normalization::predicted:
            for (Eigen::Index c = 0; c < counts.cols(); ++c) {
                const double sum = counts.col(c).sum();
                if (sum > 0.0) counts.col(c) /= sum;
            }
            break;
        case normalization::all:
            counts /= counts.sum();
            break;
    }
    return counts;
}

MLPIPE_DECL double balanced_accuracy_score(class_index_cref y_true, class_index_cref y_pred,
                                           std::size_t n_classes,
                                           std::span<const double> sample_weight) {
    detail::check_class_indices("balanced_accuracy_score", y_true, y_pred, n_classes,
                                sample_weight);
    const Eigen::MatrixXd counts =
        detail::confusion_counts(y_true, y_pred, n_classes, sample_weight);
    double sum = 0.0;
    int present = 0;
    for (Eigen::Index c = 0; c < counts.rows(); ++c) {
        const double support = counts.row(c).sum();
        if (support > 0.0) {
            sum += counts(c, c) / support;
            ++present;
        }
    }
    return sum / present;
}

MLPIPE_DECL class_scores per_class_scores(class_index_cref y_true, class_index_cref y_pred,
                                          std::size_t n_classes, const metric_options& options) {
    detail::check_class_indices("per_class_scores", y_true, y_pred, n_classes,
                                options.sample_weight);
    const Eigen::MatrixXd counts =
        detail::confusion_counts(y_true, y_pred, n_classes, options.sample_weight);
    class_scores s;
    const auto divide = [&](double a, double b) {
        return b == 0.0 ? options.zero_division : a / b;
    };
    for (Eigen::Index c = 0; c < counts.rows(); ++c) {
        const double tp = counts(c, c);
        const double predicted = counts.col(c).sum();
        const double support = counts.row(c).sum();
        const double precision = divide(tp, predicted);
        const double recall = divide(tp, support);
        const double denominator = precision + recall;
        s.precision.push_back(precision);
        s.recall.push_back(recall);
        s.f1.push_back(denominator == 0.0 ? 0.0 : 2.0 * precision * recall / denominator);
        s.support.push_back(support);
    }
    return s;
}

MLPIPE_DECL double precision_score(class_index_cref y_true, class_index_cref y_pred,
                                   std::size_t n_classes, averaging average,
                                   const metric_options& options) {
    return detail::averaged_score("precision_score", 0, y_true, y_pred, n_classes, average,
                                  options);
}

MLPIPE_DECL double recall_score(class_index_cref y_true, class_index_cref y_pred,
                                std::size_t n_classes, averaging average,
                                const metric_options& options) {
    return detail::averaged_score("recall_score", 1, y_true, y_pred, n_classes, average, options);
}

MLPIPE_DECL double f1_score(class_index_cref y_true, class_index_cref y_pred, std::size_t n_classes,
                            averaging average, const metric_options& options) {
    return detail::averaged_score("f1_score", 2, y_true, y_pred, n_classes, average, options);
}

MLPIPE_DECL double binary_roc_auc(class_index_cref y_true, std::span<const double> scores,
                                  std::int32_t positive_class,
                                  std::span<const double> sample_weight) {
    constexpr std::string_view metric = "binary_roc_auc";
    if (static_cast<Eigen::Index>(scores.size()) != y_true.size()) {
        throw detail::metric_error(metric,
                                   "y_true has " + std::to_string(y_true.size()) +
                                       " entries but scores " + std::to_string(scores.size()),
                                   "pass one score per sample", "scores");
    }
    constexpr auto unbounded = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
    detail::check_class_indices(metric, y_true, y_true, unbounded, sample_weight);
    for (double s : scores) {
        if (std::isnan(s)) {
            throw detail::metric_error(metric, "a score is NaN", "pass finite scores", "scores");
        }
    }
    return detail::binary_auc(
        metric, y_true.size(), [&](Eigen::Index i) { return scores[static_cast<std::size_t>(i)]; },
        [&](Eigen::Index i) { return y_true[i] == positive_class; }, sample_weight, "");
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe

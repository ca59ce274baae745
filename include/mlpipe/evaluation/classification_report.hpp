// SPDX-License-Identifier: Apache-2.0
/// @file evaluation/classification_report.hpp A printable per-class report (precision, recall, F1,
/// support, accuracy and averages) laid out as scikit-learn's classification_report.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../data/label_map.hpp"
#include "../error.hpp"
#include "metrics.hpp"

namespace mlpipe {

/// Options of classification_report.
struct report_options {
    int digits = 2;                              ///< digits after the decimal point (0..15)
    std::span<const double> sample_weight = {};  ///< one weight per sample, or empty for all 1
    double zero_division = 0.0;                  ///< the value of an undefined ratio: 0 or 1
};

namespace detail {

MLPIPE_DECL std::string format_fixed(double value, int width, int digits);

MLPIPE_DECL std::string pad_left(const std::string& text, std::size_t width);

/// A support as scikit-learn prints it: an integer count, or with sample weights Python's repr of
/// a float ("12.5", "20.0").
MLPIPE_DECL std::string format_support(double value, bool weighted);

}  // namespace detail

/// The text report of scikit-learn's classification_report(y_true, y_pred,
/// labels=range(n_classes), target_names=class names): one line per class named by `classes`,
/// then accuracy, macro avg and weighted avg, column for column.
///
/// @code
///               precision    recall  f1-score   support
///
///       setosa       1.00      1.00      1.00        50
///   versicolor       0.98      0.94      0.96        50
///    virginica       0.94      0.98      0.96        50
///
///     accuracy                           0.97       150
///    macro avg       0.97      0.97      0.97       150
/// weighted avg       0.97      0.97      0.97       150
/// @endcode
/// @param classes the label map whose names head the rows; its size is the number of classes
/// @throws invalid_input_error for bad inputs (as the metrics) or digits outside 0..15
/// Complexity: O(n + n_classes^2). Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL std::string classification_report(class_index_cref y_true,
                                                            class_index_cref y_pred,
                                                            const label_map& classes,
                                                            const report_options& options = {});

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

namespace detail {

MLPIPE_DECL std::string format_fixed(double value, int width, int digits) {
    char buffer[64];
    const int written = std::snprintf(buffer, sizeof buffer, "%*.*f", width, digits, value);
    return std::string(buffer, static_cast<std::size_t>(std::clamp(written, 0, 63)));
}

MLPIPE_DECL std::string pad_left(const std::string& text, std::size_t width) {
    return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

MLPIPE_DECL std::string format_support(double value, bool weighted) {
    char buffer[64];
    if (!weighted) {
        std::snprintf(buffer, sizeof buffer, "%.0f", value);
        return buffer;
    }
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    std::string text(buffer, result.ptr);
    if (text.find_first_of(".eE") == std::string::npos) text += ".0";
    return text;
}

}  // namespace detail

MLPIPE_DECL std::string classification_report(class_index_cref y_true, class_index_cref y_pred,
                                              const label_map& classes,
                                              const report_options& options) {
    if (options.digits < 0 || options.digits > 15) {
        throw invalid_input_error("classification_report: digits is " +
                                      std::to_string(options.digits) + ", outside 0..15",
                                  "use e.g. 2 or 4", "digits");
    }
    const std::size_t n_classes = classes.size();
    const metric_options metric{.sample_weight = options.sample_weight,
                                .zero_division = options.zero_division};
    const class_scores per_class = per_class_scores(y_true, y_pred, n_classes, metric);
    const bool weighted = !options.sample_weight.empty();
    const int digits = options.digits;

    std::vector<std::string> names;
    std::size_t width = std::string_view("weighted avg").size();
    for (std::size_t c = 0; c < n_classes; ++c) {
        names.push_back(classes.name(c));
        width = std::max(width, names.back().size());
    }
    width = std::max(width, static_cast<std::size_t>(digits));

    const auto row = [&](const std::string& name, double p, double r, double f, double support) {
        std::string line = detail::pad_left(name, width) + ' ';
        for (double v : {p, r, f})
            line += ' ' + detail::format_fixed(v, 9, digits);
        line += ' ' + detail::pad_left(detail::format_support(support, weighted), 9) + '\n';
        return line;
    };

    std::string report = std::string(width, ' ') + ' ';
    for (const char* header : {"precision", "recall", "f1-score", "support"})
        report += ' ' + detail::pad_left(header, 9);
    report += "\n\n";
    double total_support = 0.0;
    for (std::size_t c = 0; c < n_classes; ++c) {
        report += row(names[c], per_class.precision[c], per_class.recall[c], per_class.f1[c],
                      per_class.support[c]);
        total_support += per_class.support[c];
    }
    report += '\n';
    report +=
        detail::pad_left("accuracy", width) + ' ' + ' ' + std::string(9, ' ') + ' ' +
        std::string(9, ' ') + ' ' +
        detail::format_fixed(accuracy_score(y_true, y_pred, options.sample_weight), 9, digits) +
        ' ' + detail::pad_left(detail::format_support(total_support, weighted), 9) + '\n';
    for (const auto& [average, heading] : {std::pair{averaging::macro, "macro avg"},
                                           std::pair{averaging::weighted, "weighted avg"}}) {
        report += row(heading, precision_score(y_true, y_pred, n_classes, average, metric),
                      recall_score(y_true, y_pred, n_classes, average, metric),
                      f1_score(y_true, y_pred, n_classes, average, metric), total_support);
    }
    return report;
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe

// SPDX-License-Identifier: Apache-2.0
/// @file evaluation/scorer.hpp Scorers: named metrics that cross_validate and grid_search apply to
/// a fitted model's predictions, with scikit-learn's scoring names ("accuracy", "f1_macro",
/// "roc_auc_ovr", "neg_log_loss", ...).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../data/dataset.hpp"
#include "../error.hpp"
#include "../models/classifier.hpp"
#include "metrics.hpp"

namespace mlpipe {

/// What a scorer sees of one evaluation: true and predicted class indices and, when the scorer
/// asked for them, the predicted probabilities (as double, n x n_classes).
struct scoring_input {
    const class_index_vector& y_true;
    const class_index_vector& y_pred;
    const probability_matrix<double>* proba;  ///< null unless some scorer needs_proba
    std::size_t n_classes;
};

/// A named score, greater is better (losses are negated, as scikit-learn's "neg_log_loss").
/// Write your own by giving a name and a function; set needs_proba when it reads proba.
/// Thread safety: `score` is called concurrently from worker threads; it must not touch shared
/// mutable state (the built-in ones are pure).
struct scorer {
    std::string name;
    bool needs_proba = false;
    std::function<double(const scoring_input&)> score;
};

/// The built-in scorer names, in the order make_scorer documents them.
[[nodiscard]] MLPIPE_DECL std::vector<std::string_view> scorer_names();

/// A built-in scorer by its scikit-learn name:
/// - "accuracy", "balanced_accuracy";
/// - "precision", "recall", "f1": binary, class index 1 positive (two classes only);
/// - "<precision|recall|f1>_<micro|macro|weighted>";
/// - "roc_auc": binary, from the probability of class index 1 (two classes only);
///   "roc_auc_ovr", "roc_auc_ovr_weighted": one-vs-rest, macro or weighted;
/// - "neg_log_loss": minus log_loss.
/// @throws invalid_input_error for an unknown name (the message lists the known ones)
/// Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL scorer make_scorer(std::string_view name);

/// Built-in scorers by name, in the given order. Same contract as make_scorer.
[[nodiscard]] MLPIPE_DECL std::vector<scorer> make_scorers(
    const std::vector<std::string_view>& names);

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

MLPIPE_DECL std::vector<std::string_view> scorer_names() {
    return {"accuracy",
            "balanced_accuracy",
            "precision",
            "recall",
            "f1",
            "precision_micro",
            "precision_macro",
            "precision_weighted",
            "recall_micro",
            "recall_macro",
            "recall_weighted",
            "f1_micro",
            "f1_macro",
            "f1_weighted",
            "roc_auc",
            "roc_auc_ovr",
            "roc_auc_ovr_weighted",
            "neg_log_loss"};
}

MLPIPE_DECL scorer make_scorer(std::string_view name) {
    const std::string id(name);
    if (name == "accuracy") {
        return {id, false,
                [](const scoring_input& in) { return accuracy_score(in.y_true, in.y_pred); }};
    }
    if (name == "balanced_accuracy") {
        return {id, false, [](const scoring_input& in) {
                    return balanced_accuracy_score(in.y_true, in.y_pred, in.n_classes);
                }};
    }
    using metric_fn = double (*)(class_index_cref, class_index_cref, std::size_t, averaging,
                                 const metric_options&);
    const std::pair<std::string_view, metric_fn> families[] = {
        {"precision", &precision_score}, {"recall", &recall_score}, {"f1", &f1_score}};
    const std::pair<std::string_view, averaging> averages[] = {{"", averaging::binary},
                                                               {"_micro", averaging::micro},
                                                               {"_macro", averaging::macro},
                                                               {"_weighted", averaging::weighted}};
    for (const auto& [family, fn] : families) {
        for (const auto& [suffix, average] : averages) {
            if (name.size() == family.size() + suffix.size() && name.starts_with(family) &&
                name.ends_with(suffix)) {
                return {id, false, [f = fn, a = average](const scoring_input& in) {
                            return f(in.y_true, in.y_pred, in.n_classes, a, metric_options{});
                        }};
            }
        }
    }
    if (name == "roc_auc" || name == "roc_auc_ovr" || name == "roc_auc_ovr_weighted") {
        const bool binary = name == "roc_auc";
        const averaging average =
            name == "roc_auc_ovr_weighted" ? averaging::weighted : averaging::macro;
        return {id, true, [binary, average](const scoring_input& in) {
                    if (binary && in.n_classes != 2) {
                        throw invalid_input_error("scorer \"roc_auc\" is binary but there are " +
                                                      std::to_string(in.n_classes) + " classes",
                                                  "use \"roc_auc_ovr\" or \"roc_auc_ovr_weighted\"",
                                                  "scorer");
                    }
                    return roc_auc_score(in.y_true, *in.proba, average);
                }};
    }
    if (name == "neg_log_loss") {
        return {id, true, [](const scoring_input& in) { return -log_loss(in.y_true, *in.proba); }};
    }
    std::string known;
    for (auto n : scorer_names()) {
        if (!known.empty()) known += ", ";
        known += n;
    }
    throw invalid_input_error("unknown scorer \"" + id + "\"", "use one of: " + known, "scorer");
}

MLPIPE_DECL std::vector<scorer> make_scorers(const std::vector<std::string_view>& names) {
    std::vector<scorer> scorers;
    scorers.reserve(names.size());
    for (auto name : names)
        scorers.push_back(make_scorer(name));
    return scorers;
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe

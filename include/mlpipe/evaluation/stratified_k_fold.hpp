// SPDX-License-Identifier: Apache-2.0
/// @file evaluation/stratified_k_fold.hpp Stratified k-fold splits: every fold keeps the class
/// proportions, with fold sizes and per-class counts exactly as scikit-learn's StratifiedKFold.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "../data/dataset.hpp"
#include "../data/split.hpp"
#include "../detail/random.hpp"
#include "../error.hpp"
#include "../log.hpp"

namespace mlpipe {

/// Options of stratified_k_fold.
struct k_fold_options {
    std::size_t n_splits = 5;  ///< folds, >= 2
    /// Shuffle which rows of a class go to which fold. On by default, unlike scikit-learn:
    /// warehouse rows often arrive sorted (by time, by customer), and a seeded shuffle is as
    /// reproducible as no shuffle.
    bool shuffle = true;
    std::uint64_t seed = 0;  ///< seed of the shuffle: same seed and data, same folds everywhere
};

/// Splits rows 0..n-1 (n = targets.size()) into options.n_splits folds; fold f's `test` part is its
/// rows and its `train` part all others, both in increasing row order.
///
/// As scikit-learn 1.2's StratifiedKFold: classes are taken in order of first appearance; the
/// number of rows of each class in each fold comes from dealing the class-sorted rows round-robin
/// over the folds (so fold sizes differ by at most one and the first folds are the larger); then
/// each class's rows, in data order, are given to the folds in blocks, or in a seeded random order
/// when shuffling. Without shuffling the folds are identical to scikit-learn's; with it, sizes and
/// class counts are (the permutation comes from mlpipe's portable engine, not numpy's).
///
/// A class with fewer rows than folds is allowed (some folds then lack it) and logged as a
/// warning, as scikit-learn warns.
/// @throws invalid_input_error when n_splits < 2, n_splits > n, every class has fewer than
/// n_splits rows, or a target lies outside [0, n_classes)
/// Complexity: O(n * n_splits). Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL std::vector<split_indices> stratified_k_fold(
    const class_index_vector& targets, std::size_t n_classes, const k_fold_options& options = {});

/// Stratified k-fold splits of a labelled data set. Same contract as the overload on targets.
/// @throws invalid_input_error also when `data` has no labels
template <class Scalar>
[[nodiscard]] std::vector<split_indices> stratified_k_fold(const dataset<Scalar>& data,
                                                           const k_fold_options& options = {}) {
    if (!data.labelled()) {
        throw invalid_input_error("stratified_k_fold: the data set has no labels",
                                  "read it with a label column", "data");
    }
    return stratified_k_fold(data.targets(), data.n_classes(), options);
}

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

MLPIPE_DECL std::vector<split_indices> stratified_k_fold(const class_index_vector& targets,
                                                         std::size_t n_classes,
                                                         const k_fold_options& options) {
    const Eigen::Index n = targets.size();
    const std::size_t k = options.n_splits;
    if (k < 2) {
        throw invalid_input_error(
            "stratified_k_fold: n_splits is " + std::to_string(k) + "; it must be at least 2",
            "use e.g. 5 folds", "n_splits");
    }
    if (static_cast<std::size_t>(n) < k) {
        throw invalid_input_error("stratified_k_fold: n_splits=" + std::to_string(k) +
                                      " is greater than the number of rows, " + std::to_string(n),
                                  "use fewer folds or more rows", "n_splits");
    }
    // Classes encoded by order of first appearance, as scikit-learn.
    std::vector<std::int64_t> code(n_classes, -1);
    std::vector<std::size_t> encoded(static_cast<std::size_t>(n));
    std::vector<std::size_t> counts;
    for (Eigen::Index i = 0; i < n; ++i) {
        const std::int32_t t = targets[i];
        if (t < 0 || static_cast<std::size_t>(t) >= n_classes) {
            throw invalid_input_error("stratified_k_fold: target of row " + std::to_string(i) +
                                          " is class index " + std::to_string(t) +
                                          ", outside [0, " + std::to_string(n_classes) + ")",
                                      "pass class indices and the label map's size", "targets");
        }
        auto& c = code[static_cast<std::size_t>(t)];
        if (c < 0) {
            c = static_cast<std::int64_t>(counts.size());
            counts.push_back(0);
        }
        encoded[static_cast<std::size_t>(i)] = static_cast<std::size_t>(c);
        ++counts[static_cast<std::size_t>(c)];
    }
    const std::size_t present = counts.size();
    const std::size_t smallest = *std::min_element(counts.begin(), counts.end());
    if (std::all_of(counts.begin(), counts.end(), [&](std::size_t c) { return c < k; })) {
        throw invalid_input_error("stratified_k_fold: n_splits=" + std::to_string(k) +
                                      " is greater than the number of rows of every class",
                                  "use fewer folds or collect more rows", "n_splits");
    }
    if (smallest < k && log_enabled(log_level::warn)) {
        log_message(log_level::warn, "evaluation",
                    "stratified_k_fold: the least populated class has only " +
                        std::to_string(smallest) +
                        " rows, fewer than n_splits=" + std::to_string(k) + "; some folds lack it");
    }
    // allocation[f][c]: rows of class c in fold f, dealing the class-sorted rows round-robin.
    std::vector<std::vector<std::size_t>> allocation(k, std::vector<std::size_t>(present, 0));
    std::size_t position = 0;
    for (std::size_t c = 0; c < present; ++c) {
        for (std::size_t r = 0; r < counts[c]; ++r, ++position)
            ++allocation[position % k][c];
    }
    // Fold of each row: class c's rows in data order get folds 0,0,..,1,1,.. (blocks), shuffled.
    detail::random_engine engine(options.seed);
    std::vector<std::vector<std::size_t>> folds_of_class(present);
    for (std::size_t c = 0; c < present; ++c) {
        auto& folds = folds_of_class[c];
        folds.reserve(counts[c]);
        for (std::size_t f = 0; f < k; ++f)
            folds.insert(folds.end(), allocation[f][c], f);
        if (options.shuffle) detail::shuffle(std::span(folds), engine);
    }
    std::vector<std::size_t> next(present, 0);
    std::vector<split_indices> splits(k);
    for (std::size_t f = 0; f < k; ++f) {
        std::size_t size = 0;
        for (std::size_t c = 0; c < present; ++c)
            size += allocation[f][c];
        splits[f].test.reserve(size);
        splits[f].train.reserve(static_cast<std::size_t>(n) - size);
    }
    for (Eigen::Index i = 0; i < n; ++i) {
        const std::size_t c = encoded[static_cast<std::size_t>(i)];
        const std::size_t fold = folds_of_class[c][next[c]++];
        for (std::size_t f = 0; f < k; ++f)
            (f == fold ? splits[f].test : splits[f].train).push_back(i);
    }
    return splits;
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe

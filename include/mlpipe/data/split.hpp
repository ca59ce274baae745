// SPDX-License-Identifier: Apache-2.0
/// @file data/split.hpp Seeded, optionally stratified train/test splits.
#pragma once

#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "../detail/random.hpp"
#include "../error.hpp"
#include "dataset.hpp"

namespace mlpipe {

/// Options of train_test_split.
struct split_options {
    /// Fraction of rows in the test part, in (0, 1); the test part gets ceil(fraction * n) rows.
    double test_fraction = 0.25;
    /// Seed of the shuffle: the same seed and data give the same split on every platform.
    std::uint64_t seed = 0;
    /// Keep each class's share equal in both parts (needs labels and >= 2 rows per class).
    bool stratify = true;
};

/// Row indices of the two parts of a split.
struct split_indices {
    std::vector<Eigen::Index> train;
    std::vector<Eigen::Index> test;
};

/// Splits rows 0..n-1 into train and test indices (both in shuffled order).
/// @param targets class index per row; used when options.stratify is true
/// @param n_classes number of classes (targets lie in [0, n_classes))
/// @throws invalid_input_error when a part would be empty, a class has fewer than two rows
/// (stratified), or test_fraction is outside (0, 1)
[[nodiscard]] MLPIPE_DECL split_indices split_rows(Eigen::Index n,
                                                   const class_index_vector& targets,
                                                   std::size_t n_classes,
                                                   const split_options& options);

/// Splits a data set into (train, test). Stratified by default; same seed, same split.
/// @throws invalid_input_error as split_rows.
template <class Scalar>
[[nodiscard]] std::pair<dataset<Scalar>, dataset<Scalar>> train_test_split(
    const dataset<Scalar>& data, const split_options& options = {}) {
    if (options.stratify && !data.labelled()) {
        throw invalid_input_error("a stratified split needs labels; this dataset has none",
                                  "set split_options::stratify = false", "stratify");
    }
    const auto parts = split_rows(data.n_samples(), data.targets(), data.n_classes(), options);
    return {data.subset(parts.train), data.subset(parts.test)};
}

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

MLPIPE_DECL split_indices split_rows(Eigen::Index n, const class_index_vector& targets,
                                     std::size_t n_classes, const split_options& options) {
    if (!(options.test_fraction > 0.0 && options.test_fraction < 1.0)) {
        throw invalid_input_error(
            "test_fraction is " + std::to_string(options.test_fraction) + ", outside (0, 1)",
            "use a fraction such as 0.2", "test_fraction");
    }
    const auto n_test =
        static_cast<Eigen::Index>(std::ceil(options.test_fraction * static_cast<double>(n)));
    const Eigen::Index n_train = n - n_test;
    if (n_test < 1 || n_train < 1) {
        throw invalid_input_error("splitting " + std::to_string(n) + " rows with test_fraction " +
                                      std::to_string(options.test_fraction) +
                                      " leaves a part empty",
                                  "use more rows or a test_fraction nearer 0.5", "test_fraction");
    }
    detail::random_engine engine(options.seed);
    split_indices parts;
    if (!options.stratify) {
        std::vector<Eigen::Index> all(static_cast<std::size_t>(n));
        std::iota(all.begin(), all.end(), Eigen::Index{0});
        detail::shuffle(std::span(all), engine);
        parts.test.assign(all.begin(), all.begin() + n_test);
        parts.train.assign(all.begin() + n_test, all.end());
        return parts;
    }
    if (targets.size() != n) {
        throw invalid_input_error("a stratified split needs one label per row",
                                  "split labelled data, or set split_options::stratify = false",
                                  "stratify");
    }
    std::vector<std::vector<Eigen::Index>> by_class(n_classes);
    for (Eigen::Index i = 0; i < n; ++i)
        by_class[static_cast<std::size_t>(targets[i])].push_back(i);
    // Test rows per class: floor of the exact share, then the remainder by largest fraction
    // (ties to the lower class index), never taking a class's last train row.
    std::vector<Eigen::Index> take(n_classes, 0);
    std::vector<std::pair<double, std::size_t>> remainders;
    Eigen::Index assigned = 0;
    for (std::size_t c = 0; c < n_classes; ++c) {
        const auto count = static_cast<Eigen::Index>(by_class[c].size());
        if (count == 0) continue;
        if (count < 2) {
            throw invalid_input_error(
                "class index " + std::to_string(c) +
                    " has only one row; a stratified split needs two per class",
                "collect more rows of that class, or set stratify = false", "stratify");
        }
        const double exact =
            static_cast<double>(n_test) * static_cast<double>(count) / static_cast<double>(n);
        take[c] = std::min<Eigen::Index>(static_cast<Eigen::Index>(std::floor(exact)), count - 1);
        assigned += take[c];
        remainders.emplace_back(exact - static_cast<double>(take[c]), c);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t round = 0; assigned < n_test && round < n_classes + 1; ++round) {
        for (const auto& [fraction, c] : remainders) {
            if (assigned == n_test) break;
            if (take[c] + 1 < static_cast<Eigen::Index>(by_class[c].size())) {
                ++take[c];
                ++assigned;
            }
        }
    }
    for (std::size_t c = 0; c < n_classes; ++c) {
        auto& rows = by_class[c];
        detail::shuffle(std::span(rows), engine);
        parts.test.insert(parts.test.end(), rows.begin(), rows.begin() + take[c]);
        parts.train.insert(parts.train.end(), rows.begin() + take[c], rows.end());
    }
    detail::shuffle(std::span(parts.test), engine);
    detail::shuffle(std::span(parts.train), engine);
    return parts;
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

#if defined(MLPIPE_SEPARATE_COMPILATION)
MLPIPE_EXTERN template std::pair<dataset<double>, dataset<double>> train_test_split<double>(
    const dataset<double>&, const split_options&);
MLPIPE_EXTERN template std::pair<dataset<float>, dataset<float>> train_test_split<float>(
    const dataset<float>&, const split_options&);
#endif

}  // namespace mlpipe

// SPDX-License-Identifier: Apache-2.0
// Tests of evaluation/stratified_k_fold.hpp: fold sizes and class counts equal scikit-learn's
// StratifiedKFold (test rows too without shuffling), seeded shuffles, bad input.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/evaluation/stratified_k_fold.hpp>
#include <mlpipe/log.hpp>

#include "reference.hpp"

namespace {

std::vector<std::int64_t> class_counts(const mlpipe::class_index_vector& y,
                                       const std::vector<Eigen::Index>& rows, std::size_t k) {
    std::vector<std::int64_t> counts(k, 0);
    for (auto r : rows)
        ++counts[static_cast<std::size_t>(y[r])];
    return counts;
}

/// Test parts are disjoint, cover every row once, and each train part is the sorted complement.
void check_partition(const std::vector<mlpipe::split_indices>& folds, Eigen::Index n) {
    std::vector<int> seen(static_cast<std::size_t>(n), 0);
    for (const auto& fold : folds) {
        CHECK(std::is_sorted(fold.test.begin(), fold.test.end()));
        CHECK(std::is_sorted(fold.train.begin(), fold.train.end()));
        REQUIRE(static_cast<Eigen::Index>(fold.train.size() + fold.test.size()) == n);
        std::vector<Eigen::Index> all;
        std::merge(fold.train.begin(), fold.train.end(), fold.test.begin(), fold.test.end(),
                   std::back_inserter(all));
        std::vector<Eigen::Index> expected(static_cast<std::size_t>(n));
        std::iota(expected.begin(), expected.end(), Eigen::Index{0});
        CHECK(all == expected);
        for (auto r : fold.test)
            ++seen[static_cast<std::size_t>(r)];
    }
    CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
}

}  // namespace

TEST_CASE("stratified k-fold gives scikit-learn's folds", "[evaluation][k_fold][sklearn]") {
    const auto& cases = mlpipe::test::sklearn_metrics()["stratified_k_fold"];
    REQUIRE(cases.size() == 4);
    for (const auto& c : cases) {
        INFO(c["name"].get<std::string>());
        const auto y = mlpipe::test::indices_of(c["y"]);
        const auto k = c["n_classes"].get<std::size_t>();
        const auto n_splits = c["n_splits"].get<std::size_t>();
        for (const bool shuffle : {false, true}) {
            INFO((shuffle ? "shuffled" : "unshuffled"));
            const auto folds = mlpipe::stratified_k_fold(
                y, k, {.n_splits = n_splits, .shuffle = shuffle, .seed = 3});
            const auto& expected = c[shuffle ? "shuffled" : "unshuffled"];
            REQUIRE(folds.size() == expected.size());
            check_partition(folds, y.size());
            for (std::size_t f = 0; f < folds.size(); ++f) {
                CHECK(folds[f].test.size() == expected[f]["size"].get<std::size_t>());
                CHECK(class_counts(y, folds[f].test, k) ==
                      expected[f]["class_counts"].get<std::vector<std::int64_t>>());
                if (!shuffle) {
                    CHECK(folds[f].test == expected[f]["test"].get<std::vector<Eigen::Index>>());
                }
            }
        }
    }
}

TEST_CASE("the shuffle depends only on the seed", "[evaluation][k_fold]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 97, .n_informative = 3, .n_classes = 3, .seed = 4});
    const auto a = mlpipe::stratified_k_fold(data, {.n_splits = 4, .seed = 11});
    const auto b = mlpipe::stratified_k_fold(data, {.n_splits = 4, .seed = 11});
    const auto c = mlpipe::stratified_k_fold(data, {.n_splits = 4, .seed = 12});
    const auto plain = mlpipe::stratified_k_fold(data, {.n_splits = 4, .shuffle = false});
    bool all_same = true;
    bool unshuffled_same = true;
    for (std::size_t f = 0; f < 4; ++f) {
        CHECK(a[f].test == b[f].test);
        CHECK(a[f].train == b[f].train);
        all_same = all_same && a[f].test == c[f].test;
        unshuffled_same = unshuffled_same && a[f].test == plain[f].test;
        // The seed changes which rows, never how many of each class.
        CHECK(class_counts(data.targets(), a[f].test, 3) ==
              class_counts(data.targets(), c[f].test, 3));
    }
    CHECK_FALSE(all_same);
    CHECK_FALSE(unshuffled_same);
    check_partition(a, data.n_samples());
}

TEST_CASE("stratified k-fold rejects impossible requests and warns about small classes",
          "[evaluation][k_fold]") {
    const mlpipe::class_index_vector y =
        (mlpipe::class_index_vector(7) << 0, 0, 0, 1, 1, 1, 2).finished();
    using mlpipe::test::error_subject;
    CHECK(error_subject([&] { (void)mlpipe::stratified_k_fold(y, 3, {.n_splits = 1}); }) ==
          "n_splits");
    CHECK(error_subject([&] { (void)mlpipe::stratified_k_fold(y, 3, {.n_splits = 8}); }) ==
          "n_splits");
    CHECK(error_subject([&] { (void)mlpipe::stratified_k_fold(y, 3, {.n_splits = 4}); }) ==
          "n_splits");  // every class has fewer than 4 rows
    CHECK(error_subject([&] { (void)mlpipe::stratified_k_fold(y, 2, {.n_splits = 2}); }) ==
          "targets");
    const mlpipe::dataset<double> unlabelled(mlpipe::feature_matrix<double>::Zero(4, 2));
    CHECK(error_subject([&] { (void)mlpipe::stratified_k_fold(unlabelled); }) == "data");

    std::vector<std::string> warnings;
    const auto previous =
        mlpipe::set_log_hook([&](const mlpipe::log_record& r) { warnings.emplace_back(r.message); },
                             mlpipe::log_level::warn);
    const auto folds = mlpipe::stratified_k_fold(y, 3, {.n_splits = 3});
    mlpipe::set_log_hook(previous);
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0], Catch::Contains("only 1 rows"));
    check_partition(folds, 7);
}

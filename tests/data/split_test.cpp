// SPDX-License-Identifier: Apache-2.0
// Tests of data/split.hpp: sizes, stratification, determinism, disjointness, bad input.
#include <algorithm>
#include <set>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/data/split.hpp>
#include <mlpipe/data/synthetic.hpp>

namespace {
mlpipe::dataset<double> imbalanced() {
    // 90 rows of class 0, 30 of class 1, 10 of class 2; feature = row number.
    const Eigen::Index n = 130;
    mlpipe::feature_matrix<double> x(n, 1);
    mlpipe::class_index_vector y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        x(i, 0) = static_cast<double>(i);
        y[i] = i < 90 ? 0 : (i < 120 ? 1 : 2);
    }
    return {x, y, mlpipe::label_map::from_integers({0, 1, 2})};
}
}  // namespace

TEST_CASE("a stratified split keeps each class's share in both parts", "[data][split]") {
    const auto [train, test] =
        mlpipe::train_test_split(imbalanced(), {.test_fraction = 0.2, .seed = 1});
    CHECK(test.n_samples() == 26);
    CHECK(train.n_samples() == 104);
    CHECK(test.class_counts() == std::vector<std::size_t>{18, 6, 2});
    CHECK(train.class_counts() == std::vector<std::size_t>{72, 24, 8});
}

TEST_CASE("the parts are disjoint and cover every row", "[data][split]") {
    const auto data = imbalanced();
    for (bool stratify : {true, false}) {
        const auto parts =
            mlpipe::split_rows(data.n_samples(), data.targets(), data.n_classes(),
                               {.test_fraction = 0.3, .seed = 5, .stratify = stratify});
        std::set<Eigen::Index> all(parts.train.begin(), parts.train.end());
        all.insert(parts.test.begin(), parts.test.end());
        CHECK(all.size() == 130);
        CHECK(parts.train.size() + parts.test.size() == 130);
        CHECK(parts.test.size() == 39);
    }
}

TEST_CASE("the same seed gives the same split, another seed another", "[data][split]") {
    const auto data = imbalanced();
    const auto a = mlpipe::split_rows(data.n_samples(), data.targets(), 3, {.seed = 7});
    const auto b = mlpipe::split_rows(data.n_samples(), data.targets(), 3, {.seed = 7});
    const auto c = mlpipe::split_rows(data.n_samples(), data.targets(), 3, {.seed = 8});
    CHECK(a.test == b.test);
    CHECK(a.train == b.train);
    CHECK(a.test != c.test);
}

TEST_CASE("impossible splits are rejected with a reason", "[data][split]") {
    const auto data = imbalanced();
    CHECK_THROWS_AS(mlpipe::train_test_split(data, {.test_fraction = 0.0}),
                    mlpipe::invalid_input_error);
    CHECK_THROWS_AS(mlpipe::train_test_split(data, {.test_fraction = 1.0}),
                    mlpipe::invalid_input_error);
    mlpipe::feature_matrix<double> x(3, 1);
    x << 1, 2, 3;
    mlpipe::class_index_vector y(3);
    y << 0, 0, 1;  // class 1 has a single row
    const mlpipe::dataset<double> lonely(x, y, mlpipe::label_map::from_integers({0, 1}));
    CHECK_THROWS_WITH(mlpipe::train_test_split(lonely, {.test_fraction = 0.5}),
                      Catch::Matchers::Contains("only one row"));
    CHECK_NOTHROW(mlpipe::train_test_split(lonely, {.test_fraction = 0.5, .stratify = false}));
    const mlpipe::dataset<double> unlabelled(x);
    CHECK_THROWS_AS(mlpipe::train_test_split(unlabelled), mlpipe::invalid_input_error);
    const mlpipe::dataset<double> one(mlpipe::feature_matrix<double>::Zero(1, 1));
    CHECK_THROWS_AS(mlpipe::train_test_split(one, {.stratify = false}),
                    mlpipe::invalid_input_error);
}

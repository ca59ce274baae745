// SPDX-License-Identifier: Apache-2.0
// The four shipped data sets read with the expected shapes, classes and first values.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/data/binary_matrix.hpp>
#include <mlpipe/data/csv.hpp>
#include <mlpipe/data/split.hpp>

#include "test_support.hpp"

TEST_CASE("iris reads as 150 rows, 4 features, 3 string classes", "[data][real]") {
    const auto iris = mlpipe::read_csv(mlpipe::test::data_path("iris.csv"));
    CHECK(iris.n_samples() == 150);
    CHECK(iris.n_features() == 4);
    CHECK(iris.classes().strings() ==
          std::vector<std::string>{"setosa", "versicolor", "virginica"});
    CHECK(iris.class_counts() == std::vector<std::size_t>{50, 50, 50});
    CHECK(iris.feature_names()[0] == "sepal_length");
    CHECK(iris.features()(0, 0) == 5.1);
    CHECK(iris.features()(0, 3) == 0.2);
}

TEST_CASE("wine, breast cancer and digits read with their documented shapes", "[data][real]") {
    struct expected {
        std::string file;
        Eigen::Index rows;
        Eigen::Index features;
        std::size_t classes;
    };
    for (const auto& e :
         {expected{"wine.csv", 178, 13, 3}, expected{"breast_cancer.csv", 569, 30, 2},
          expected{"digits.csv", 1797, 64, 10}}) {
        INFO(e.file);
        const auto data = mlpipe::read_csv<float>(mlpipe::test::data_path(e.file));
        CHECK(data.n_samples() == e.rows);
        CHECK(data.n_features() == e.features);
        CHECK(data.n_classes() == e.classes);
        CHECK(data.features().allFinite());
    }
    const auto digits = mlpipe::read_csv(mlpipe::test::data_path("digits.csv"));
    CHECK(digits.classes().kind() == mlpipe::label_kind::integer);
    CHECK(digits.classes().integers().front() == 0);
    CHECK(digits.classes().integers().back() == 9);
}

TEST_CASE("digits survive CSV -> binary -> dataset unchanged", "[data][real]") {
    const auto digits = mlpipe::read_csv(mlpipe::test::data_path("digits.csv"));
    mlpipe::test::temp_dir dir;
    mlpipe::write_binary_matrix(dir / "digits.bin", digits);
    const auto back = mlpipe::read_binary_matrix(dir / "digits.bin");
    CHECK(back.features() == digits.features());
    CHECK(back.targets() == digits.targets());
    CHECK(back.classes() == digits.classes());
}

TEST_CASE("a stratified split of breast cancer keeps the class ratio", "[data][real]") {
    const auto data = mlpipe::read_csv(mlpipe::test::data_path("breast_cancer.csv"));
    const auto [train, test] = mlpipe::train_test_split(data, {.test_fraction = 0.25, .seed = 0});
    CHECK(train.n_samples() + test.n_samples() == 569);
    const auto counts = test.class_counts();
    const double share = static_cast<double>(counts[0]) / static_cast<double>(test.n_samples());
    const double overall = static_cast<double>(data.class_counts()[0]) / 569.0;
    CHECK(share == Approx(overall).margin(0.01));
}

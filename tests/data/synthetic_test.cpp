// SPDX-License-Identifier: Apache-2.0
// Tests of data/synthetic.hpp: shape, balance, determinism, signal in the informative features,
// and parameter checks that name the parameter.
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/data/synthetic.hpp>

TEST_CASE("make_classification gives the asked shape and balanced classes", "[data][synthetic]") {
    const auto data = mlpipe::make_classification({.n_samples = 1000,
                                                   .n_features = 10,
                                                   .n_informative = 3,
                                                   .n_redundant = 2,
                                                   .n_classes = 4,
                                                   .flip_y = 0.0,
                                                   .seed = 1});
    CHECK(data.n_samples() == 1000);
    CHECK(data.n_features() == 10);
    CHECK(data.classes().integers() == std::vector<std::int64_t>{0, 1, 2, 3});
    for (auto count : data.class_counts())
        CHECK(count == 250);
    CHECK(data.features().allFinite());
}

TEST_CASE("make_classification is deterministic for a seed", "[data][synthetic]") {
    const mlpipe::classification_options options{.n_samples = 200, .seed = 99};
    const auto a = mlpipe::make_classification(options);
    const auto b = mlpipe::make_classification(options);
    CHECK(a.features() == b.features());
    CHECK(a.targets() == b.targets());
    auto other = options;
    other.seed = 100;
    CHECK(mlpipe::make_classification(other).features() != a.features());
}

TEST_CASE("classes are separated in the informative subspace", "[data][synthetic]") {
    // Without shuffling, column 0 is informative and the last column is noise: class means differ
    // by about 2 * class_sep on informative columns and not on noise.
    const auto data = mlpipe::make_classification({.n_samples = 4000,
                                                   .n_features = 5,
                                                   .n_informative = 1,
                                                   .n_redundant = 0,
                                                   .n_clusters_per_class = 1,
                                                   .class_sep = 2.0,
                                                   .flip_y = 0.0,
                                                   .shuffle = false,
                                                   .seed = 3});
    double mean[2][2] = {{0, 0}, {0, 0}};
    double count[2] = {0, 0};
    for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
        const auto c = static_cast<std::size_t>(data.targets()[i]);
        mean[c][0] += data.features()(i, 0);
        mean[c][1] += data.features()(i, 4);
        count[c] += 1;
    }
    const double informative_gap = std::abs(mean[0][0] / count[0] - mean[1][0] / count[1]);
    const double noise_gap = std::abs(mean[0][1] / count[0] - mean[1][1] / count[1]);
    CHECK(informative_gap > 2.0);
    CHECK(noise_gap < 0.2);
}

TEST_CASE("weights set the class proportions and flip_y adds label noise", "[data][synthetic]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 1000, .n_classes = 2, .flip_y = 0.0, .weights = {0.9, 0.1}, .seed = 4});
    CHECK(data.class_counts()[0] == 900);
    const auto noisy = mlpipe::make_classification({.n_samples = 1000, .flip_y = 0.5, .seed = 4});
    CHECK(noisy.class_counts()[0] != 500);
}

TEST_CASE("nonsense parameters are rejected, naming the parameter", "[data][synthetic]") {
    const auto subject_of = [](const mlpipe::classification_options& o) {
        try {
            (void)mlpipe::make_classification(o);
        } catch (const mlpipe::invalid_input_error& e) {
            return e.subject();
        }
        return std::string("no error");
    };
    CHECK(subject_of({.n_samples = 0}) == "n_samples");
    CHECK(subject_of({.n_features = 3, .n_informative = 2, .n_redundant = 2}) == "n_features");
    CHECK(subject_of({.n_informative = 1, .n_classes = 3}) == "n_informative");
    CHECK(subject_of({.n_classes = 1}) == "n_classes");
    CHECK(subject_of({.flip_y = 2.0}) == "flip_y");
    CHECK(subject_of({.weights = {1.0}}) == "weights");
    CHECK(subject_of({.weights = {0.0, 0.0}}) == "weights");
}

TEST_CASE("make_hastie_10_2 labels by the sum of ten squared normals", "[data][synthetic]") {
    const auto data = mlpipe::make_hastie_10_2({.n_samples = 4000, .seed = 3});
    CHECK(data.n_samples() == 4000);
    CHECK(data.n_features() == 10);
    CHECK(data.classes().integers() == std::vector<std::int64_t>{-1, 1});
    const auto& x = data.features();
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const double squares = x.row(i).squaredNorm();
        if (std::abs(squares - 9.34) > 1e-9)  // summation order aside
            REQUIRE(data.targets()[i] == (squares > 9.34 ? 1 : 0));
    }
    // 9.34 is the chi-squared(10) median: the classes are about balanced, the features standard.
    const auto counts = data.class_counts();
    CHECK(std::abs(static_cast<double>(counts[1]) - 2000.0) < 150.0);
    CHECK(std::abs(x.mean()) < 0.05);
    CHECK(std::abs(x.array().square().mean() - 1.0) < 0.05);
    const auto again = mlpipe::make_hastie_10_2({.n_samples = 4000, .seed = 3});
    CHECK(again.features() == x);
    CHECK(mlpipe::make_hastie_10_2({.n_samples = 4000, .seed = 4}).features() != x);
    try {
        (void)mlpipe::make_hastie_10_2({.n_samples = 0});
        FAIL("no error");
    } catch (const mlpipe::invalid_input_error& e) {
        CHECK(e.subject() == "n_samples");
    }
}

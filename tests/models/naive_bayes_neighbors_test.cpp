// SPDX-License-Identifier: Apache-2.0
// Tests of gaussian_naive_bayes and k_nearest_neighbors: scikit-learn's results on the shipped data
// (tests/data/reference/sklearn_other_models.json), single-row paths, bad input.
#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mlpipe/data/csv.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/models/naive_bayes/gaussian_naive_bayes.hpp>
#include <mlpipe/models/neighbors/k_nearest_neighbors.hpp>

#include "standardized.hpp"
#include "test_support.hpp"

static_assert(mlpipe::classifier<mlpipe::gaussian_naive_bayes<double>>);
static_assert(mlpipe::classifier<mlpipe::k_nearest_neighbors<float>>);

namespace {
mlpipe::dataset<double> prepared(const nlohmann::json& c) {
    auto data = mlpipe::read_csv(mlpipe::test::data_path(c["file"]));
    return c["standardize"].get<bool>() ? mlpipe::test::standardized(data) : data;
}

std::vector<Eigen::Index> rows_from(Eigen::Index start, Eigen::Index n) {
    std::vector<Eigen::Index> rows;
    for (Eigen::Index i = start; i < n; i += 2)
        rows.push_back(i);
    return rows;
}

template <class Model>
void check_against(const Model& model, const mlpipe::dataset<double>& query,
                   const nlohmann::json& c, double tolerance) {
    const auto proba = model.predict_proba(query.features());
    const auto expected = c["proba"].get<std::vector<std::vector<double>>>();
    REQUIRE(static_cast<Eigen::Index>(expected.size()) == proba.rows());
    double worst = 0.0;
    for (Eigen::Index i = 0; i < proba.rows(); ++i) {
        for (Eigen::Index k = 0; k < proba.cols(); ++k) {
            worst = std::max(
                worst,
                std::abs(proba(i, k) -
                         expected[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)]));
        }
    }
    CHECK(worst < tolerance);
    const auto predicted = model.predict(query.features());
    const auto expected_predict = c["predict"].get<std::vector<int>>();
    for (Eigen::Index i = 0; i < predicted.size(); ++i)
        CHECK(predicted[i] == expected_predict[static_cast<std::size_t>(i)]);
}
}  // namespace

TEST_CASE("naive Bayes and k-NN agree with scikit-learn on real data",
          "[models][naive_bayes][neighbors][sklearn]") {
    std::ifstream in(mlpipe::test::reference_path("sklearn_other_models.json"));
    REQUIRE(in);
    const auto reference = nlohmann::json::parse(in);
    REQUIRE(reference["cases"].size() == 9);
    for (const auto& c : reference["cases"]) {
        const std::string model_kind = c["model"];
        INFO(model_kind << " on " << c["file"].get<std::string>() << " " << c["params"].dump());
        const auto data = prepared(c);
        const auto train_rows = rows_from(0, data.n_samples());
        const auto query_rows = rows_from(1, data.n_samples());
        const auto train = data.subset(train_rows);
        const auto query = data.subset(query_rows);
        if (model_kind == "gaussian_naive_bayes") {
            mlpipe::gaussian_naive_bayes<double> model;
            (void)model.fit(train);
            const auto means = c["means"].get<std::vector<std::vector<double>>>();
            const auto vars = c["variances"].get<std::vector<std::vector<double>>>();
            for (Eigen::Index k = 0; k < model.means().rows(); ++k) {
                for (Eigen::Index j = 0; j < model.means().cols(); ++j) {
                    const auto kk = static_cast<std::size_t>(k);
                    const auto jj = static_cast<std::size_t>(j);
                    CHECK(model.means()(k, j) ==
                          Approx(means[kk][jj]).epsilon(1e-12).margin(1e-12));
                    CHECK(model.variances()(k, j) == Approx(vars[kk][jj]).epsilon(1e-10));
                }
            }
            check_against(model, query, c, 1e-9);
        } else {
            const auto k = c["params"]["k"].get<Eigen::Index>();
            const auto weights = c["params"]["weights"] == "distance"
                                     ? mlpipe::neighbor_weighting::distance
                                     : mlpipe::neighbor_weighting::uniform;
            mlpipe::k_nearest_neighbors<double> model(
                {.k = k, .weights = weights, .batch_rows = 16});
            (void)model.fit(train);
            check_against(model, query, c, 1e-9);
        }
    }
}

TEST_CASE("single-row paths agree with batch prediction", "[models][naive_bayes][neighbors]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 200, .n_features = 5, .n_informative = 3, .n_classes = 3, .seed = 6});
    mlpipe::gaussian_naive_bayes<double> nb;
    mlpipe::k_nearest_neighbors<double> knn(
        {.k = 4, .weights = mlpipe::neighbor_weighting::distance});
    (void)nb.fit(data);
    (void)knn.fit(data.subset(rows_from(0, 200)));
    const auto nb_batch = nb.predict_proba(data.features());
    const auto knn_batch = knn.predict_proba(data.features());
    std::vector<double> out(3);
    for (Eigen::Index i = 0; i < 200; ++i) {
        const std::span<const double> row(data.features().row(i).data(), 5);
        nb.predict_proba_row(row, out);
        for (Eigen::Index k = 0; k < 3; ++k)
            REQUIRE(out[static_cast<std::size_t>(k)] == nb_batch(i, k));
        knn.predict_proba_row(row, out);
        for (Eigen::Index k = 0; k < 3; ++k)
            REQUIRE(out[static_cast<std::size_t>(k)] == Approx(knn_batch(i, k)).margin(1e-12));
    }
}

TEST_CASE("k-NN with distance weights gives a training point's own class to its exact copy",
          "[models][neighbors]") {
    const auto data = mlpipe::make_classification({.n_samples = 50,
                                                   .n_features = 3,
                                                   .n_informative = 2,
                                                   .n_redundant = 0,
                                                   .flip_y = 0.3,
                                                   .seed = 2});
    mlpipe::k_nearest_neighbors<double> knn(
        {.k = 5, .weights = mlpipe::neighbor_weighting::distance});
    (void)knn.fit(data);
    CHECK(knn.predict(data.features()) == data.targets());
}

TEST_CASE("naive Bayes and k-NN reject bad input with typed errors",
          "[models][naive_bayes][neighbors]") {
    CHECK_THROWS_AS(mlpipe::k_nearest_neighbors<double>({.k = 0}), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(mlpipe::gaussian_naive_bayes<double>({.var_smoothing = -1.0}),
                    mlpipe::invalid_input_error);
    const auto data = mlpipe::make_classification(
        {.n_samples = 10, .n_features = 3, .n_informative = 2, .n_redundant = 0, .seed = 2});
    mlpipe::k_nearest_neighbors<double> big({.k = 11});
    CHECK_THROWS_WITH(big.fit(data), Catch::Matchers::Contains("exceeds the 10 training rows"));
    mlpipe::gaussian_naive_bayes<double> priors({.priors = {0.5, 0.6}});
    CHECK_THROWS_AS(priors.fit(data), mlpipe::invalid_input_error);
    mlpipe::gaussian_naive_bayes<double> nb;
    CHECK_THROWS_AS(nb.predict(data.features()), mlpipe::not_fitted_error);
    (void)nb.fit(data);
    CHECK_THROWS_AS(nb.predict(mlpipe::feature_matrix<double>::Zero(1, 2)),
                    mlpipe::invalid_input_error);
    mlpipe::feature_matrix<double> x = data.features();
    x(0, 0) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(nb.predict(x), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(nb.fit({x, data.targets(), data.classes()}), mlpipe::invalid_input_error);
}

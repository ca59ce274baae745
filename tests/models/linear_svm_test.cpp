// SPDX-License-Identifier: Apache-2.0
// Tests of models/linear/linear_svm.hpp: liblinear's solution (scikit-learn's LinearSVC, reference
// in tests/data/reference/sklearn_linear_svm.json), determinism, Platt probabilities, bad input.
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mlpipe/data/csv.hpp>
#include <mlpipe/data/split.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/models/linear/linear_svm.hpp>

#include "standardized.hpp"
#include "test_support.hpp"

using mlpipe::linear_svm;
using mlpipe::test::standardized;

static_assert(mlpipe::classifier<linear_svm<double>>);

TEST_CASE("linear_svm reaches liblinear's solution", "[models][linear][svm][sklearn]") {
    std::ifstream in(mlpipe::test::reference_path("sklearn_linear_svm.json"));
    REQUIRE(in);
    const auto reference = nlohmann::json::parse(in);
    REQUIRE(reference["cases"].size() == 4);
    for (const auto& c : reference["cases"]) {
        INFO(c["file"].get<std::string>() << " " << c["params"].dump());
        const auto data = standardized(mlpipe::read_csv(mlpipe::test::data_path(c["file"])));
        linear_svm<double> model({.C = c["params"]["C"].get<double>(),
                                  .loss = c["params"]["loss"] == "hinge"
                                              ? mlpipe::svm_loss::hinge
                                              : mlpipe::svm_loss::squared_hinge,
                                  .max_iter = 200000,
                                  .tol = 1e-10});
        const auto report = model.fit(data);
        CHECK(report.converged());
        const auto coef = c["coef"].get<std::vector<std::vector<double>>>();
        const auto intercept = c["intercept"].get<std::vector<double>>();
        REQUIRE(static_cast<Eigen::Index>(coef.size()) == model.coefficients().rows());
        double scale = 0.0;
        double worst = 0.0;
        for (std::size_t k = 0; k < coef.size(); ++k) {
            for (std::size_t j = 0; j < coef[k].size(); ++j) {
                scale = std::max(scale, std::abs(coef[k][j]));
                worst =
                    std::max(worst, std::abs(model.coefficients()(static_cast<Eigen::Index>(k),
                                                                  static_cast<Eigen::Index>(j)) -
                                             coef[k][j]));
            }
            worst = std::max(
                worst, std::abs(model.intercepts()[static_cast<Eigen::Index>(k)] - intercept[k]));
        }
        CHECK(worst / scale < 1e-4);
        const auto predicted = model.predict(data.features());
        const auto expected = c["predict"].get<std::vector<int>>();
        Eigen::Index same = 0;
        for (Eigen::Index i = 0; i < predicted.size(); ++i)
            same += predicted[i] == expected[static_cast<std::size_t>(i)] ? 1 : 0;
        CHECK(same >= predicted.size() - 1);  // a point on the margin may fall either way
    }
}

TEST_CASE("linear_svm is deterministic for a seed", "[models][linear][svm]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 300, .n_informative = 3, .n_classes = 3, .seed = 1});
    linear_svm<double> a({.seed = 4});
    linear_svm<double> b({.seed = 4});
    (void)a.fit(data);
    (void)b.fit(data);
    CHECK(a.coefficients() == b.coefficients());
    CHECK(a.intercepts() == b.intercepts());
}

TEST_CASE("Platt scaling gives calibrated, ordered probabilities", "[models][linear][svm]") {
    const auto data = standardized(mlpipe::read_csv(mlpipe::test::data_path("breast_cancer.csv")));
    const auto [train, test] = mlpipe::train_test_split(data, {.seed = 2});
    linear_svm<double> model({.C = 0.1, .probability = true});
    (void)model.fit(train);
    const auto p = model.predict_proba(test.features());
    const auto z = model.decision_function(test.features());
    double log_loss = 0.0;
    for (Eigen::Index i = 0; i < test.n_samples(); ++i) {
        REQUIRE(p(i, 0) + p(i, 1) == Approx(1.0));
        CHECK((z(i, 0) > 0) == (p(i, 1) > 0.5));  // Platt's A is negative: monotone in the score
        log_loss -= std::log(std::max(p(i, test.targets()[i]), 1e-15));
    }
    log_loss /= static_cast<double>(test.n_samples());
    CHECK(log_loss < 0.2);  // uniform guessing scores log(2) = 0.69
    std::vector<double> out(2);
    model.predict_proba_row(std::span<const double>(test.features().row(0).data(), 30), out);
    CHECK(out[1] == p(0, 1));

    const auto wine = standardized(mlpipe::read_csv(mlpipe::test::data_path("wine.csv")));
    linear_svm<double> multi({.probability = true});
    (void)multi.fit(wine);
    const auto pm = multi.predict_proba(wine.features());
    CHECK((pm.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
}

TEST_CASE("linear_svm rejects bad input with typed errors", "[models][linear][svm]") {
    CHECK_THROWS_AS(linear_svm<double>({.C = 0.0}), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(linear_svm<double>({.max_iter = 0}), mlpipe::invalid_input_error);
    const auto data = mlpipe::make_classification({.n_samples = 40, .n_features = 4, .seed = 3});
    linear_svm<double> model;
    CHECK_THROWS_AS(model.predict(data.features()), mlpipe::not_fitted_error);
    (void)model.fit(data);
    CHECK_THROWS_WITH(model.predict_proba(data.features()),
                      Catch::Matchers::Contains("probability = true"));
    CHECK_THROWS_AS(model.predict(mlpipe::feature_matrix<double>::Zero(1, 3)),
                    mlpipe::invalid_input_error);
    linear_svm<double> weighted({.class_weights = {1.0, 2.0, 3.0}});
    CHECK_THROWS_AS(weighted.fit(data), mlpipe::invalid_input_error);
    linear_svm<double> limited({.max_iter = 1, .tol = 1e-12});
    CHECK(limited.fit(data).status == mlpipe::fit_status::max_iterations);
}

TEST_CASE("the primal and dual solvers reach the same squared-hinge solution",
          "[models][linear][svm]") {
    const auto data = standardized(mlpipe::read_csv(mlpipe::test::data_path("wine.csv")));
    linear_svm<double> primal(
        {.C = 0.5, .solver = mlpipe::svm_solver::primal, .max_iter = 100000, .tol = 1e-10});
    linear_svm<double> dual(
        {.C = 0.5, .solver = mlpipe::svm_solver::dual, .max_iter = 100000, .tol = 1e-10});
    CHECK(primal.fit(data).converged());
    CHECK(dual.fit(data).converged());
    const double scale = dual.coefficients().cwiseAbs().maxCoeff();
    CHECK((primal.coefficients() - dual.coefficients()).cwiseAbs().maxCoeff() / scale < 1e-5);
    CHECK((primal.intercepts() - dual.intercepts()).cwiseAbs().maxCoeff() / scale < 1e-5);
    CHECK_THROWS_AS(
        linear_svm<double>({.loss = mlpipe::svm_loss::hinge, .solver = mlpipe::svm_solver::primal}),
        mlpipe::invalid_input_error);
}

// SPDX-License-Identifier: Apache-2.0
// Tests of models/hyperparameters.hpp and every params struct's JSON form: round trips, and typed
// errors naming the field for unknown keys, wrong types and unknown enum names.
#include <functional>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mlpipe/models.hpp>
#include <mlpipe/preprocessing.hpp>

using nlohmann::json;

namespace {
template <class Params>
void check_round_trip(const Params& changed) {
    const json j = changed.to_json();
    CHECK(Params::from_json(j).to_json() == j);
    CHECK(Params::from_json(json::object()).to_json() ==
          Params{}.to_json());  // absent keys: defaults
}

std::string subject_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const mlpipe::invalid_input_error& e) {
        return e.subject();
    }
    return "no error";
}
}  // namespace

TEST_CASE("every params struct round-trips through JSON", "[models][hyperparameters]") {
    check_round_trip(
        mlpipe::logistic_regression_params{.C = 0.5,
                                           .fit_intercept = false,
                                           .max_iter = 7,
                                           .tol = 1e-6,
                                           .class_weight = mlpipe::class_weighting::balanced});
    check_round_trip(mlpipe::linear_svm_params{.C = 2.0,
                                               .loss = mlpipe::svm_loss::hinge,
                                               .solver = mlpipe::svm_solver::dual,
                                               .class_weights = {1.0, 2.0},
                                               .probability = true,
                                               .seed = 9});
    check_round_trip(
        mlpipe::gaussian_naive_bayes_params{.var_smoothing = 1e-6, .priors = {0.3, 0.7}});
    check_round_trip(mlpipe::k_nearest_neighbors_params{
        .k = 3, .weights = mlpipe::neighbor_weighting::distance});
    check_round_trip(mlpipe::standard_scaler_params{.with_mean = false});
    check_round_trip(mlpipe::min_max_scaler_params{.range_min = -1.0, .clip = true});
    check_round_trip(mlpipe::simple_imputer_params{.strategy = mlpipe::impute_strategy::median,
                                                   .fill_value = 2.0});
    check_round_trip(mlpipe::one_hot_encoder_params{
        .columns = {"a", "b"}, .handle_unknown = mlpipe::unknown_category::ignore});
    const auto p = mlpipe::logistic_regression_params::from_json(
        json::parse(R"({"C": 3, "class_weight": "balanced"})"));
    CHECK(p.C == 3.0);
    CHECK(p.class_weight == mlpipe::class_weighting::balanced);
}

TEST_CASE("bad hyperparameters are typed errors naming the field", "[models][hyperparameters]") {
    using mlpipe::logistic_regression_params;
    CHECK(subject_of([] {
              (void)logistic_regression_params::from_json(json::parse(R"({"c": 1})"));
          }) == "logistic_regression.c");
    CHECK(subject_of([] {
              (void)logistic_regression_params::from_json(json::parse(R"({"C": "big"})"));
          }) == "logistic_regression.C");
    CHECK(subject_of([] {
              (void)logistic_regression_params::from_json(json::parse(R"({"max_iter": 1.5})"));
          }) == "logistic_regression.max_iter");
    CHECK(subject_of([] {
              (void)logistic_regression_params::from_json(
                  json::parse(R"({"class_weight": "fair"})"));
          }) == "logistic_regression.class_weight");
    CHECK(subject_of([] { (void)logistic_regression_params::from_json(json::parse("[1, 2]")); }) ==
          "logistic_regression");
    CHECK(subject_of([] {
              (void)mlpipe::linear_svm_params::from_json(
                  json::parse(R"({"calibration_folds": -1})"));
          }) == "linear_svm.calibration_folds");
    CHECK(subject_of([] {
              (void)mlpipe::k_nearest_neighbors_params::from_json(json::parse(R"({"k": true})"));
          }) == "k_nearest_neighbors.k");
    CHECK_THROWS_WITH(
        logistic_regression_params::from_json(json::parse(R"({"class_weight": "fair"})")),
        Catch::Matchers::Contains("not one of: none, balanced"));
}

// SPDX-License-Identifier: Apache-2.0
// Tests of evaluation/grid_search.hpp: grid expansion in scikit-learn's order, scikit-learn's
// GridSearchCV scores, ranks and choice for logistic regression, thread-count independence, ties,
// stopping, bad grids and hyperparameters.
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/evaluation/grid_search.hpp>
#include <mlpipe/evaluation/stratified_k_fold.hpp>

#include "factories.hpp"
#include "reference.hpp"

using mlpipe::test::error_subject;
using nlohmann::json;

namespace {

const auto logistic_with = [](const json& hyperparameters) {
    return mlpipe::test::make_logistic(hyperparameters, mlpipe::test::tight_params());
};

}  // namespace

static_assert(mlpipe::parametrized_model_factory<decltype(logistic_with)>);

TEST_CASE("grids expand in scikit-learn's ParameterGrid order", "[evaluation][grid]") {
    // Names sorted byte-wise ("C" < "a" < "b"), the last varying fastest.
    const auto candidates =
        mlpipe::expand_grid(json::parse(R"({"b": ["x"], "a": [true, false], "C": [1, 2]})"));
    const std::vector<json> expected = {json::parse(R"({"C": 1, "a": true, "b": "x"})"),
                                        json::parse(R"({"C": 1, "a": false, "b": "x"})"),
                                        json::parse(R"({"C": 2, "a": true, "b": "x"})"),
                                        json::parse(R"({"C": 2, "a": false, "b": "x"})")};
    CHECK(candidates == expected);
    // A list of grids: one after the other; an empty grid is one candidate of defaults.
    const auto listed = mlpipe::expand_grid(json::parse(R"([{"C": [1, 2]}, {}, {"tol": [0.1]}])"));
    REQUIRE(listed.size() == 4);
    CHECK(listed[1] == json::parse(R"({"C": 2})"));
    CHECK(listed[2] == json::object());
    CHECK(listed[3] == json::parse(R"({"tol": 0.1})"));
    for (const char* bad : {R"({"C": 1})", R"({"C": []})", R"(3)", R"([])", R"([{"C": [1]}, 2])"})
        CHECK(error_subject([&] { (void)mlpipe::expand_grid(json::parse(bad)); }) == "grid");
}

TEST_CASE("grid_search matches scikit-learn's GridSearchCV", "[evaluation][grid][sklearn]") {
    const auto& reference = mlpipe::test::sklearn_metrics()["grid_search"];
    const auto data = mlpipe::test::load_set(reference["file"], reference["standardize"]);
    const auto folds = mlpipe::stratified_k_fold(
        data, {.n_splits = reference["n_splits"].get<std::size_t>(), .shuffle = false});
    const auto result =
        mlpipe::grid_search(logistic_with, reference["grid"], data, folds,
                            mlpipe::make_scorers({"accuracy", "neg_log_loss"}), {.threads = 2});
    REQUIRE(result.status == mlpipe::evaluation_status::complete);
    REQUIRE(result.candidates.size() == reference["params"].size());
    for (std::size_t c = 0; c < result.candidates.size(); ++c) {
        INFO("candidate " << c);
        const auto& candidate = result.candidates[c];
        CHECK(candidate.params == reference["params"][c]);
        CHECK(candidate.mean_scores[0] ==
              Approx(reference["mean_test_score"][c].get<double>()).margin(1e-12));
        CHECK(candidate.std_scores[0] ==
              Approx(reference["std_test_score"][c].get<double>()).margin(1e-12));
        CHECK(candidate.rank == reference["rank_test_score"][c].get<std::size_t>());
        CHECK(candidate.cv.folds.size() == 5);
        CHECK(candidate.mean_fit_seconds >= 0.0);
    }
    REQUIRE(result.best_index.has_value());
    CHECK(*result.best_index == reference["best_index"].get<std::size_t>());
    CHECK(result.best_params == reference["best_params"]);
    CHECK(result.best_score == result.candidates[*result.best_index].mean_scores[0]);
    // The best refitted on all the data, with its hyperparameters.
    REQUIRE(result.best_model.has_value());
    REQUIRE(result.refit_report.has_value());
    CHECK(result.refit_report->converged());
    CHECK(result.best_model->params().C == reference["best_params"]["C"].get<double>());
    auto direct = logistic_with(reference["best_params"]);
    (void)direct.fit(data);
    CHECK(result.best_model->coefficients() == direct.coefficients());

    // Selecting by another scorer: neg_log_loss prefers another C here, still the argmax.
    const auto by_loss = mlpipe::grid_search(logistic_with, reference["grid"], data, folds,
                                             mlpipe::make_scorers({"accuracy", "neg_log_loss"}), {},
                                             {.select_by = "neg_log_loss", .refit = false});
    REQUIRE(by_loss.best_index.has_value());
    CHECK(by_loss.selection_scorer == 1);
    CHECK_FALSE(by_loss.best_model.has_value());
    for (const auto& candidate : by_loss.candidates)
        CHECK(candidate.mean_scores[1] <= by_loss.best_score);
    CHECK(by_loss.candidates[*by_loss.best_index].rank == 1);
}

TEST_CASE("grid_search results do not depend on the thread count", "[evaluation][grid]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 150, .n_features = 6, .n_informative = 3, .n_classes = 3, .seed = 12});
    const auto folds = mlpipe::stratified_k_fold(data, {.n_splits = 3, .seed = 5});
    const json grid = json::parse(R"({"C": [0.05, 1.0], "fit_intercept": [true, false]})");
    const auto scorers = mlpipe::make_scorers({"neg_log_loss", "f1_macro"});
    const auto one = mlpipe::grid_search(logistic_with, grid, data, folds, scorers, {.threads = 1});
    const auto two = mlpipe::grid_search(logistic_with, grid, data, folds, scorers, {.threads = 2});
    const auto many =
        mlpipe::grid_search(logistic_with, grid, data, folds, scorers, {.threads = 5});
    REQUIRE(one.candidates.size() == 4);
    for (const auto* other : {&two, &many}) {
        REQUIRE(other->candidates.size() == 4);
        for (std::size_t c = 0; c < 4; ++c) {
            CHECK(other->candidates[c].mean_scores == one.candidates[c].mean_scores);
            CHECK(other->candidates[c].rank == one.candidates[c].rank);
        }
        CHECK(other->best_index == one.best_index);
        CHECK(other->best_model->coefficients() == one.best_model->coefficients());
    }
}

TEST_CASE("grid_search ties go to the first candidate", "[evaluation][grid]") {
    const auto data = mlpipe::make_classification({.n_samples = 60, .n_features = 4, .seed = 7});
    const auto folds = mlpipe::stratified_k_fold(data, {.n_splits = 3});
    const mlpipe::scorer constant{"constant", false,
                                  [](const mlpipe::scoring_input&) { return 0.5; }};
    const auto result = mlpipe::grid_search(logistic_with, json::parse(R"({"C": [3, 2, 1]})"), data,
                                            folds, {constant});
    REQUIRE(result.best_index.has_value());
    CHECK(*result.best_index == 0);
    CHECK(result.best_params == json::parse(R"({"C": 3})"));
    for (const auto& candidate : result.candidates)
        CHECK(candidate.rank == 1);
}

TEST_CASE("grid_search stops on request and rejects bad hyperparameters before fitting",
          "[evaluation][grid]") {
    const auto data = mlpipe::make_classification({.n_samples = 80, .n_features = 4, .seed = 1});
    const auto folds = mlpipe::stratified_k_fold(data, {.n_splits = 4});
    const auto scorers = mlpipe::make_scorers({"accuracy"});
    const json grid = json::parse(R"({"C": [0.1, 1, 10]})");
    // Stop after 5 of the 12 fits, one thread: candidate 0 is complete, the others are not.
    const auto stopped =
        mlpipe::grid_search(logistic_with, grid, data, folds, scorers,
                            {.on_progress = [](const mlpipe::progress& p) { return p.step < 5; }});
    CHECK(stopped.status == mlpipe::evaluation_status::stopped_by_callback);
    CHECK(stopped.candidates[0].cv.status == mlpipe::evaluation_status::complete);
    CHECK(stopped.candidates[0].rank == 1);
    CHECK(stopped.candidates[1].cv.status == mlpipe::evaluation_status::stopped_by_callback);
    CHECK(stopped.candidates[1].rank == 0);
    REQUIRE(stopped.best_index.has_value());
    CHECK(*stopped.best_index == 0);
    CHECK_FALSE(stopped.best_model.has_value());  // no refit after a stop

    const auto timed_out = mlpipe::grid_search(logistic_with, grid, data, folds, scorers,
                                               {.time_limit = std::chrono::seconds(0)});
    CHECK(timed_out.status == mlpipe::evaluation_status::time_limit);
    CHECK_FALSE(timed_out.best_index.has_value());
    CHECK(timed_out.best_params.is_null());

    int fits = 0;
    const auto counting = [&fits](const json& p) {
        ++fits;
        return mlpipe::test::make_logistic(p);
    };
    CHECK(error_subject([&] {
              (void)mlpipe::grid_search(counting,
                                        json::parse(R"({"C": [1, 2], "penalty": ["l1"]})"), data,
                                        folds, scorers);
          }) == "penalty");
    CHECK(fits == 1);  // the factory threw on the first candidate, before any fit
    CHECK(error_subject([&] {
              (void)mlpipe::grid_search(logistic_with, json::parse(R"({"C": [1, -1]})"), data,
                                        folds, scorers);
          }) == "C");
    CHECK(error_subject([&] {
              (void)mlpipe::grid_search(logistic_with, grid, data, folds, scorers, {},
                                        {.select_by = "f1"});
          }) == "select_by");
}

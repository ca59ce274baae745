// SPDX-License-Identifier: Apache-2.0
// Tests of evaluation/cross_validate.hpp and scorer.hpp: scikit-learn's per-fold scores for
// logistic regression on iris, the same results at any thread count, progress, stopping, the time
// limit, errors from fits and factories, bad input.
#include <atomic>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/evaluation/cross_validate.hpp>
#include <mlpipe/evaluation/stratified_k_fold.hpp>

#include "factories.hpp"
#include "reference.hpp"

using mlpipe::test::error_subject;

namespace {

const auto logistic = [] {
    return mlpipe::test::make_logistic(nlohmann::json::object(), mlpipe::test::tight_params());
};

std::size_t completed(const mlpipe::cross_validation_result& r) {
    std::size_t n = 0;
    for (const auto& f : r.folds)
        n += f.completed ? 1 : 0;
    return n;
}

}  // namespace

static_assert(mlpipe::model_factory<decltype(logistic)>);

TEST_CASE("cross_validate gives scikit-learn's per-fold scores", "[evaluation][cv][sklearn]") {
    const auto& reference = mlpipe::test::sklearn_metrics()["cross_validate"];
    const auto data = mlpipe::test::load_set(reference["file"], reference["standardize"]);
    const auto folds = mlpipe::stratified_k_fold(
        data, {.n_splits = reference["n_splits"].get<std::size_t>(), .shuffle = false});
    const auto scorers =
        mlpipe::make_scorers({"accuracy", "neg_log_loss", "f1_macro", "roc_auc_ovr"});
    const auto result = mlpipe::cross_validate(logistic, data, folds, scorers);
    REQUIRE(result.status == mlpipe::evaluation_status::complete);
    REQUIRE(result.folds.size() == 5);
    CHECK(result.scorer_names ==
          std::vector<std::string>{"accuracy", "neg_log_loss", "f1_macro", "roc_auc_ovr"});
    const auto& expected = reference["scores"];
    for (std::size_t f = 0; f < 5; ++f) {
        INFO("fold " << f);
        const auto& fold = result.folds[f];
        CHECK(fold.completed);
        CHECK(fold.fit.converged());
        CHECK(fold.fit_seconds >= 0.0);
        CHECK(fold.score_seconds >= 0.0);
        CHECK(fold.scores[0] == expected["accuracy"][f].get<double>());
        // scikit-learn's lbfgs stops on a relative decrease of the loss, ~1e-5 short of the
        // optimum in held-out log loss; the exact optimum's (Newton from its solution) is 1e-6.
        CHECK(fold.scores[1] == Approx(expected["neg_log_loss"][f].get<double>()).epsilon(5e-5));
        CHECK(fold.scores[1] ==
              Approx(reference["exact_neg_log_loss"][f].get<double>()).epsilon(1e-6));
        CHECK(fold.scores[2] == Approx(expected["f1_macro"][f].get<double>()).margin(1e-12));
        CHECK(fold.scores[3] == Approx(expected["roc_auc_ovr"][f].get<double>()).margin(1e-12));
    }
    const auto accuracy = expected["accuracy"].get<std::vector<double>>();
    double mean = 0.0;
    for (double a : accuracy)
        mean += a / 5.0;
    CHECK(result.mean("accuracy") == Approx(mean).margin(1e-12));
    CHECK(result.scores("accuracy") == accuracy);
    CHECK(result.std_dev("accuracy") >= 0.0);
    CHECK(error_subject([&] { (void)result.mean("f1"); }) == "scorer");
}

TEST_CASE("cross_validate results do not depend on the thread count", "[evaluation][cv]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 240, .n_features = 8, .n_informative = 4, .n_classes = 3, .seed = 6});
    const auto folds = mlpipe::stratified_k_fold(data, {.n_splits = 5, .seed = 2});
    const auto scorers = mlpipe::make_scorers({"accuracy", "neg_log_loss", "roc_auc_ovr_weighted"});
    const auto run = [&](unsigned threads) {
        return mlpipe::cross_validate(logistic, data, folds, scorers, {.threads = threads});
    };
    const auto one = run(1);
    for (unsigned threads : {2u, 3u, 8u}) {
        INFO("threads " << threads);
        const auto other = run(threads);
        REQUIRE(other.folds.size() == one.folds.size());
        for (std::size_t f = 0; f < one.folds.size(); ++f) {
            CHECK(other.folds[f].scores == one.folds[f].scores);
            CHECK(other.folds[f].fit.iterations == one.folds[f].fit.iterations);
            CHECK(other.folds[f].fit.final_loss == one.folds[f].fit.final_loss);
        }
    }
}

TEST_CASE("cross_validate works with any classifier and custom scorers", "[evaluation][cv]") {
    const auto data = mlpipe::make_classification<float>({.n_samples = 90,
                                                          .n_features = 3,
                                                          .n_informative = 2,
                                                          .n_redundant = 0,
                                                          .n_clusters_per_class = 1,
                                                          .class_sep = 2.0,
                                                          .weights = {0.7, 0.3},
                                                          .seed = 1});
    const auto folds = mlpipe::stratified_k_fold(data, {.n_splits = 3});
    // Scorers run on worker threads, where Catch2 cannot assert: count what they saw instead.
    std::atomic<int> calls{0};
    std::atomic<int> well_formed{0};
    const mlpipe::scorer rows{"test_rows", true, [&](const mlpipe::scoring_input& in) {
                                  ++calls;
                                  if (in.proba != nullptr && in.proba->rows() == in.y_true.size() &&
                                      in.proba->cols() == 2 && in.n_classes == 2)
                                      ++well_formed;
                                  return static_cast<double>(in.y_true.size());
                              }};
    auto scorers = mlpipe::make_scorers({"accuracy", "balanced_accuracy"});
    scorers.push_back(rows);
    const auto result = mlpipe::cross_validate([] { return mlpipe::test::majority_classifier{}; },
                                               data, folds, scorers, {.threads = 2});
    CHECK(calls.load() == 3);
    CHECK(well_formed.load() == 3);
    double rows_total = 0.0;
    for (const auto& fold : result.folds) {
        CHECK(fold.scores[1] == Approx(0.5));  // always the same class: balanced accuracy 1/2
        rows_total += fold.scores[2];
    }
    CHECK(rows_total == 90.0);
    // A float model too.
    const auto lr = mlpipe::cross_validate(
        [] { return mlpipe::test::make_logistic<float>(nlohmann::json::object()); }, data, folds,
        mlpipe::make_scorers({"roc_auc", "f1", "neg_log_loss"}));
    CHECK(lr.status == mlpipe::evaluation_status::complete);
    CHECK(lr.mean("roc_auc") > 0.5);
    CHECK(lr.mean("neg_log_loss") < 0.0);
}

TEST_CASE("cross_validate reports each fold and stops when the callback says so",
          "[evaluation][cv]") {
    const auto data = mlpipe::make_classification({.n_samples = 150, .n_features = 5, .seed = 3});
    const auto folds = mlpipe::stratified_k_fold(data, {.n_splits = 5});
    const auto scorers = mlpipe::make_scorers({"accuracy"});
    // The callback may run on a worker thread (never two at once): record, check afterwards.
    std::mutex mutex;
    std::vector<std::int64_t> steps;
    std::vector<mlpipe::progress> reports;
    const auto record = [&](const mlpipe::progress& p) {
        std::lock_guard lock(mutex);
        steps.push_back(p.step);
        reports.push_back(p);
        return true;
    };
    for (unsigned threads : {1u, 2u}) {
        steps.clear();
        reports.clear();
        const auto result = mlpipe::cross_validate(logistic, data, folds, scorers,
                                                   {.on_progress = record, .threads = threads});
        CHECK(result.status == mlpipe::evaluation_status::complete);
        CHECK(steps == std::vector<std::int64_t>{1, 2, 3, 4, 5});  // never concurrently
        for (const auto& p : reports) {
            CHECK(p.stage == "fold");
            CHECK(p.steps == 5);
            CHECK(std::isnan(p.loss));
        }
    }

    const auto stop_after_two = [](const mlpipe::progress& p) { return p.step < 2; };
    const auto serial =
        mlpipe::cross_validate(logistic, data, folds, scorers, {.on_progress = stop_after_two});
    CHECK(serial.status == mlpipe::evaluation_status::stopped_by_callback);
    CHECK(completed(serial) == 2);
    CHECK(serial.folds[0].completed);
    CHECK(serial.folds[1].completed);
    CHECK(std::isnan(serial.folds[4].scores[0]));
    CHECK(serial.scores("accuracy").size() == 2);

    const auto parallel = mlpipe::cross_validate(logistic, data, folds, scorers,
                                                 {.on_progress = stop_after_two, .threads = 2});
    CHECK(parallel.status == mlpipe::evaluation_status::stopped_by_callback);
    CHECK(completed(parallel) >= 2);
    CHECK(completed(parallel) <= 4);  // a fold still running may finish; fold 5 never starts

    const auto no_time = mlpipe::cross_validate(logistic, data, folds, scorers,
                                                {.time_limit = std::chrono::seconds(0)});
    CHECK(no_time.status == mlpipe::evaluation_status::time_limit);
    CHECK(completed(no_time) == 0);
    CHECK(std::isnan(no_time.mean("accuracy")));
}

TEST_CASE("errors of fits, factories and scorers reach the caller", "[evaluation][cv]") {
    const auto data = mlpipe::make_classification({.n_samples = 40, .n_features = 4, .seed = 9});
    auto folds = mlpipe::stratified_k_fold(data, {.n_splits = 4});
    const auto scorers = mlpipe::make_scorers({"accuracy"});
    // Fold 2 trains on rows of class 0 only: logistic_regression refuses a single class.
    std::vector<Eigen::Index> zeros;
    for (Eigen::Index i = 0; i < data.n_samples(); ++i)
        if (data.targets()[i] == 0) zeros.push_back(i);
    folds[2].train = zeros;
    for (unsigned threads : {1u, 2u}) {
        INFO("threads " << threads);
        try {
            (void)mlpipe::cross_validate(logistic, data, folds, scorers, {.threads = threads});
            FAIL("no error");
        } catch (const mlpipe::invalid_input_error& e) {
            CHECK_THAT(e.what(), Catch::Contains("single class"));
        }
    }
    int made = 0;
    const auto failing_factory = [&made] {
        if (++made == 3) throw std::runtime_error("factory failed");
        return mlpipe::logistic_regression<double>{};
    };
    CHECK_THROWS_WITH(
        mlpipe::cross_validate(failing_factory, data,
                               mlpipe::stratified_k_fold(data, {.n_splits = 4}), scorers),
        "factory failed");
    const mlpipe::scorer throwing{"boom", false, [](const mlpipe::scoring_input&) -> double {
                                      throw std::logic_error("scorer failed");
                                  }};
    CHECK_THROWS_WITH(
        mlpipe::cross_validate(logistic, data, mlpipe::stratified_k_fold(data, {.n_splits = 4}),
                               {throwing}, {.threads = 2}),
        "scorer failed");
}

TEST_CASE("cross_validate rejects bad folds and scorers", "[evaluation][cv]") {
    const auto data = mlpipe::make_classification({.n_samples = 30, .n_features = 5, .seed = 2});
    const auto folds = mlpipe::stratified_k_fold(data, {.n_splits = 3});
    const auto scorers = mlpipe::make_scorers({"accuracy"});
    const auto attempt = [&](const std::vector<mlpipe::split_indices>& f,
                             const std::vector<mlpipe::scorer>& s) {
        return error_subject([&] { (void)mlpipe::cross_validate(logistic, data, f, s); });
    };
    CHECK(attempt({}, scorers) == "folds");
    auto empty_test = folds;
    empty_test[1].test.clear();
    CHECK(attempt(empty_test, scorers) == "folds");
    auto outside = folds;
    outside[0].test.push_back(30);
    CHECK(attempt(outside, scorers) == "folds");
    CHECK(attempt(folds, {}) == "scorers");
    CHECK(attempt(folds, mlpipe::make_scorers({"accuracy", "accuracy"})) == "scorers");
    CHECK(attempt(folds, {mlpipe::scorer{"nothing", false, {}}}) == "scorers");
    CHECK(error_subject([] { (void)mlpipe::make_scorer("accuracy_macro"); }) == "scorer");
    // roc_auc is binary: on three classes the scorer says to use the one-vs-rest one.
    const auto three = mlpipe::make_classification(
        {.n_samples = 60, .n_features = 5, .n_informative = 3, .n_classes = 3, .seed = 2});
    CHECK(error_subject([&] {
              (void)mlpipe::cross_validate(logistic, three,
                                           mlpipe::stratified_k_fold(three, {.n_splits = 3}),
                                           mlpipe::make_scorers({"roc_auc"}));
          }) == "scorer");
    for (auto name : mlpipe::scorer_names())
        CHECK(mlpipe::make_scorer(name).name == name);
}

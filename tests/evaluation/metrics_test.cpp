// SPDX-License-Identifier: Apache-2.0
// Tests of evaluation/metrics.hpp: every metric equals scikit-learn 1.2.1's on fixed inputs
// (tests/data/reference/sklearn_metrics.json), with and without sample weights; bad input.
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mlpipe/evaluation/metrics.hpp>

#include "reference.hpp"

using mlpipe::averaging;
using mlpipe::test::error_subject;
using mlpipe::test::indices_of;
using mlpipe::test::matrix_of;

namespace {

constexpr double tight = 1e-12;

struct metric_inputs {
    mlpipe::class_index_vector y_true;
    mlpipe::class_index_vector y_pred;
    Eigen::MatrixXd proba;
    std::vector<double> weights;
    std::size_t n_classes;
};

metric_inputs inputs_of(const nlohmann::json& c) {
    return {indices_of(c["y_true"]), indices_of(c["y_pred"]), matrix_of(c["proba"]),
            c["sample_weight"].get<std::vector<double>>(), c["n_classes"].get<std::size_t>()};
}

void check_matrix(const Eigen::MatrixXd& ours, const nlohmann::json& expected) {
    const Eigen::MatrixXd theirs = matrix_of(expected);
    REQUIRE(ours.rows() == theirs.rows());
    REQUIRE(ours.cols() == theirs.cols());
    CHECK((ours - theirs).cwiseAbs().maxCoeff() < tight);
}

void check_vector(const std::vector<double>& ours, const nlohmann::json& expected) {
    const auto theirs = expected.get<std::vector<double>>();
    REQUIRE(ours.size() == theirs.size());
    for (std::size_t i = 0; i < ours.size(); ++i)
        CHECK(ours[i] == Approx(theirs[i]).margin(tight));
}

}  // namespace

TEST_CASE("metrics equal scikit-learn's on fixed inputs, with and without weights",
          "[evaluation][metrics][sklearn]") {
    const auto& cases = mlpipe::test::sklearn_metrics()["metrics"];
    REQUIRE(cases.size() == 3);
    for (const auto& c : cases) {
        const metric_inputs in = inputs_of(c);
        const std::size_t k = in.n_classes;
        for (const bool weighted : {false, true}) {
            INFO(c["name"].get<std::string>() << (weighted ? ", weighted" : ", unweighted"));
            const auto& r = c[weighted ? "weighted" : "unweighted"];
            const std::span<const double> w =
                weighted ? std::span<const double>(in.weights) : std::span<const double>{};
            CHECK(mlpipe::accuracy_score(in.y_true, in.y_pred, w) ==
                  Approx(r["accuracy"].get<double>()).margin(tight));
            CHECK(mlpipe::balanced_accuracy_score(in.y_true, in.y_pred, k, w) ==
                  Approx(r["balanced_accuracy"].get<double>()).margin(tight));
            check_matrix(mlpipe::confusion_matrix(in.y_true, in.y_pred, k, w),
                         r["confusion_matrix"]);
            check_matrix(mlpipe::confusion_matrix(in.y_true, in.y_pred, k, w,
                                                  mlpipe::normalization::true_rows),
                         r["confusion_matrix_true"]);
            check_matrix(mlpipe::confusion_matrix(in.y_true, in.y_pred, k, w,
                                                  mlpipe::normalization::predicted),
                         r["confusion_matrix_pred"]);
            check_matrix(
                mlpipe::confusion_matrix(in.y_true, in.y_pred, k, w, mlpipe::normalization::all),
                r["confusion_matrix_all"]);
            for (const int zero_division : {0, 1}) {
                INFO("zero_division " << zero_division);
                const mlpipe::metric_options options{
                    .sample_weight = w, .zero_division = static_cast<double>(zero_division)};
                const std::string zd = "_zd" + std::to_string(zero_division);
                const auto per_class = mlpipe::per_class_scores(in.y_true, in.y_pred, k, options);
                const auto& expected = r["per_class" + zd];
                check_vector(per_class.precision, expected["precision"]);
                check_vector(per_class.recall, expected["recall"]);
                check_vector(per_class.f1, expected["f1"]);
                check_vector(per_class.support, expected["support"]);
                std::vector<std::pair<std::string, averaging>> averages = {
                    {"micro", averaging::micro},
                    {"macro", averaging::macro},
                    {"weighted", averaging::weighted}};
                if (k == 2) averages.emplace_back("binary", averaging::binary);
                for (const auto& [name, average] : averages) {
                    INFO("average " << name);
                    CHECK(mlpipe::precision_score(in.y_true, in.y_pred, k, average, options) ==
                          Approx(r["precision_" + name + zd].get<double>()).margin(tight));
                    CHECK(mlpipe::recall_score(in.y_true, in.y_pred, k, average, options) ==
                          Approx(r["recall_" + name + zd].get<double>()).margin(tight));
                    CHECK(mlpipe::f1_score(in.y_true, in.y_pred, k, average, options) ==
                          Approx(r["f1_" + name + zd].get<double>()).margin(tight));
                }
            }
            CHECK(mlpipe::log_loss(in.y_true, in.proba, w) ==
                  Approx(r["log_loss"].get<double>()).margin(tight));
            if (k == 2) {
                const mlpipe::metric_options pos0{.sample_weight = w, .positive_class = 0};
                CHECK(mlpipe::precision_score(in.y_true, in.y_pred, k, averaging::binary, pos0) ==
                      Approx(r["precision_binary_pos0"].get<double>()).margin(tight));
                CHECK(mlpipe::f1_score(in.y_true, in.y_pred, k, averaging::binary, pos0) ==
                      Approx(r["f1_binary_pos0"].get<double>()).margin(tight));
                CHECK(mlpipe::roc_auc_score(in.y_true, in.proba, averaging::macro, w) ==
                      Approx(r["roc_auc"].get<double>()).margin(tight));
                const auto scores = c["scores"].get<std::vector<double>>();
                CHECK(mlpipe::binary_roc_auc(in.y_true, scores, 0, w) ==
                      Approx(r["roc_auc_scores_pos0"].get<double>()).margin(tight));
            } else if (r.contains("roc_auc_ovr_macro")) {
                CHECK(mlpipe::roc_auc_score(in.y_true, in.proba, averaging::macro, w) ==
                      Approx(r["roc_auc_ovr_macro"].get<double>()).margin(tight));
                CHECK(mlpipe::roc_auc_score(in.y_true, in.proba, averaging::weighted, w) ==
                      Approx(r["roc_auc_ovr_weighted"].get<double>()).margin(tight));
            } else {
                // A class without true rows: one-vs-rest AUC is undefined, as in scikit-learn.
                CHECK(error_subject([&] {
                          (void)mlpipe::roc_auc_score(in.y_true, in.proba, averaging::macro, w);
                      }) == "y_true");
            }
        }
    }
}

TEST_CASE("ROC AUC counts tied scores one half", "[evaluation][metrics]") {
    const mlpipe::class_index_vector y = (mlpipe::class_index_vector(4) << 0, 1, 0, 1).finished();
    // Every score equal: the curve is the diagonal.
    CHECK(mlpipe::binary_roc_auc(y, std::vector<double>{0.5, 0.5, 0.5, 0.5}) == 0.5);
    // One positive above both negatives, one tied with a negative: (1 + 0.75) / 2.
    CHECK(mlpipe::binary_roc_auc(y, std::vector<double>{0.2, 0.9, 0.4, 0.4}) == 0.875);
    CHECK(mlpipe::binary_roc_auc(y, std::vector<double>{0.0, 1.0, 0.0, 1.0}) == 1.0);
    CHECK(mlpipe::binary_roc_auc(y, std::vector<double>{1.0, 0.0, 1.0, 0.0}) == 0.0);
    // Zero-weight rows are left out entirely.
    const std::vector<double> weights{1.0, 1.0, 0.0, 1.0};
    CHECK(mlpipe::binary_roc_auc(y, std::vector<double>{0.2, 0.9, 0.95, 0.4}, 1, weights) == 1.0);
}

TEST_CASE("log loss clips certain wrong predictions to a finite loss", "[evaluation][metrics]") {
    const mlpipe::class_index_vector y = (mlpipe::class_index_vector(2) << 0, 1).finished();
    Eigen::MatrixXd proba(2, 2);
    proba << 0.0, 1.0, 0.0, 1.0;
    const double eps = std::numeric_limits<double>::epsilon();
    const double expected = (-std::log(eps / (eps + 1.0 - eps)) - std::log((1.0 - eps))) / 2.0;
    CHECK(mlpipe::log_loss(y, proba) == Approx(expected).epsilon(1e-12));
    // float input clips at float's epsilon, as scikit-learn's eps="auto".
    const Eigen::MatrixXf probaf = proba.cast<float>();
    CHECK(mlpipe::log_loss(y, probaf) ==
          Approx(-std::log(static_cast<double>(std::numeric_limits<float>::epsilon())) / 2.0)
              .epsilon(1e-6));
}

TEST_CASE("metrics reject bad input with typed errors naming the parameter",
          "[evaluation][metrics]") {
    const mlpipe::class_index_vector y = (mlpipe::class_index_vector(4) << 0, 1, 2, 1).finished();
    const mlpipe::class_index_vector short_pred =
        (mlpipe::class_index_vector(3) << 0, 1, 2).finished();
    const mlpipe::class_index_vector bad_class =
        (mlpipe::class_index_vector(4) << 0, 1, 3, 1).finished();
    const mlpipe::class_index_vector empty;
    Eigen::MatrixXd proba(4, 3);
    proba << 0.2, 0.3, 0.5, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0.6, 0.2, 0.2;

    CHECK(error_subject([&] { (void)mlpipe::accuracy_score(y, short_pred); }) == "y_pred");
    CHECK(error_subject([&] { (void)mlpipe::accuracy_score(empty, empty); }) == "y_true");
    CHECK(error_subject([&] { (void)mlpipe::f1_score(y, bad_class, 3, averaging::macro); }) ==
          "y_pred");
    CHECK(error_subject([&] { (void)mlpipe::confusion_matrix(bad_class, y, 3); }) == "y_true");
    CHECK(error_subject([&] { (void)mlpipe::f1_score(y, y, 3, averaging::binary); }) == "average");
    const std::vector<double> negative{1.0, -1.0, 1.0, 1.0};
    const std::vector<double> zeros{0.0, 0.0, 0.0, 0.0};
    const std::vector<double> three{1.0, 1.0, 1.0};
    const std::vector<double> nan{1.0, std::nan(""), 1.0, 1.0};
    for (const auto* w : {&negative, &zeros, &three, &nan}) {
        CHECK(error_subject([&] { (void)mlpipe::accuracy_score(y, y, *w); }) == "sample_weight");
    }

    Eigen::MatrixXd not_normalised = proba;
    not_normalised(1, 1) = 0.9;
    Eigen::MatrixXd with_nan = proba;
    with_nan(2, 0) = std::nan("");
    Eigen::MatrixXd negative_p = proba;
    negative_p(0, 0) = -0.2;
    negative_p(0, 2) = 0.9;
    for (const auto* p : {&not_normalised, &with_nan, &negative_p}) {
        CHECK(error_subject([&] { (void)mlpipe::log_loss(y, *p); }) == "proba");
        CHECK(error_subject([&] { (void)mlpipe::roc_auc_score(y, *p); }) == "proba");
    }
    CHECK(error_subject([&] { (void)mlpipe::log_loss(y, proba.topRows(3)); }) == "proba");
    CHECK(error_subject([&] { (void)mlpipe::log_loss(bad_class, proba); }) == "y_true");
    CHECK(error_subject([&] { (void)mlpipe::roc_auc_score(y, proba, averaging::micro); }) ==
          "average");
    const mlpipe::class_index_vector one_class = mlpipe::class_index_vector::Zero(4);
    CHECK(error_subject([&] {
              (void)mlpipe::binary_roc_auc(one_class, std::vector<double>{1, 2, 3, 4});
          }) == "y_true");
    CHECK(error_subject([&] {
              (void)mlpipe::binary_roc_auc(y, std::vector<double>{1, 2, std::nan(""), 4});
          }) == "scores");
    CHECK(error_subject([&] {
              (void)mlpipe::binary_roc_auc(y, std::vector<double>{1, 2, 3});
          }) == "scores");
    // The message says what and what to do.
    try {
        (void)mlpipe::accuracy_score(y, short_pred);
        FAIL("no error");
    } catch (const mlpipe::invalid_input_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("accuracy_score") && Catch::Contains("4") &&
                                 Catch::Contains("3"));
        CHECK_FALSE(e.remedy().empty());
    }
}

TEST_CASE("metrics take views of the caller's memory", "[evaluation][metrics]") {
    const std::vector<std::int32_t> truth{0, 1, 1, 0, 1};
    const std::vector<std::int32_t> guess{0, 1, 0, 0, 1};
    const Eigen::Map<const mlpipe::class_index_vector> y(truth.data(), 5);
    const Eigen::Map<const mlpipe::class_index_vector> p(guess.data(), 5);
    CHECK(mlpipe::accuracy_score(y, p) == Approx(0.8));
    CHECK(mlpipe::recall_score(y, p, 2, averaging::binary) == Approx(2.0 / 3.0));
    CHECK(mlpipe::precision_score(y.head(3), p.head(3), 2, averaging::binary) == 1.0);
}

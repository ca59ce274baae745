// SPDX-License-Identifier: Apache-2.0
// Tests of preprocessing/pipeline.hpp: fitting the chain, agreement with the steps applied by hand,
// the single-row path, missing values on real data, and a user's own step.
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/artifact/model_io.hpp>
#include <mlpipe/data/csv.hpp>
#include <mlpipe/data/split.hpp>
#include <mlpipe/models/linear/logistic_regression.hpp>
#include <mlpipe/preprocessing.hpp>

#include "test_support.hpp"

using model_type = mlpipe::logistic_regression<double>;
using pipeline_type = mlpipe::pipeline<model_type>;

static_assert(mlpipe::classifier<pipeline_type>);

TEST_CASE("a pipeline predicts what its steps applied by hand predict",
          "[preprocessing][pipeline]") {
    const auto data = mlpipe::read_csv(mlpipe::test::data_path("breast_cancer.csv"));
    const auto [train, test] = mlpipe::train_test_split(data, {.seed = 3});
    pipeline_type pipe({mlpipe::standard_scaler<double>{}}, model_type({.C = 0.5}));
    const auto report = pipe.fit(train);
    CHECK(report.converged());

    mlpipe::standard_scaler<double> scaler;
    scaler.fit(train);
    model_type model({.C = 0.5});
    (void)model.fit({scaler.transform(train.features()), train.targets(), train.classes(),
                     train.feature_names()});
    CHECK(pipe.predict_proba(test.features()) ==
          model.predict_proba(scaler.transform(test.features())));

    const auto predicted = pipe.predict(test.features());
    const double accuracy =
        static_cast<double>((predicted.array() == test.targets().array()).count()) /
        static_cast<double>(test.n_samples());
    CHECK(accuracy > 0.95);  // scikit-learn's StandardScaler + LogisticRegression scores ~0.97 here
}

TEST_CASE("the pipeline's single-row path is bit-identical to batch prediction",
          "[preprocessing][pipeline]") {
    const auto data = mlpipe::read_csv(mlpipe::test::data_path("wine.csv"));
    pipeline_type pipe({mlpipe::min_max_scaler<double>{}, mlpipe::standard_scaler<double>{}},
                       model_type{});
    (void)pipe.fit(data);
    const auto batch = pipe.predict_proba(data.features());
    std::vector<double> out(3);
    for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
        pipe.predict_proba_row(std::span<const double>(data.features().row(i).data(), 13), out);
        for (Eigen::Index k = 0; k < 3; ++k)
            REQUIRE(out[static_cast<std::size_t>(k)] == batch(i, k));
    }
}

TEST_CASE("an imputer in the pipeline makes data with missing values usable",
          "[preprocessing][pipeline]") {
    auto data = mlpipe::read_csv(mlpipe::test::data_path("iris.csv"));
    mlpipe::feature_matrix<double> x = data.features();
    for (Eigen::Index i = 0; i < x.rows(); i += 7)
        x(i, i % 4) = std::numeric_limits<double>::quiet_NaN();
    const mlpipe::dataset<double> holes(x, data.targets(), data.classes(), data.feature_names());

    pipeline_type without({mlpipe::standard_scaler<double>{}}, model_type{});
    CHECK_THROWS_WITH(without.fit(holes), Catch::Matchers::Contains("is NaN"));

    pipeline_type with(
        {mlpipe::simple_imputer<double>({.strategy = mlpipe::impute_strategy::median}),
         mlpipe::standard_scaler<double>{}},
        model_type{});
    (void)with.fit(holes);
    const auto proba = with.predict_proba(x);
    CHECK(proba.allFinite());
    const auto predicted = with.predict(x);
    CHECK((predicted.array() == data.targets().array()).count() > 140);
}

TEST_CASE("a pipeline checks its input before any step runs", "[preprocessing][pipeline]") {
    pipeline_type pipe({mlpipe::standard_scaler<double>{}}, model_type{});
    CHECK_THROWS_AS(pipe.predict(mlpipe::feature_matrix<double>::Zero(1, 4)),
                    mlpipe::not_fitted_error);
    (void)pipe.fit(mlpipe::read_csv(mlpipe::test::data_path("iris.csv")));
    CHECK_THROWS_WITH(pipe.predict(mlpipe::feature_matrix<double>::Zero(1, 3)),
                      Catch::Matchers::Contains("3 features but the pipeline was trained on 4"));
    CHECK(pipe.n_features() == 4);
    CHECK(pipe.classes().size() == 3);
}

namespace {

/// A user's own preprocessing step (not one of mlpipe's kinds): squares every value.
class squared {
  public:
    using scalar_type = double;
    static constexpr std::string_view kind = "squared";

    void fit(const mlpipe::dataset<double>& data) { names_ = data.feature_names(); }
    [[nodiscard]] mlpipe::feature_matrix<double> transform(mlpipe::matrix_cref<double> x) const {
        return x.array().square().matrix();
    }
    void transform_row(std::span<const double> in, std::span<double> out) const {
        for (std::size_t j = 0; j < in.size(); ++j)
            out[j] = in[j] * in[j];
    }
    [[nodiscard]] Eigen::Index n_features_in() const noexcept {
        return static_cast<Eigen::Index>(names_.size());
    }
    [[nodiscard]] Eigen::Index n_features_out() const noexcept { return n_features_in(); }
    [[nodiscard]] std::vector<std::string> feature_names_out() const { return names_; }
    [[nodiscard]] bool fitted() const noexcept { return !names_.empty(); }

  private:
    std::vector<std::string> names_;
};

}  // namespace

TEST_CASE("a user's own step joins a pipeline, and saving it is a typed error naming its kind",
          "[preprocessing][pipeline]") {
    static_assert(mlpipe::transformer<squared>);
    const auto data = mlpipe::read_csv(mlpipe::test::data_path("wine.csv"));
    pipeline_type pipe({squared{}, mlpipe::standard_scaler<double>{}}, model_type{});
    (void)pipe.fit(data);
    REQUIRE(pipe.steps().size() == 2);
    CHECK(pipe.steps()[0].kind() == "squared");
    CHECK(pipe.steps()[0].target<squared>() != nullptr);
    CHECK(pipe.steps()[0].target<mlpipe::standard_scaler<double>>() == nullptr);

    // The chain is the steps applied by hand.
    mlpipe::standard_scaler<double> scaler;
    const mlpipe::feature_matrix<double> squares = data.features().array().square().matrix();
    scaler.fit({squares, data.targets(), data.classes(), data.feature_names()});
    CHECK(pipe.transform(data.features()) == scaler.transform(squares));

    // A copy is deep: refitting it leaves the original as it was.
    pipeline_type copy = pipe;
    const auto before = pipe.predict_proba(data.features());
    (void)copy.fit(mlpipe::train_test_split(data, {.seed = 3}).first);
    CHECK(copy.predict_proba(data.features()) != before);
    CHECK(pipe.predict_proba(data.features()) == before);

    try {
        (void)mlpipe::to_artifact(pipe);
        FAIL("no error");
    } catch (const mlpipe::invalid_input_error& e) {
        CHECK(std::string(e.what()).find("\"squared\" cannot be saved") != std::string::npos);
    }
}

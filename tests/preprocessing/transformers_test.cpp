// SPDX-License-Identifier: Apache-2.0
// Tests of the preprocessing steps: fitted statistics, NaN handling, single-row agreement, errors.
#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/preprocessing.hpp>

using mlpipe::dataset;
using mlpipe::feature_matrix;

static_assert(mlpipe::transformer<mlpipe::standard_scaler<double>>);
static_assert(mlpipe::transformer<mlpipe::min_max_scaler<float>>);
static_assert(mlpipe::transformer<mlpipe::simple_imputer<double>>);
static_assert(mlpipe::transformer<mlpipe::one_hot_encoder<double>>);

namespace {
constexpr double missing = std::numeric_limits<double>::quiet_NaN();

dataset<double> table() {
    feature_matrix<double> x(4, 3);
    x << 1, 10, 2,      //
        2, missing, 0,  //
        3, 30, 1,       //
        6, 30, 2;
    return dataset<double>(x, {"a", "b", "c"});
}

/// Every row through transform_row equals the same row of transform, bit for bit.
template <class Step>
void check_rows_match(const Step& step, const feature_matrix<double>& x) {
    const auto batch = step.transform(x);
    std::vector<double> out(static_cast<std::size_t>(step.n_features_out()));
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        step.transform_row(
            std::span<const double>(x.row(i).data(), static_cast<std::size_t>(x.cols())), out);
        for (std::size_t j = 0; j < out.size(); ++j) {
            const double expected = batch(i, static_cast<Eigen::Index>(j));
            if (std::isnan(expected)) {
                CHECK(std::isnan(out[j]));
            } else {
                CHECK(out[j] == expected);
            }
        }
    }
}
}  // namespace

TEST_CASE("standard_scaler centres and scales, ignoring NaN", "[preprocessing][scaler]") {
    mlpipe::standard_scaler<double> scaler;
    scaler.fit(table());
    CHECK(scaler.means()[0] == Approx(3.0));
    CHECK(scaler.scales()[0] == Approx(std::sqrt(3.5)));  // population sd of 1, 2, 3, 6
    CHECK(scaler.means()[1] == Approx(70.0 / 3.0));       // NaN ignored
    const auto x = scaler.transform(table().features());
    CHECK(std::isnan(x(1, 1)));
    CHECK(x.col(0).sum() == Approx(0.0).margin(1e-12));
    check_rows_match(scaler, table().features());

    feature_matrix<double> constant = feature_matrix<double>::Constant(3, 1, 5.0);
    mlpipe::standard_scaler<double> flat;
    flat.fit(dataset<double>(constant));
    CHECK(flat.transform(constant).isZero());
    mlpipe::standard_scaler<double> no_mean({.with_mean = false});
    no_mean.fit(table());
    CHECK(no_mean.means()[0] == 0.0);
}

TEST_CASE("min_max_scaler maps the observed range onto the target range",
          "[preprocessing][scaler]") {
    mlpipe::min_max_scaler<double> scaler({.range_min = -1.0, .range_max = 1.0});
    scaler.fit(table());
    const auto x = scaler.transform(table().features());
    CHECK(x(0, 0) == Approx(-1.0));
    CHECK(x(3, 0) == Approx(1.0));
    CHECK(x(0, 1) == Approx(-1.0));
    CHECK(std::isnan(x(1, 1)));
    check_rows_match(scaler, table().features());
    feature_matrix<double> outside(1, 3);
    outside << 11, 50, 2;
    mlpipe::min_max_scaler<double> clipped({.clip = true});
    clipped.fit(table());
    CHECK(clipped.transform(outside)(0, 0) == 1.0);
    CHECK(scaler.transform(outside)(0, 0) > 1.0);
    CHECK_THROWS_AS(mlpipe::min_max_scaler<double>({.range_min = 1.0, .range_max = 1.0}),
                    mlpipe::invalid_input_error);
}

TEST_CASE("simple_imputer fills NaN with mean, median, most frequent or a constant",
          "[preprocessing][imputer]") {
    feature_matrix<double> x(5, 1);
    x << 1, missing, 2, 2, 7;
    const dataset<double> data(x);
    const auto fill = [&](mlpipe::impute_strategy s) {
        mlpipe::simple_imputer<double> imputer({.strategy = s, .fill_value = -1.0});
        imputer.fit(data);
        check_rows_match(imputer, x);
        return imputer.transform(x)(1, 0);
    };
    CHECK(fill(mlpipe::impute_strategy::mean) == Approx(3.0));
    CHECK(fill(mlpipe::impute_strategy::median) == Approx(2.0));
    CHECK(fill(mlpipe::impute_strategy::most_frequent) == 2.0);
    CHECK(fill(mlpipe::impute_strategy::constant) == -1.0);

    feature_matrix<double> even(4, 1);
    even << 4, 1, missing, 3;
    mlpipe::simple_imputer<double> median({.strategy = mlpipe::impute_strategy::median});
    median.fit(dataset<double>(even));
    CHECK(median.fill_values()[0] == 3.0);
    feature_matrix<double> tie(4, 1);
    tie << 5, 5, 1, 1;
    mlpipe::simple_imputer<double> frequent({.strategy = mlpipe::impute_strategy::most_frequent});
    frequent.fit(dataset<double>(tie));
    CHECK(frequent.fill_values()[0] == 1.0);  // ties go to the smallest value

    feature_matrix<double> empty_column(2, 2);
    empty_column << 1, missing, 2, missing;
    mlpipe::simple_imputer<double> imputer;
    CHECK_THROWS_WITH(imputer.fit(dataset<double>(empty_column)),
                      Catch::Matchers::Contains("\"x1\" has no observed value"));
}

TEST_CASE("one_hot_encoder expands named columns and passes the rest through",
          "[preprocessing][encoder]") {
    mlpipe::one_hot_encoder<double> encoder({.columns = {"c"}});
    feature_matrix<double> x = table().features();
    x(1, 1) = 20;
    const dataset<double> data(x, {"a", "b", "c"});
    encoder.fit(data);
    CHECK(encoder.n_features_out() == 5);
    CHECK(encoder.feature_names_out() == std::vector<std::string>{"a", "b", "c=0", "c=1", "c=2"});
    const auto out = encoder.transform(x);
    CHECK(out.row(0) == (Eigen::RowVectorXd(5) << 1, 10, 0, 0, 1).finished());
    CHECK(out.row(1) == (Eigen::RowVectorXd(5) << 2, 20, 1, 0, 0).finished());
    check_rows_match(encoder, x);

    feature_matrix<double> unseen(1, 3);
    unseen << 1, 1, 7;
    CHECK_THROWS_WITH(encoder.transform(unseen), Catch::Matchers::Contains("category 7, not seen"));
    mlpipe::one_hot_encoder<double> lenient(
        {.columns = {"c"}, .handle_unknown = mlpipe::unknown_category::ignore});
    lenient.fit(data);
    CHECK(lenient.transform(unseen).rightCols(3).isZero());

    mlpipe::one_hot_encoder<double> missing_column({.columns = {"nope"}});
    CHECK_THROWS_AS(missing_column.fit(data), mlpipe::invalid_input_error);
    mlpipe::one_hot_encoder<double> with_nan({.columns = {"b"}});
    CHECK_THROWS_WITH(with_nan.fit(table()), Catch::Matchers::Contains("holds NaN"));
    mlpipe::one_hot_encoder<double> too_many({.columns = {"a"}, .max_categories = 2});
    CHECK_THROWS_WITH(too_many.fit(table()), Catch::Matchers::Contains("more than max_categories"));
}

TEST_CASE("transformers reject misuse with typed errors", "[preprocessing]") {
    mlpipe::standard_scaler<double> scaler;
    CHECK_THROWS_AS(scaler.transform(table().features()), mlpipe::not_fitted_error);
    CHECK_THROWS_AS(scaler.fit(dataset<double>(feature_matrix<double>(0, 2))),
                    mlpipe::invalid_input_error);
    scaler.fit(table());
    CHECK_THROWS_AS(scaler.transform(feature_matrix<double>::Zero(1, 2)),
                    mlpipe::invalid_input_error);
    feature_matrix<double> inf = table().features();
    inf(0, 0) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(scaler.transform(inf), mlpipe::invalid_input_error);
    std::vector<double> in(3, 0.0);
    std::vector<double> out(2);
    CHECK_THROWS_AS(scaler.transform_row(in, out), mlpipe::invalid_input_error);
}

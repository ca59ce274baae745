// SPDX-License-Identifier: Apache-2.0
// Tests of artifact/kinds.hpp: every kind of the one list is a complete type named as listed, saved
// by a model_io specialisation, built by the training request's factories and loaded by load_any;
// adding a kind to the list without its parts fails here.
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>
#include <mlpipe/artifact.hpp>
#include <mlpipe/artifact/any_model.hpp>
#include <mlpipe/artifact/kinds.hpp>
#include <mlpipe/data/csv.hpp>
#include <mlpipe/jobs/estimators.hpp>
#include <mlpipe/models.hpp>
#include <mlpipe/preprocessing.hpp>

#include "test_support.hpp"

using namespace mlpipe;

namespace {

template <class T>
concept complete = requires {
    sizeof(T);
};

}  // namespace

TEST_CASE("every model kind of the list is defined, named as listed and saved by model_io",
          "[artifact][kinds]") {
    const auto names = kind_names(registered_models{});
    REQUIRE_FALSE(names.empty());
    std::size_t i = 0;
    visit_kinds(registered_models{}, [&]<template <class> class Model>(kind_tag<Model>) {
        static_assert(complete<Model<double>>, "models.hpp includes every listed model");
        static_assert(complete<model_io<Model<double>>>, "every listed model has its model_io");
        INFO(names[i]);
        CHECK(Model<double>::kind == names[i]);
        CHECK(Model<float>::kind == names[i]);
        // A training request can name it, with or without hyperparameters.
        bool visited = false;
        visit_estimator(names[i], [&](auto type) {
            visited = std::is_same_v<typename decltype(type)::type, Model<double>>;
        });
        CHECK(visited);
        CHECK_NOTHROW(check_estimator(names[i], nlohmann::json::object(), "estimator"));
        ++i;
        return false;
    });
    CHECK(i == names.size());
    CHECK(estimator_kinds() == kind_names_text(registered_models{}));
}

TEST_CASE("every step kind of the list is defined, named as listed and built from its params",
          "[artifact][kinds]") {
    const auto names = kind_names(registered_steps{});
    REQUIRE_FALSE(names.empty());
    std::size_t i = 0;
    visit_kinds(registered_steps{}, [&]<template <class> class Step>(kind_tag<Step>) {
        static_assert(complete<Step<double>>, "preprocessing.hpp includes every listed step");
        static_assert(complete<model_io<Step<float>>>, "every listed step has its model_io");
        static_assert(transformer<Step<double>>);
        INFO(names[i]);
        CHECK(Step<double>::kind == names[i]);
        const auto step = make_step<float>(names[i], nlohmann::json::object(), "preprocessing[0]");
        CHECK(step.kind() == names[i]);
        CHECK(step.target<Step<float>>() != nullptr);
        ++i;
        return false;
    });
    CHECK(i == names.size());
    CHECK(step_kinds() == kind_names_text(registered_steps{}));
}

TEST_CASE(
    "every model kind trains with its default hyperparameters, predicts in one pass and "
    "loads back by its kind",
    "[artifact][kinds]") {
    const auto data = read_csv<double>(test::data_path("iris.csv"));
    visit_kinds(registered_models{}, [&]<template <class> class Model>(kind_tag<Model>) {
        INFO(Model<double>::kind);
        pipeline<Model<double>> model(
            {standard_scaler<double>{}},
            make_estimator<Model<double>>(nlohmann::json::object(), "estimator"));
        (void)model.fit(data);
        const auto loaded = load_any(encode_artifact(to_artifact(model)));
        CHECK(loaded.kind() == Model<double>::kind);
        CHECK(loaded.predict(data.features()) == model.predict(data.features()));
        // The bare model's one pass gives what its two calls give (or fails as predict_proba does:
        // a linear_svm fitted without probabilities).
        const auto x = model.transform(data.features());
        const auto& bare = model.model();
        std::optional<probability_matrix<double>> proba;
        try {
            proba = bare.predict_proba(x);
        } catch (const invalid_input_error&) {
        }
        if (proba) {
            const auto both = predict_with_proba(bare, x);
            CHECK(both.classes == bare.predict(x));
            CHECK(both.probabilities == *proba);
        } else {
            CHECK_THROWS_AS(predict_with_proba(bare, x), invalid_input_error);
        }
        return false;
    });
}

TEST_CASE("visit_kinds stops at the first call that returns true", "[artifact][kinds]") {
    std::vector<std::string> seen;
    const bool found =
        visit_kinds(registered_models{}, [&]<template <class> class Model>(kind_tag<Model>) {
            seen.emplace_back(Model<double>::kind);
            return seen.size() == 2;
        });
    CHECK(found);
    CHECK(seen == std::vector<std::string>{"logistic_regression", "linear_svm"});
    CHECK_FALSE(visit_kinds(registered_steps{}, [](auto) { return false; }));
}

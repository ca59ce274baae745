// SPDX-License-Identifier: Apache-2.0
// Training requests: the JSON document, its round trip, and strict validation that names the
// faulty field.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/jobs/training_request.hpp>

#include "jobs_support.hpp"

namespace {

using mlpipe::invalid_input_error;
using mlpipe::parse_training_request;

const char* const full_request = R"({
  "format": 1,
  "request_id": "digits@1700",
  "model": "digits",
  "estimator": {"kind": "logistic_regression", "hyperparameters": {"C": 0.5, "max_iter": 200}},
  "preprocessing": [{"kind": "simple_imputer", "params": {"strategy": "median"}},
                    {"kind": "standard_scaler"}],
  "dataset": {"name": "digits", "parameters": {"until": 1700, "region": "eu", "share": 0.5, "none": null}},
  "validation": {"method": "k_fold", "folds": 3, "test_fraction": 0.25, "metric": "f1_macro",
                 "min_score": 0.9, "champion": {"alias": "production", "margin": 0.01}},
  "promote": "production",
  "seed": 42,
  "threads": 2
})";

/// The subject of the invalid_input_error `text` raises.
std::string faulty_field(const std::string& text) {
    try {
        (void)parse_training_request(text);
    } catch (const invalid_input_error& e) {
        return e.subject();
    }
    return "<no error>";
}

std::string with(const std::string& replace_from, const std::string& replace_to) {
    std::string text = full_request;
    const auto at = text.find(replace_from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, replace_from.size(), replace_to);
}

}  // namespace

TEST_CASE("A full training request is read field by field", "[jobs][request]") {
    const auto r = parse_training_request(full_request);
    CHECK(r.request_id == "digits@1700");
    CHECK(r.model == "digits");
    CHECK(r.estimator == "logistic_regression");
    CHECK(r.hyperparameters.at("C") == 0.5);
    REQUIRE(r.preprocessing.size() == 2);
    CHECK(r.preprocessing[0].kind == "simple_imputer");
    CHECK(r.preprocessing[1].params.empty());
    CHECK(std::get<std::int64_t>(r.dataset.parameters.at("until")) == 1700);
    CHECK(std::get<std::string>(r.dataset.parameters.at("region")) == "eu");
    CHECK(std::get<double>(r.dataset.parameters.at("share")) == 0.5);
    CHECK(std::holds_alternative<std::monostate>(r.dataset.parameters.at("none")));
    CHECK(r.validation.method == mlpipe::validation_method::k_fold);
    CHECK(r.validation.folds == 3);
    CHECK(r.validation.test_fraction == 0.25);
    CHECK(r.validation.metric == "f1_macro");
    CHECK(r.validation.min_score == 0.9);
    REQUIRE(r.validation.champion);
    CHECK(r.validation.champion->margin == 0.01);
    CHECK(r.promote == "production");
    CHECK(r.seed == 42);
    CHECK(r.threads == 2);
}

TEST_CASE("A training request survives its JSON round trip", "[jobs][request]") {
    const auto r = parse_training_request(full_request);
    const auto again = parse_training_request(mlpipe::to_json(r).dump());
    CHECK(mlpipe::to_json(again) == mlpipe::to_json(r));
}

TEST_CASE("A minimal training request takes the documented defaults", "[jobs][request]") {
    const auto r = parse_training_request(
        R"({"request_id": "r1", "model": "m", "estimator": {"kind": "gaussian_naive_bayes"},
            "dataset": {"name": "d"}})");
    CHECK(r.validation.method == mlpipe::validation_method::holdout);
    CHECK(r.validation.test_fraction == 0.2);
    CHECK(r.validation.metric == "accuracy");
    CHECK_FALSE(r.validation.min_score);
    CHECK_FALSE(r.validation.champion);
    CHECK(r.promote.empty());
    CHECK(r.preprocessing.empty());
}

TEST_CASE("Faulty training requests are refused naming the field", "[jobs][request]") {
    CHECK(faulty_field(with("\"logistic_regression\"", "\"deep_forest\"")) == "estimator.kind");
    CHECK(faulty_field(with("\"C\": 0.5", "\"C\": -1")) == "estimator.hyperparameters.C");
    CHECK(faulty_field(with("\"C\": 0.5", "\"gamma\": 1")) == "estimator.hyperparameters.gamma");
    CHECK(faulty_field(with("\"C\": 0.5", "\"C\": \"big\"")) == "estimator.hyperparameters.C");
    CHECK(faulty_field(with("\"median\"", "\"middle\"")) == "preprocessing[0].params.strategy");
    CHECK(faulty_field(with("\"kind\": \"standard_scaler\"", "\"kind\": \"pca\"")) ==
          "preprocessing[1].kind");
    CHECK(faulty_field(with("\"dataset\": {\"name\": \"digits\",",
                            "\"data\": {\"name\": \"digits\",")) == "dataset");
    CHECK(faulty_field(with("\"seed\": 42", "\"seed\": 42, \"sede\": 1")) == "sede");
    CHECK(faulty_field(with("\"min_score\"", "\"min_scroe\"")) == "validation.min_scroe");
    CHECK(faulty_field(with("\"metric\": \"f1_macro\"", "\"metric\": \"f2\"")) ==
          "validation.metric");
    CHECK(faulty_field(with("\"test_fraction\": 0.25", "\"test_fraction\": 1.5")) ==
          "validation.test_fraction");
    CHECK(faulty_field(with("\"folds\": 3", "\"folds\": 1")) == "validation.folds");
    CHECK(faulty_field(with("\"method\": \"k_fold\"", "\"method\": \"loo\"")) ==
          "validation.method");
    CHECK(faulty_field(with("\"model\": \"digits\"", "\"model\": \"../etc\"")) == "model");
    CHECK(faulty_field(with("\"promote\": \"production\"", "\"promote\": \"a b\"")) == "promote");
    CHECK(faulty_field(with("\"seed\": 42", "\"seed\": -1")) == "seed");
    CHECK(faulty_field(with("\"format\": 1", "\"format\": 2")) == "format");
    CHECK(faulty_field(with("\"request_id\": \"digits@1700\"", "\"request_id\": \"\"")) ==
          "request_id");
    CHECK(faulty_field(with("\"until\": 1700", "\"until\": [1]")) == "dataset.parameters.until");
    CHECK(
        faulty_field(R"({"request_id": "r", "model": "m", "estimator": {"kind": "linear_svm"}})") ==
        "dataset");
    // The mlp's hyperparameters are checked by name too, from JSON and by the constructor.
    const std::string mlp = R"("mlp", "hyperparameters": {"hidden_layer_sizes": [64, 32]})";
    CHECK(faulty_field(with(
              R"("logistic_regression", "hyperparameters": {"C": 0.5, "max_iter": 200})", mlp)) ==
          "<no error>");
    CHECK(faulty_field(
              with(R"("logistic_regression", "hyperparameters": {"C": 0.5, "max_iter": 200})",
                   R"("mlp", "hyperparameters": {"hidden_layer_sizes": [64, 0]})")) ==
          "estimator.hyperparameters.hidden_layer_sizes");
    CHECK(faulty_field(
              with(R"("logistic_regression", "hyperparameters": {"C": 0.5, "max_iter": 200})",
                   R"("mlp", "hyperparameters": {"batch_size": 0})")) ==
          "estimator.hyperparameters.batch_size");
    CHECK(faulty_field(
              with(R"("logistic_regression", "hyperparameters": {"C": 0.5, "max_iter": 200})",
                   R"("mlp", "hyperparameters": {"solver": "lbfgs"})")) ==
          "estimator.hyperparameters.solver");
}

TEST_CASE("Training requests that are not JSON objects are refused", "[jobs][request]") {
    CHECK_THROWS_AS(parse_training_request("not json"), invalid_input_error);
    CHECK_THROWS_AS(parse_training_request("[1, 2]"), invalid_input_error);
    CHECK_THROWS_AS(parse_training_request(""), invalid_input_error);
    CHECK_THROWS_AS(parse_training_request(std::string(100000, '[')), invalid_input_error);
    CHECK_THROWS_AS(parse_training_request(std::string(2 << 20, ' ')), invalid_input_error);
}

TEST_CASE("A refused training request says what is wrong and what is known", "[jobs][request]") {
    try {
        (void)parse_training_request(with("\"logistic_regression\"", "\"deep_forest\""));
        FAIL("no error");
    } catch (const invalid_input_error& e) {
        const std::string text = e.what();
        CHECK(text.find("estimator.kind: \"deep_forest\" is not a known estimator") == 0);
        CHECK(text.find("logistic_regression, linear_svm") != std::string::npos);
    }
}

TEST_CASE("The request's JSON schema lists what the parser accepts", "[jobs][request]") {
    const auto schema = mlpipe::training_request_schema();
    CHECK(schema.at("$schema") == "https://json-schema.org/draft/2020-12/schema");
    const auto& p = schema.at("properties");
    const auto names = [](const nlohmann::json& list) {
        std::vector<std::string> out;
        for (const auto& k : list)
            out.push_back(k.get<std::string>());
        return out;
    };
    CHECK(names(p.at("estimator").at("properties").at("kind").at("enum")) ==
          mlpipe::kind_names(mlpipe::registered_models{}));
    CHECK(names(p.at("preprocessing").at("items").at("properties").at("kind").at("enum")) ==
          mlpipe::kind_names(mlpipe::registered_steps{}));
    std::vector<std::string> known;
    for (const auto n : mlpipe::scorer_names())
        known.emplace_back(n);
    CHECK(names(p.at("validation").at("properties").at("metric").at("enum")) == known);
    // Every field the writer emits is in the schema, at the top level and one level down.
    const auto written = mlpipe::to_json(parse_training_request(full_request));
    for (const auto& [key, value] : written.items()) {
        INFO(key);
        REQUIRE(p.contains(key));
        if (value.is_object() && p.at(key).contains("properties")) {
            for (const auto& [inner, unused] : value.items()) {
                INFO(inner);
                CHECK(p.at(key).at("properties").contains(inner));
            }
        }
    }
    // Every field the schema names is one the parser accepts: a request with all of them parses.
    CHECK_NOTHROW(parse_training_request(full_request));
}

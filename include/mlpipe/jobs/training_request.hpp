// SPDX-License-Identifier: Apache-2.0
/// @file jobs/training_request.hpp `training_request`: the versioned JSON document an application
/// queues to have a model trained, with strict parsing that names the faulty field.
///
/// The document (format 1; its JSON Schema is training_request_schema(), printed by `mlpipe
/// schema`):
/// @code{.json}
/// {
///   "format": 1,
///   "request_id": "digits@1700",
///   "model": "digits",
///   "estimator": {"kind": "logistic_regression", "hyperparameters": {"C": 1.0}},
///   "preprocessing": [{"kind": "standard_scaler", "params": {}}],
///   "dataset": {"name": "digits", "parameters": {"until": 1700}},
///   "validation": {"method": "holdout", "test_fraction": 0.2, "metric": "accuracy",
///                  "min_score": 0.9, "champion": {"alias": "production", "margin": 0.0}},
///   "promote": "production",
///   "seed": 42
/// }
/// @endcode
/// Only "request_id", "model", "estimator.kind" and "dataset.name" are required; everything else
/// has the default shown by `training_request`'s members. Unknown keys are errors (a misspelt
/// "min_scroe" must not silently disable a gate).
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../artifact/manifest.hpp"
#include "../detail/json.hpp"
#include "../detail/names.hpp"
#include "../error.hpp"
#include "../evaluation/scorer.hpp"
#include "../registry/model_registry.hpp"
#include "../storage/data_source.hpp"
#include "estimators.hpp"

namespace mlpipe {

/// How a trainer validates a candidate.
enum class validation_method {
    holdout,  ///< fit on the training part, score on the held-out part
    k_fold,   ///< also cross-validate on the training part; the gate uses the mean fold score
};

/// A preprocessing step by kind ("standard_scaler", "min_max_scaler", "simple_imputer",
/// "one_hot_encoder") and its parameters.
struct step_spec {
    std::string kind;
    nlohmann::json params = nlohmann::json::object();
};

/// The champion comparison: the candidate must score at least `margin` above the version `alias`
/// points to, on the same held-out rows. An alias that was never set has no champion (passes).
struct champion_spec {
    std::string alias = "production";
    double margin = 0.0;
};

/// Validation settings of a request.
struct validation_spec {
    validation_method method = validation_method::holdout;
    double test_fraction = 0.2;       ///< share of rows held out, in (0, 1)
    std::uint32_t folds = 5;          ///< k of k-fold (>= 2), for method k_fold
    std::string metric = "accuracy";  ///< a scorer name (evaluation/scorer.hpp), greater is better
    std::optional<double> min_score;  ///< the gate's minimum; none: no minimum
    std::optional<champion_spec> champion;  ///< none: no champion comparison
};

/// The data to train on: a data set the worker's data source defines, and parameter values.
struct dataset_spec {
    std::string name;
    std::map<std::string, data_value> parameters;
};

/// A request to train, validate, publish and possibly promote one model version.
/// A value type; parse_training_request / to_json convert it from and to its JSON document.
struct training_request {
    static constexpr std::uint32_t current_format = 1;

    std::uint32_t format = current_format;
    /// Names the request for idempotency: a redelivered or resubmitted request with the same id
    /// never publishes a second version. 1 to 256 printable characters.
    std::string request_id;
    std::string model;      ///< the registry's model name
    std::string estimator;  ///< estimator kind (estimator_kinds())
    nlohmann::json hyperparameters = nlohmann::json::object();
    std::vector<step_spec> preprocessing;
    dataset_spec dataset;
    validation_spec validation;
    std::string promote;     ///< alias to move to the new version when the gate passes ("": none)
    std::uint64_t seed = 0;  ///< seeds the split, the folds and the estimator
    unsigned threads = 1;    ///< threads for the fit (0: one per hardware thread)
};

namespace detail {

inline const char* validation_method_name(validation_method m) {
    return m == validation_method::holdout ? "holdout" : "k_fold";
}

/// Strict reader of one JSON object of a request (the library's one JSON reader): known keys
/// only, typed, errors naming the field path ("validation.min_score").
class request_reader : public strict_object_reader {
  public:
    request_reader(const nlohmann::json& j, std::string path)
        : strict_object_reader(j, std::move(path), wording()) {}

    /// Throws the error of a value of the wrong type in a request.
    [[noreturn]] static void fail(const std::string& field, std::string_view expected,
                                  const nlohmann::json& v) {
        strict_object_reader::fail(field, expected, v, wording().remedy);
    }

  private:
    static strict_reading wording() {
        return {"the training request", "field", "fix the field in the training request",
                "see docs/training-request.md for the fields"};
    }
};

inline data_value data_value_from_json(const nlohmann::json& v, const std::string& field) {
    if (v.is_null()) return std::monostate{};
    if (v.is_number_integer()) {
        if (v.is_number_unsigned() &&
            v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
            request_reader::fail(field, "an integer below 2^63", v);
        return v.get<std::int64_t>();
    }
    if (v.is_number_float()) {
        if (!std::isfinite(v.get<double>())) request_reader::fail(field, "a finite number", v);
        return v.get<double>();
    }
    if (v.is_string()) return v.get<std::string>();
    request_reader::fail(field, "null, a number or a string", v);
}

}  // namespace detail

/// A data value (parameter or watermark) as JSON: null, integer, real or string.
[[nodiscard]] inline nlohmann::json to_json(const data_value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
    if (const auto* d = std::get_if<double>(&v)) return *d;
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return nullptr;
}

/// A data value from JSON (null, integer, real or string).
/// @throws invalid_input_error for other JSON types, naming `field`
[[nodiscard]] inline data_value data_value_from_json(const nlohmann::json& v,
                                                     const std::string& field = "value") {
    return detail::data_value_from_json(v, field);
}

/// Checks what parsing cannot: names, the estimator kind and its hyperparameters, the step kinds
/// and their parameters, the metric, the validation numbers.
/// @throws invalid_input_error naming the first faulty field ("estimator.hyperparameters.C")
inline void validate(const training_request& r) {
    const auto bad = [](const std::string& field, const std::string& problem,
                        const std::string& remedy) {
        throw invalid_input_error(problem, remedy, field);
    };
    if (r.format != training_request::current_format) {
        bad("format",
            "format " + std::to_string(r.format) +
                " is not readable here (this mlpipe reads format " +
                std::to_string(training_request::current_format) + ")",
            "write the request in format 1, or upgrade the workers");
    }
    const bool id_ok = !r.request_id.empty() && r.request_id.size() <= 256 &&
                       std::all_of(r.request_id.begin(), r.request_id.end(),
                                   [](char c) { return c >= 0x20 && c < 0x7f; });
    if (!id_ok) {
        bad("request_id", "a request id must be 1 to 256 printable ASCII characters",
            "name the request, e.g. \"<model>@<watermark>\"");
    }
    try {
        detail::validate_name(r.model, "model");
        if (!r.promote.empty()) detail::validate_name(r.promote, "alias");
        if (r.validation.champion) detail::validate_name(r.validation.champion->alias, "alias");
    } catch (const invalid_input_error& e) {
        const std::string field = e.subject() == "model" ? "model"
                                  : r.promote.empty()    ? "validation.champion.alias"
                                                         : "promote";
        throw invalid_input_error(e.problem(), e.remedy(), field);
    }
    check_estimator(r.estimator, r.hyperparameters, "estimator");
    for (std::size_t i = 0; i < r.preprocessing.size(); ++i) {
        check_step(r.preprocessing[i].kind, r.preprocessing[i].params,
                   "preprocessing[" + std::to_string(i) + "]");
    }
    if (r.dataset.name.empty())
        bad("dataset.name", "the data set name is empty", "name a data set of the worker");
    const auto& v = r.validation;
    if (!(v.test_fraction > 0.0 && v.test_fraction < 1.0)) {
        bad("validation.test_fraction",
            "the held-out fraction " + std::to_string(v.test_fraction) + " is not in (0, 1)",
            "hold out a fraction such as 0.2");
    }
    if (v.method == validation_method::k_fold && v.folds < 2) {
        bad("validation.folds",
            "k-fold validation needs at least 2 folds, not " + std::to_string(v.folds),
            "use 5 or 10 folds");
    }
    const auto names = scorer_names();
    if (std::find(names.begin(), names.end(), v.metric) == names.end()) {
        std::string known;
        for (const auto n : names)
            known += (known.empty() ? "" : ", ") + std::string(n);
        bad("validation.metric", "\"" + v.metric + "\" is not a known metric",
            "use one of: " + known);
    }
    if (v.champion && !std::isfinite(v.champion->margin)) {
        bad("validation.champion.margin", "the margin is not finite",
            "use a margin such as 0.0 or 0.01");
    }
}

/// The request as its JSON document (every field written, defaults included).
[[nodiscard]] inline nlohmann::json to_json(const training_request& r) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : r.preprocessing)
        steps.push_back({{"kind", s.kind}, {"params", s.params}});
    nlohmann::json parameters = nlohmann::json::object();
    for (const auto& [k, v] : r.dataset.parameters)
        parameters[k] = to_json(v);
    nlohmann::json validation = {{"method", detail::validation_method_name(r.validation.method)},
                                 {"test_fraction", r.validation.test_fraction},
                                 {"folds", r.validation.folds},
                                 {"metric", r.validation.metric}};
    if (r.validation.min_score) validation["min_score"] = *r.validation.min_score;
    if (r.validation.champion) {
        validation["champion"] = {{"alias", r.validation.champion->alias},
                                  {"margin", r.validation.champion->margin}};
    }
    nlohmann::json j = {
        {"format", r.format},
        {"request_id", r.request_id},
        {"model", r.model},
        {"estimator", {{"kind", r.estimator}, {"hyperparameters", r.hyperparameters}}},
        {"preprocessing", std::move(steps)},
        {"dataset", {{"name", r.dataset.name}, {"parameters", std::move(parameters)}}},
        {"validation", std::move(validation)},
        {"seed", r.seed},
        {"threads", r.threads}};
    if (!r.promote.empty()) j["promote"] = r.promote;
    return j;
}

/// The JSON Schema (2020-12) of a request document, format 1: what `mlpipe schema` prints. Its
/// enums (estimator and step kinds, metric names) come from the library's lists
/// (artifact/kinds.hpp, scorer_names()), so they are exactly what this build accepts. Workers also
/// check what a schema cannot: hyperparameters and step parameters by kind.
[[nodiscard]] inline nlohmann::json training_request_schema() {
    auto schema = nlohmann::json::parse(R"json(
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://mlpipe.dev/schemas/training-request/1.json",
  "title": "mlpipe training request, format 1",
  "description": "A request to train, validate, publish and possibly promote one model version. See docs/training-request.md; `mlpipe schema` prints this document. Workers also check what a schema cannot: estimator hyperparameters by kind, step parameters by kind, metric names.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "request_id",
    "model",
    "estimator",
    "dataset"
  ],
  "properties": {
    "format": {
      "const": 1,
      "default": 1
    },
    "request_id": {
      "description": "Names the request for idempotency: the same id never publishes two versions.",
      "type": "string",
      "minLength": 1,
      "maxLength": 256,
      "pattern": "^[\\x20-\\x7e]+$"
    },
    "model": {
      "$ref": "#/$defs/name"
    },
    "estimator": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "kind"
      ],
      "properties": {
        "kind": {
          "enum": []
        },
        "hyperparameters": {
          "type": "object",
          "default": {}
        }
      }
    },
    "preprocessing": {
      "type": "array",
      "default": [],
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "kind"
        ],
        "properties": {
          "kind": {
            "enum": []
          },
          "params": {
            "type": "object",
            "default": {}
          }
        }
      }
    },
    "dataset": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "name"
      ],
      "properties": {
        "name": {
          "type": "string",
          "minLength": 1
        },
        "parameters": {
          "type": "object",
          "default": {},
          "additionalProperties": {
            "type": [
              "null",
              "integer",
              "number",
              "string"
            ]
          }
        }
      }
    },
    "validation": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "method": {
          "enum": [
            "holdout",
            "k_fold"
          ],
          "default": "holdout"
        },
        "test_fraction": {
          "type": "number",
          "exclusiveMinimum": 0,
          "exclusiveMaximum": 1,
          "default": 0.2
        },
        "folds": {
          "type": "integer",
          "minimum": 2,
          "default": 5
        },
        "metric": {
          "enum": [],
          "default": "accuracy"
        },
        "min_score": {
          "type": "number"
        },
        "champion": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "alias": {
              "$ref": "#/$defs/name",
              "default": "production"
            },
            "margin": {
              "type": "number",
              "default": 0.0
            }
          }
        }
      }
    },
    "promote": {
      "$ref": "#/$defs/name"
    },
    "seed": {
      "type": "integer",
      "minimum": 0,
      "default": 0
    },
    "threads": {
      "type": "integer",
      "minimum": 0,
      "maximum": 1024,
      "default": 1
    }
  },
  "$defs": {
    "name": {
      "type": "string",
      "pattern": "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$"
    }
  }
}
)json");
    auto& properties = schema["properties"];
    properties["estimator"]["properties"]["kind"]["enum"] = kind_names(registered_models{});
    properties["preprocessing"]["items"]["properties"]["kind"]["enum"] =
        kind_names(registered_steps{});
    auto& metrics = properties["validation"]["properties"]["metric"]["enum"];
    for (const auto name : scorer_names())
        metrics.push_back(std::string(name));
    return schema;
}

/// Reads and validates a request document.
/// @param text JSON text (at most 1 MiB, nesting at most 64 deep)
/// @throws invalid_input_error for malformed JSON, a missing or unknown field, a value of the
///         wrong type, an unknown estimator or step kind, a bad hyperparameter (naming the field)
[[nodiscard]] inline training_request parse_training_request(std::string_view text) {
    constexpr std::size_t max_bytes = std::size_t{1} << 20;
    if (text.size() > max_bytes) {
        throw invalid_input_error("the training request is " + std::to_string(text.size()) +
                                      " bytes, above the limit of 1 MiB",
                                  "send the request itself, not the data; data comes from the "
                                  "data source");
    }
    nlohmann::json j;
    try {
        j = detail::parse_json_limited(text, 64, source_position{"training request"},
                                       "the training request");
    } catch (const format_error& e) {
        throw invalid_input_error("the training request is not valid JSON: " + e.problem(),
                                  "send a JSON object; see docs/training-request.md");
    }
    training_request r;
    detail::request_reader top(j, "");
    if (const auto* v = top.find("format")) {
        r.format = static_cast<std::uint32_t>(
            std::min<std::uint64_t>(top.as<std::uint64_t>("format", *v), UINT32_MAX));
    }
    r.request_id = top.as<std::string>("request_id", top.require("request_id"));
    r.model = top.as<std::string>("model", top.require("model"));
    {
        detail::request_reader est(top.require("estimator"), "estimator");
        r.estimator = est.as<std::string>("kind", est.require("kind"));
        if (const auto* h = est.find("hyperparameters")) r.hyperparameters = *h;
        est.finish();
    }
    if (const auto* steps = top.find("preprocessing")) {
        if (!steps->is_array()) detail::request_reader::fail("preprocessing", "an array", *steps);
        for (std::size_t i = 0; i < steps->size(); ++i) {
            detail::request_reader step((*steps)[i], "preprocessing[" + std::to_string(i) + "]");
            step_spec s;
            s.kind = step.as<std::string>("kind", step.require("kind"));
            if (const auto* p = step.find("params")) s.params = *p;
            step.finish();
            r.preprocessing.push_back(std::move(s));
        }
    }
    {
        detail::request_reader ds(top.require("dataset"), "dataset");
        r.dataset.name = ds.as<std::string>("name", ds.require("name"));
        if (const auto* p = ds.find("parameters")) {
            if (!p->is_object())
                detail::request_reader::fail("dataset.parameters", "a JSON object", *p);
            for (const auto& [k, v] : p->items())
                r.dataset.parameters[k] =
                    detail::data_value_from_json(v, "dataset.parameters." + k);
        }
        ds.finish();
    }
    if (const auto* val = top.find("validation")) {
        detail::request_reader vr(*val, "validation");
        if (const auto* m = vr.find("method")) {
            const auto name = vr.as<std::string>("method", *m);
            if (name == "holdout") {
                r.validation.method = validation_method::holdout;
            } else if (name == "k_fold") {
                r.validation.method = validation_method::k_fold;
            } else {
                throw invalid_input_error("\"" + name + "\" is not \"holdout\" or \"k_fold\"",
                                          "use one of those", "validation.method");
            }
        }
        if (const auto* f = vr.find("test_fraction"))
            r.validation.test_fraction = vr.as<double>("test_fraction", *f);
        if (const auto* f = vr.find("folds")) {
            r.validation.folds = static_cast<std::uint32_t>(
                std::min<std::uint64_t>(vr.as<std::uint64_t>("folds", *f), 1000));
        }
        if (const auto* m = vr.find("metric"))
            r.validation.metric = vr.as<std::string>("metric", *m);
        if (const auto* m = vr.find("min_score"))
            r.validation.min_score = vr.as<double>("min_score", *m);
        if (const auto* c = vr.find("champion")) {
            detail::request_reader cr(*c, "validation.champion");
            champion_spec spec;
            if (const auto* a = cr.find("alias")) spec.alias = cr.as<std::string>("alias", *a);
            if (const auto* m = cr.find("margin")) spec.margin = cr.as<double>("margin", *m);
            cr.finish();
            r.validation.champion = spec;
        }
        vr.finish();
    }
    if (const auto* p = top.find("promote")) r.promote = top.as<std::string>("promote", *p);
    if (const auto* s = top.find("seed")) r.seed = top.as<std::uint64_t>("seed", *s);
    if (const auto* t = top.find("threads")) {
        r.threads = static_cast<unsigned>(
            std::min<std::uint64_t>(top.as<std::uint64_t>("threads", *t), 1024));
    }
    top.finish();
    validate(r);
    return r;
}

}  // namespace mlpipe

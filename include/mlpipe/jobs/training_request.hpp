// SPDX-License-Identifier: Apache-2.0
/// @file jobs/training_request.hpp `training_request`: the versioned JSON document an application
/// queues to have a model trained, with strict parsing that names the faulty field.
///
/// The document (format 1; the schema is docs/training-request.schema.json):
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

/// Strict reader of one JSON object of a request: known keys only, typed, errors naming the
/// field path ("validation.min_score").
class request_reader {
  public:
    request_reader(const nlohmann::json& j, std::string path) : json_(j), path_(std::move(path)) {
        if (!j.is_object()) fail(path_.empty() ? "the request" : path_, "a JSON object", j);
    }

    [[nodiscard]] const nlohmann::json* find(const char* key) {
        const auto it = json_.find(key);
        if (it == json_.end()) return nullptr;
        seen_.emplace_back(key);
        return &*it;
    }
    [[nodiscard]] const nlohmann::json& require(const char* key) {
        const auto* v = find(key);
        if (v == nullptr) {
            throw invalid_input_error("the training request has no \"" + field(key) + "\"",
                                      "add it; see docs/training-request.md", field(key));
        }
        return *v;
    }
    [[nodiscard]] std::string field(const char* key) const {
        return path_.empty() ? std::string(key) : path_ + "." + key;
    }

    std::string string(const char* key, const nlohmann::json& v) const {
        if (!v.is_string()) fail(field(key), "a string", v);
        return v.get<std::string>();
    }
    double number(const char* key, const nlohmann::json& v) const {
        if (!v.is_number() || !std::isfinite(v.get<double>())) fail(field(key), "a number", v);
        return v.get<double>();
    }
    std::uint64_t unsigned_integer(const char* key, const nlohmann::json& v) const {
        if (!v.is_number_unsigned()) fail(field(key), "an integer >= 0", v);
        return v.get<std::uint64_t>();
    }

    void finish() const {
        for (const auto& [key, unused] : json_.items()) {
            if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) {
                const std::string f = path_.empty() ? key : path_ + "." + key;
                throw invalid_input_error(
                    "the training request has an unknown field \"" + f + "\"",
                    "check the spelling; see docs/training-request.md for the fields", f);
            }
        }
    }

    [[noreturn]] static void fail(const std::string& field, const char* expected,
                                  const nlohmann::json& v) {
        std::string shown = v.dump();
        if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
        throw invalid_input_error("must be " + std::string(expected) + ", not " + shown,
                                  "fix the field in the training request", field);
    }

  private:
    const nlohmann::json& json_;
    std::string path_;
    std::vector<std::string> seen_;
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
            std::min<std::uint64_t>(top.unsigned_integer("format", *v), UINT32_MAX));
    }
    r.request_id = top.string("request_id", top.require("request_id"));
    r.model = top.string("model", top.require("model"));
    {
        detail::request_reader est(top.require("estimator"), "estimator");
        r.estimator = est.string("kind", est.require("kind"));
        if (const auto* h = est.find("hyperparameters")) r.hyperparameters = *h;
        est.finish();
    }
    if (const auto* steps = top.find("preprocessing")) {
        if (!steps->is_array()) detail::request_reader::fail("preprocessing", "an array", *steps);
        for (std::size_t i = 0; i < steps->size(); ++i) {
            detail::request_reader step((*steps)[i], "preprocessing[" + std::to_string(i) + "]");
            step_spec s;
            s.kind = step.string("kind", step.require("kind"));
            if (const auto* p = step.find("params")) s.params = *p;
            step.finish();
            r.preprocessing.push_back(std::move(s));
        }
    }
    {
        detail::request_reader ds(top.require("dataset"), "dataset");
        r.dataset.name = ds.string("name", ds.require("name"));
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
            const auto name = vr.string("method", *m);
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
            r.validation.test_fraction = vr.number("test_fraction", *f);
        if (const auto* f = vr.find("folds")) {
            r.validation.folds = static_cast<std::uint32_t>(
                std::min<std::uint64_t>(vr.unsigned_integer("folds", *f), 1000));
        }
        if (const auto* m = vr.find("metric")) r.validation.metric = vr.string("metric", *m);
        if (const auto* m = vr.find("min_score"))
            r.validation.min_score = vr.number("min_score", *m);
        if (const auto* c = vr.find("champion")) {
            detail::request_reader cr(*c, "validation.champion");
            champion_spec spec;
            if (const auto* a = cr.find("alias")) spec.alias = cr.string("alias", *a);
            if (const auto* m = cr.find("margin")) spec.margin = cr.number("margin", *m);
            cr.finish();
            r.validation.champion = spec;
        }
        vr.finish();
    }
    if (const auto* p = top.find("promote")) r.promote = top.string("promote", *p);
    if (const auto* s = top.find("seed")) r.seed = top.unsigned_integer("seed", *s);
    if (const auto* t = top.find("threads")) {
        r.threads = static_cast<unsigned>(
            std::min<std::uint64_t>(top.unsigned_integer("threads", *t), 1024));
    }
    top.finish();
    validate(r);
    return r;
}

}  // namespace mlpipe

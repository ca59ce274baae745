// SPDX-License-Identifier: Apache-2.0
/// @file jobs/estimators.hpp Estimators and preprocessing steps by kind name: what a training
/// request may name, checked and built from JSON hyperparameters.
///
/// The estimator and step kinds are the artifact's (registered_models and registered_steps,
/// artifact/kinds.hpp), so every model a worker can train is one a predictor can load; adding a
/// kind there adds it here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "../artifact/any_model.hpp"
#include "../artifact/kinds.hpp"
#include "../error.hpp"
#include "../models.hpp"
#include "../preprocessing.hpp"

namespace mlpipe {

namespace detail {

/// Runs `make` (which builds an object from JSON and may throw the object's own
/// invalid_input_error) and rethrows its errors naming `field` as the faulty field.
template <class Make>
auto with_field(const std::string& field, std::string_view kind, Make&& make) {
    try {
        return make();
    } catch (const invalid_input_error& e) {
        // The object names "<kind>.<param>" or "<param>": keep the parameter part.
        std::string param = e.subject();
        const std::string prefix = std::string(kind) + ".";
        if (param.rfind(prefix, 0) == 0) param = param.substr(prefix.size());
        const std::string where = param.empty() || param == kind ? field : field + "." + param;
        throw invalid_input_error(e.problem(), e.remedy(), where);
    }
}

}  // namespace detail

/// The estimator kinds a training request may name ("logistic_regression", ...), comma-separated.
[[nodiscard]] inline std::string estimator_kinds() {
    return kind_names_text(registered_models{});
}

/// The preprocessing step kinds a training request may name, comma-separated.
[[nodiscard]] inline std::string step_kinds() {
    return kind_names_text(registered_steps{});
}

/// Calls `f(std::type_identity<Model<double>>{})` for the estimator `kind`.
/// @param field the request field naming the kind, for the error
/// @throws invalid_input_error for an unknown kind (listing the known ones)
template <class F>
void visit_estimator(std::string_view kind, F&& f, const std::string& field = "estimator.kind") {
    const bool known =
        visit_kinds(registered_models{}, [&]<template <class> class Model>(kind_tag<Model>) {
            if (kind != Model<double>::kind) return false;
            f(std::type_identity<Model<double>>{});
            return true;
        });
    if (!known) {
        throw invalid_input_error("\"" + std::string(kind) + "\" is not a known estimator",
                                  "use one of: " + estimator_kinds(), field);
    }
}

/// A classifier of `Model` built from JSON hyperparameters.
/// @throws invalid_input_error naming `<field>.hyperparameters.<name>` for a bad value
template <class Model>
[[nodiscard]] Model make_estimator(const nlohmann::json& hyperparameters,
                                   const std::string& field) {
    return detail::with_field(field + ".hyperparameters", Model::kind, [&] {
        return Model(detail::params_of<Model>::from_json(hyperparameters));
    });
}

/// Checks an estimator kind and its hyperparameters without training anything.
/// @throws invalid_input_error naming the faulty field under `field`
inline void check_estimator(std::string_view kind, const nlohmann::json& hyperparameters,
                            const std::string& field) {
    visit_estimator(
        kind,
        [&](auto type) {
            (void)make_estimator<typename decltype(type)::type>(hyperparameters, field);
        },
        field + ".kind");
}

/// A preprocessing step built from its kind and JSON parameters.
/// @throws invalid_input_error for an unknown kind or a bad parameter, naming the field
template <class Scalar>
[[nodiscard]] any_transformer<Scalar> make_step(std::string_view kind, const nlohmann::json& params,
                                                const std::string& field) {
    std::optional<any_transformer<Scalar>> step;
    visit_kinds(registered_steps{}, [&]<template <class> class Step>(kind_tag<Step>) {
        using step_type = Step<Scalar>;
        if (kind != step_type::kind) return false;
        step.emplace(detail::with_field(field + ".params", step_type::kind, [&] {
            return step_type(detail::params_of<step_type>::from_json(params));
        }));
        return true;
    });
    if (step) return std::move(*step);
    throw invalid_input_error("\"" + std::string(kind) + "\" is not a known preprocessing step",
                              "use one of: " + step_kinds(), field + ".kind");
}

/// Checks a step kind and its parameters.
inline void check_step(std::string_view kind, const nlohmann::json& params,
                       const std::string& field) {
    (void)make_step<double>(kind, params, field);
}

}  // namespace mlpipe

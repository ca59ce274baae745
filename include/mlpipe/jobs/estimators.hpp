// SPDX-License-Identifier: Apache-2.0
/// @file jobs/estimators.hpp Estimators and preprocessing steps by kind name: what a training
/// request may name, checked and built from JSON hyperparameters.
///
/// The estimator kinds are the artifact's `registered_models` (artifact/any_model.hpp), so every
/// model a worker can train is one a predictor can load; adding a family there adds it here.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "../artifact/any_model.hpp"
#include "../error.hpp"
#include "../preprocessing/pipeline.hpp"

namespace mlpipe {

namespace detail {

template <class F, template <class> class... Models>
bool visit_kind(std::string_view kind, F& f, model_kind_list<Models...>) {
    return (
        (kind == Models<double>::kind ? (f(std::type_identity<Models<double>>{}), true) : false) ||
        ...);
}

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

template <class T>
using params_of = std::remove_cvref_t<decltype(std::declval<const T&>().params())>;

}  // namespace detail

/// The estimator kinds a training request may name ("logistic_regression", ...), comma-separated.
[[nodiscard]] inline std::string estimator_kinds() {
    return detail::registered_names(registered_models{});
}

/// The preprocessing step kinds a training request may name, comma-separated.
[[nodiscard]] inline std::string step_kinds() {
    return "standard_scaler, min_max_scaler, simple_imputer, one_hot_encoder";
}

/// Calls `f(std::type_identity<Model<double>>{})` for the estimator `kind`.
/// @param field the request field naming the kind, for the error
/// @throws invalid_input_error for an unknown kind (listing the known ones)
template <class F>
void visit_estimator(std::string_view kind, F&& f, const std::string& field = "estimator.kind") {
    if (!detail::visit_kind(kind, f, registered_models{})) {
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
    const auto build = [&](auto type) -> any_transformer<Scalar> {
        using step = typename decltype(type)::type;
        return detail::with_field(field + ".params", step::kind,
                                  [&] { return step(detail::params_of<step>::from_json(params)); });
    };
    if (kind == standard_scaler<Scalar>::kind)
        return build(std::type_identity<standard_scaler<Scalar>>{});
    if (kind == min_max_scaler<Scalar>::kind)
        return build(std::type_identity<min_max_scaler<Scalar>>{});
    if (kind == simple_imputer<Scalar>::kind)
        return build(std::type_identity<simple_imputer<Scalar>>{});
    if (kind == one_hot_encoder<Scalar>::kind)
        return build(std::type_identity<one_hot_encoder<Scalar>>{});
    throw invalid_input_error("\"" + std::string(kind) + "\" is not a known preprocessing step",
                              "use one of: " + step_kinds(), field + ".kind");
}

/// Checks a step kind and its parameters.
inline void check_step(std::string_view kind, const nlohmann::json& params,
                       const std::string& field) {
    (void)make_step<double>(kind, params, field);
}

}  // namespace mlpipe

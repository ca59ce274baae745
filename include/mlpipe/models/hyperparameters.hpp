// SPDX-License-Identifier: Apache-2.0
/// @file models/hyperparameters.hpp Hyperparameters as JSON: each `_params` struct lists its fields
/// once (`fields()`), and its JSON form is written and strictly read from that list (training
/// requests, grid searches, artifact manifests): known keys only, typed, errors naming the field.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../detail/json.hpp"
#include "../error.hpp"

namespace mlpipe {

/// The names of an enum's values, for JSON: `{{value, "name"}, ...}`.
template <class Enum, std::size_t N>
using enum_names = detail::enum_names<Enum, N>;

/// How classes are weighted in a loss or an impurity (logistic_regression, decision_tree, ...).
enum class class_weighting {
    none,      ///< every class weighs 1 (or as the model's class_weights says)
    balanced,  ///< class k weighs n / (n_classes * count_k), as scikit-learn's "balanced"
};

/// JSON names of class_weighting values.
inline constexpr enum_names<class_weighting, 2> class_weighting_names{
    {{class_weighting::none, "none"}, {class_weighting::balanced, "balanced"}}};

/// Reads the hyperparameters of one model or step kind from a JSON object, strictly (the library's
/// one JSON reader, detail::strict_object_reader): every key must be known and of the right type,
/// and errors name the field "<kind>.<name>". params_from_json reads a whole params struct with it.
class hyperparameter_reader : public detail::strict_object_reader {
  public:
    /// @throws invalid_input_error when `j` is not an object
    hyperparameter_reader(const nlohmann::json& j, std::string_view kind)
        : strict_object_reader(
              j, std::string(kind),
              {std::string(kind), "hyperparameter", "fix the value in the hyperparameters",
               "`mlpipe estimators` lists each kind's hyperparameters"}) {}
};

/// One hyperparameter of a params struct: its JSON name and its member, and for an enum the names
/// of its values. Made by hyperparameter(); listed in the struct's `static constexpr auto
/// fields()`, from which params_to_json and params_from_json derive.
template <class Params, class T, class Names = std::nullptr_t>
struct hyperparameter_field {
    std::string_view name;
    T Params::*member;
    Names names = nullptr;  ///< const enum_names<T, N>* for an enum

    /// Whether the field is an enum written by the names of its values.
    static constexpr bool by_name = !std::is_same_v<Names, std::nullptr_t>;
};

/// A field of `Params` named `name` (bool, integer, floating-point, string, vectors of numbers or
/// strings, or a type with `to_json()` and `static T from_json(json, field)`).
template <class Params, class T>
[[nodiscard]] constexpr hyperparameter_field<Params, T> hyperparameter(std::string_view name,
                                                                       T Params::*member) {
    return {name, member};
}

/// An enum field of `Params`, written by the names of its values.
template <class Params, class Enum, std::size_t N>
[[nodiscard]] constexpr hyperparameter_field<Params, Enum, const enum_names<Enum, N>*>
hyperparameter(std::string_view name, Enum Params::*member, const enum_names<Enum, N>& names) {
    return {name, member, &names};
}

/// The name of an enum value (for to_json).
template <class Enum, std::size_t N>
[[nodiscard]] std::string_view name_of(Enum value, const enum_names<Enum, N>& names) {
    for (const auto& [v, name] : names) {
        if (v == value) return name;
    }
    return "unknown";
}

/// The JSON form of a params struct: one key per field of `Params::fields()`, enums by name.
template <class Params>
[[nodiscard]] nlohmann::json params_to_json(const Params& p) {
    nlohmann::json j = nlohmann::json::object();
    std::apply(
        [&](const auto&... field) {
            const auto write = [&](const auto& f) {
                const auto& value = p.*(f.member);
                if constexpr (std::remove_cvref_t<decltype(f)>::by_name) {
                    j[std::string(f.name)] = std::string(name_of(value, *f.names));
                } else if constexpr (requires { value.to_json(); }) {
                    j[std::string(f.name)] = value.to_json();
                } else {
                    j[std::string(f.name)] = value;
                }
            };
            (write(field), ...);
        },
        Params::fields());
    return j;
}

/// A params struct read strictly from its JSON form: absent keys keep their defaults; an unknown
/// key or a value of the wrong type is an error naming "<Params::kind>.<key>".
/// @throws invalid_input_error
template <class Params>
[[nodiscard]] Params params_from_json(const nlohmann::json& j) {
    Params p;
    hyperparameter_reader r(j, Params::kind);
    std::apply(
        [&](const auto&... field) {
            const auto read = [&](const auto& f) {
                if constexpr (std::remove_cvref_t<decltype(f)>::by_name) {
                    r.read(f.name, p.*(f.member), *f.names);
                } else {
                    r.read(f.name, p.*(f.member));
                }
            };
            (read(field), ...);
        },
        Params::fields());
    r.finish();
    return p;
}

}  // namespace mlpipe

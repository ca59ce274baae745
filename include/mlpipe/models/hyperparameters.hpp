// SPDX-License-Identifier: Apache-2.0
/// @file models/hyperparameters.hpp Strict reading of hyperparameters from JSON (training requests,
/// grid searches, artifact manifests): known keys only, typed, and errors that name the field.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../error.hpp"

namespace mlpipe {

/// The names of an enum's values, for JSON: `{{value, "name"}, ...}`.
template <class Enum, std::size_t N>
using enum_names = std::array<std::pair<Enum, std::string_view>, N>;

/// How classes are weighted in a loss or an impurity (logistic_regression, decision_tree, ...).
enum class class_weighting {
    none,      ///< every class weighs 1 (or as the model's class_weights says)
    balanced,  ///< class k weighs n / (n_classes * count_k), as scikit-learn's "balanced"
};

/// JSON names of class_weighting values.
inline constexpr enum_names<class_weighting, 2> class_weighting_names{
    {{class_weighting::none, "none"}, {class_weighting::balanced, "balanced"}}};

/// Reads the hyperparameters of one model kind from a JSON object. Every key must be known and of
/// the right type; read what you know with `read`, then call `finish` to reject the rest.
/// @code
///   hyperparameter_reader r(j, "logistic_regression");
///   r.read("C", params.C);
///   r.read("max_iter", params.max_iter);
///   r.finish();
/// @endcode
class hyperparameter_reader {
  public:
    /// @throws invalid_input_error when `j` is not an object
    hyperparameter_reader(const nlohmann::json& j, std::string_view kind) : json_(j), kind_(kind) {
        if (!j.is_object()) {
            throw invalid_input_error(kind_ + ": hyperparameters must be a JSON object, not " +
                                          std::string(j.type_name()),
                                      "write them as {\"name\": value, ...}", kind_);
        }
    }

    /// Reads `key` into `value` when present (absent keys keep their defaults).
    template <class T>
    void read(std::string_view key, T& value) {
        const auto it = json_.find(std::string(key));
        if (it == json_.end()) return;
        seen_.insert(std::string(key));
        const std::string field = kind_ + "." + std::string(key);
        const auto wrong = [&](std::string_view expected) {
            return invalid_input_error(
                field + " must be " + std::string(expected) + ", not " + it->dump(),
                "fix the value in the hyperparameters", field);
        };
        if constexpr (std::is_same_v<T, bool>) {
            if (!it->is_boolean()) throw wrong("true or false");
            value = it->template get<bool>();
        } else if constexpr (std::is_integral_v<T>) {
            if (!it->is_number_integer()) throw wrong("an integer");
            if constexpr (std::is_unsigned_v<T>) {
                if (it->is_number_unsigned()) {
                    const auto v = it->template get<std::uint64_t>();
                    if (v > std::numeric_limits<T>::max()) throw wrong("a smaller integer");
                    value = static_cast<T>(v);
                } else {
                    throw wrong("an integer >= 0");
                }
            } else {
                if (it->is_number_unsigned() &&
                    it->template get<std::uint64_t>() >
                        static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
                    throw wrong("a smaller integer");
                }
                value = static_cast<T>(it->template get<std::int64_t>());
            }
        } else if constexpr (std::is_floating_point_v<T>) {
            if (!it->is_number()) throw wrong("a number");
            value = it->template get<T>();
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (!it->is_string()) throw wrong("a string");
            value = it->template get<std::string>();
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
            if (!it->is_array()) throw wrong("an array of numbers");
            value.clear();
            for (const auto& e : *it) {
                if (!e.is_number()) throw wrong("an array of numbers");
                value.push_back(e.template get<double>());
            }
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            if (!it->is_array()) throw wrong("an array of strings");
            value.clear();
            for (const auto& e : *it) {
                if (!e.is_string()) throw wrong("an array of strings");
                value.push_back(e.template get<std::string>());
            }
        } else {
            static_assert(sizeof(T) == 0, "hyperparameter_reader::read: unsupported type");
        }
    }

    /// Reads an enum written by name.
    template <class Enum, std::size_t N>
    void read(std::string_view key, Enum& value, const enum_names<Enum, N>& names) {
        std::string text;
        const auto it = json_.find(std::string(key));
        if (it == json_.end()) return;
        read(key, text);
        for (const auto& [v, name] : names) {
            if (name == text) {
                value = v;
                return;
            }
        }
        std::string choices;
        for (const auto& [v, name] : names)
            choices += (choices.empty() ? "" : ", ") + std::string(name);
        const std::string field = kind_ + "." + std::string(key);
        throw invalid_input_error(field + " is \"" + text + "\", not one of: " + choices,
                                  "use one of those names", field);
    }

    /// @throws invalid_input_error naming the first key that was not read
    void finish() const {
        for (const auto& [key, unused] : json_.items()) {
            if (seen_.count(key) == 0) {
                throw invalid_input_error(
                    kind_ + " has no hyperparameter \"" + key + "\"",
                    "check the spelling; see the kind's documentation for its hyperparameters",
                    kind_ + "." + key);
            }
        }
    }

  private:
    const nlohmann::json& json_;
    std::string kind_;
    std::unordered_set<std::string> seen_;
};

/// The name of an enum value (for to_json).
template <class Enum, std::size_t N>
[[nodiscard]] std::string_view name_of(Enum value, const enum_names<Enum, N>& names) {
    for (const auto& [v, name] : names) {
        if (v == value) return name;
    }
    return "unknown";
}

}  // namespace mlpipe

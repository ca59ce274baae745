// SPDX-License-Identifier: Apache-2.0
/// @file detail/json.hpp The one way mlpipe reads JSON from outside: text parsed under a nesting
/// limit, and `strict_object_reader`, which reads an object's known keys with their types and
/// refuses the rest (training requests, hyperparameters, manifests all read through it).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../config.hpp"
#include "../error.hpp"

namespace mlpipe::detail {

/// The depth of `j` (a scalar is 0, [] is 1), stopping once it passes `stop`. Recursion is bounded
/// by `stop`, so a caller-built deep value cannot overflow the stack.
[[nodiscard]] MLPIPE_DECL std::uint64_t json_depth(const nlohmann::json& j, std::uint64_t stop);

/// The offset of the first bracket that nests deeper than `max_depth` in JSON text, or nullopt.
/// A linear scan that skips strings as the JSON lexer does, so for the parser the text nests no
/// deeper than this scan says (malformed text is then refused by the parser).
[[nodiscard]] MLPIPE_DECL std::optional<std::size_t> json_too_deep(
    std::string_view text, std::uint64_t max_depth) noexcept;

/// Parses JSON text, refusing nesting deeper than `max_depth` before parsing (so no deep value is
/// ever built). `where` locates the text; its offset is the text's first byte.
/// nlohmann's callback parser is not used: it rescans a container at the end of every object in
/// it, quadratic time on hostile input.
/// @throws format_error on invalid JSON (with the byte offset) or too deep nesting.
/// Complexity: O(text).
[[nodiscard]] MLPIPE_DECL nlohmann::json parse_json_limited(std::string_view text,
                                                            std::uint64_t max_depth,
                                                            const source_position& where,
                                                            const std::string& what);

/// The value of a non-negative JSON integer (parsed, or built in C++ from a signed int), or
/// nullopt for anything else.
[[nodiscard]] MLPIPE_DECL std::optional<std::uint64_t> json_unsigned(const nlohmann::json& j);

/// The names of an enum's values, for JSON: `{{value, "name"}, ...}`.
template <class Enum, std::size_t N>
using enum_names = std::array<std::pair<Enum, std::string_view>, N>;

/// How a strict_object_reader words its errors.
struct strict_reading {
    std::string owner;   ///< whose keys these are: "the training request", "logistic_regression"
    std::string noun;    ///< what a key is called: "field", "hyperparameter"
    std::string remedy;  ///< what to do about a value of the wrong type
    std::string help;    ///< where the known keys are listed
};

/// Reads a JSON object strictly: each known key with its type checked, and finish() refuses the
/// keys nobody asked for. Fields are named "<prefix>.<key>" (or "<key>" without a prefix); every
/// error is an invalid_input_error whose subject is that field. The one reader of JSON from
/// outside: training requests, hyperparameters (hyperparameter_reader) and their nested objects.
class strict_object_reader {
  public:
    /// @throws invalid_input_error when `j` is not an object
    strict_object_reader(const nlohmann::json& j, std::string prefix, strict_reading wording)
        : json_(j), prefix_(std::move(prefix)), wording_(std::move(wording)) {
        if (!j.is_object()) {
            throw invalid_input_error((prefix_.empty() ? wording_.owner + " " : std::string()) +
                                          "must be a JSON object, not " + shown(j),
                                      "write it as {\"name\": value, ...}; " + wording_.help,
                                      prefix_);
        }
    }

    /// The field name of `key` ("estimator.kind").
    [[nodiscard]] std::string field(std::string_view key) const {
        return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
    }

    /// The value of `key`, or null when absent; marks it as read.
    [[nodiscard]] const nlohmann::json* find(std::string_view key) {
        const auto it = json_.find(key);
        if (it == json_.end()) return nullptr;
        seen_.emplace_back(key);
        return &*it;
    }

    /// The value of `key`. @throws invalid_input_error when absent
    [[nodiscard]] const nlohmann::json& require(std::string_view key) {
        const auto* v = find(key);
        if (v == nullptr) {
            throw invalid_input_error("the " + wording_.noun + " is missing",
                                      "add it; " + wording_.help, field(key));
        }
        return *v;
    }

    /// Reads `key` into `value` when present (absent keys keep their defaults): a bool, an integer
    /// (range-checked), a finite number, a string, an array of numbers, integers or strings, or a
    /// type with `static T from_json(const json&, const std::string& field)`.
    /// @returns whether the key was present
    template <class T>
    bool read(std::string_view key, T& value) {
        const auto* v = find(key);
        if (v == nullptr) return false;
        value = as<T>(key, *v);
        return true;
    }

    /// Reads an enum written by the name of its value.
    template <class Enum, std::size_t N>
    bool read(std::string_view key, Enum& value, const enum_names<Enum, N>& names) {
        std::string text;
        if (!read(key, text)) return false;
        for (const auto& [v, name] : names) {
            if (name == text) {
                value = v;
                return true;
            }
        }
        std::string choices;
        for (const auto& [v, name] : names)
            choices += (choices.empty() ? "" : ", ") + std::string(name);
        throw invalid_input_error("is \"" + text + "\", not one of: " + choices,
                                  "use one of those names", field(key));
    }

    /// `v`, the value of `key`, as a T (the types of read()).
    /// @throws invalid_input_error naming the field when `v` is not a T
    template <class T>
    [[nodiscard]] T as(std::string_view key, const nlohmann::json& v) const {
        if constexpr (std::is_same_v<T, bool>) {
            if (!v.is_boolean()) fail(field(key), "true or false", v);
            return v.get<bool>();
        } else if constexpr (std::is_integral_v<T>) {
            if (!v.is_number_integer())
                fail(field(key), std::is_unsigned_v<T> ? "an integer >= 0" : "an integer", v);
            if (v.is_number_unsigned()) {
                const auto u = v.get<std::uint64_t>();
                if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
                    fail(field(key), "a smaller integer", v);
                return static_cast<T>(u);
            }
            // A signed integer (parsed negative, or built in C++ from a signed type).
            const auto i = v.get<std::int64_t>();
            if constexpr (std::is_unsigned_v<T>) {
                if (i < 0) fail(field(key), "an integer >= 0", v);
                if (static_cast<std::uint64_t>(i) > std::numeric_limits<T>::max())
                    fail(field(key), "a smaller integer", v);
            } else {
                if (i < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
                    i > static_cast<std::int64_t>(std::numeric_limits<T>::max()))
                    fail(field(key), "an integer in range", v);
            }
            return static_cast<T>(i);
        } else if constexpr (std::is_floating_point_v<T>) {
            if (!v.is_number() || !std::isfinite(v.get<double>())) fail(field(key), "a number", v);
            return v.get<T>();
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (!v.is_string()) fail(field(key), "a string", v);
            return v.get<std::string>();
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
            if (!v.is_array()) fail(field(key), "an array of numbers", v);
            T out;
            for (const auto& e : v) {
                if (!e.is_number()) fail(field(key), "an array of numbers", v);
                out.push_back(e.get<double>());
            }
            return out;
        } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
            // Integral numbers, also when written with a fraction part (64.0).
            if (!v.is_array()) fail(field(key), "an array of integers", v);
            T out;
            for (const auto& e : v) {
                if (e.is_number_integer() &&
                    !(e.is_number_unsigned() &&
                      e.get<std::uint64_t>() >
                          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
                    out.push_back(e.get<std::int64_t>());
                } else if (e.is_number_float() && std::abs(e.get<double>()) <= 9.0e15 &&
                           e.get<double>() == std::floor(e.get<double>())) {
                    out.push_back(static_cast<std::int64_t>(e.get<double>()));
                } else {
                    fail(field(key), "an array of integers", v);
                }
            }
            return out;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            if (!v.is_array()) fail(field(key), "an array of strings", v);
            T out;
            for (const auto& e : v) {
                if (!e.is_string()) fail(field(key), "an array of strings", v);
                out.push_back(e.get<std::string>());
            }
            return out;
        } else if constexpr (requires { T::from_json(v, std::string()); }) {
            return T::from_json(v, field(key));  // a value with a JSON form of its own
        } else {
            static_assert(sizeof(T) == 0, "strict_object_reader: unsupported type");
        }
    }

    /// @throws invalid_input_error naming the first key that was not read
    void finish() const {
        for (const auto& [key, unused] : json_.items()) {
            if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) {
                throw invalid_input_error("unknown " + wording_.noun + " of " + wording_.owner,
                                          "check the spelling; " + wording_.help, field(key));
            }
        }
    }

    /// Throws the error of a value of the wrong type: "<field>: must be <expected>, not <v>".
    [[noreturn]] void fail(const std::string& name, std::string_view expected,
                           const nlohmann::json& v) const {
        fail(name, expected, v, wording_.remedy);
    }

    /// The same error, with its remedy given (for values read outside a reader).
    [[noreturn]] static void fail(const std::string& name, std::string_view expected,
                                  const nlohmann::json& v, const std::string& remedy) {
        throw invalid_input_error("must be " + std::string(expected) + ", not " + shown(v), remedy,
                                  name);
    }

    /// A value as an error message shows it (at most 80 characters).
    [[nodiscard]] static std::string shown(const nlohmann::json& v) {
        std::string text = v.dump();
        if (text.size() > 80) text = text.substr(0, 77) + "...";
        return text;
    }

  private:
    const nlohmann::json& json_;
    std::string prefix_;
    strict_reading wording_;
    std::vector<std::string> seen_;
};

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

MLPIPE_DECL std::uint64_t json_depth(const nlohmann::json& j, std::uint64_t stop) {
    if (!j.is_structured()) return 0;
    if (stop == 0) return 1;
    std::uint64_t deepest = 0;
    for (const auto& child : j) {
        deepest = std::max(deepest, json_depth(child, stop - 1));
        if (deepest >= stop) break;
    }
    return deepest + 1;
}

MLPIPE_DECL std::optional<std::size_t> json_too_deep(std::string_view text,
                                                     std::uint64_t max_depth) noexcept {
    std::uint64_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::nullopt;
}

MLPIPE_DECL nlohmann::json parse_json_limited(std::string_view text, std::uint64_t max_depth,
                                              const source_position& where,
                                              const std::string& what) {
    const auto at = [&](std::uint64_t delta) {
        source_position p = where;
        if (p.offset == source_position::no_offset) p.offset = 0;
        p.offset += delta;
        return p;
    };
    if (const auto deep = json_too_deep(text, max_depth)) {
        throw format_error(what + " nests arrays and objects deeper than the limit of " +
                               std::to_string(max_depth),
                           "flatten the nested values", at(*deep));
    }
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        throw format_error(what + " is not valid JSON: " + std::string(e.what()),
                           "the file is corrupt or was not written by mlpipe",
                           at(e.byte > 0 ? e.byte - 1 : 0));
    } catch (const nlohmann::json::exception& e) {
        throw format_error(what + " cannot be read: " + std::string(e.what()),
                           "the file is corrupt or was not written by mlpipe", where);
    }
}

MLPIPE_DECL std::optional<std::uint64_t> json_unsigned(const nlohmann::json& j) {
    if (j.is_number_unsigned()) return j.get<std::uint64_t>();
    if (j.is_number_integer() && j.get<std::int64_t>() >= 0) {
        return static_cast<std::uint64_t>(j.get<std::int64_t>());
    }
    return std::nullopt;
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe::detail

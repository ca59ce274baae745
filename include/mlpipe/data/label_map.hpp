// SPDX-License-Identifier: Apache-2.0
/// @file data/label_map.hpp The map between a data set's original labels and class indices.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "../error.hpp"

namespace mlpipe {

/// What the original labels were.
enum class label_kind {
    none,     ///< no labels (unlabelled data)
    integer,  ///< 64-bit integers, e.g. 0..9 or -1/+1
    string    ///< text, e.g. "setosa"
};

/// An original label: an integer or a string.
using label_value = std::variant<std::int64_t, std::string>;

/// Class index i <-> original label. Classes are sorted (integers numerically, strings by bytes),
/// as scikit-learn's `classes_`, so class indices do not depend on the order rows arrive in.
/// Thread safety: immutable after construction; concurrent reads are safe.
class label_map {
  public:
    /// An empty map (no classes).
    label_map() = default;

    /// The classes found in `labels` (any order, repeats allowed).
    [[nodiscard]] static label_map from_integers(std::vector<std::int64_t> labels) {
        std::sort(labels.begin(), labels.end());
        labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
        check_size(labels.size());
        label_map map;
        map.kind_ = label_kind::integer;
        map.integers_ = std::move(labels);
        return map;
    }

    /// The classes found in `labels` (any order, repeats allowed).
    [[nodiscard]] static label_map from_strings(std::vector<std::string> labels) {
        std::sort(labels.begin(), labels.end());
        labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
        check_size(labels.size());
        label_map map;
        map.kind_ = label_kind::string;
        map.strings_ = std::move(labels);
        return map;
    }

    [[nodiscard]] label_kind kind() const noexcept { return kind_; }
    /// Number of classes.
    [[nodiscard]] std::size_t size() const noexcept {
        return kind_ == label_kind::integer ? integers_.size() : strings_.size();
    }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }

    /// The class index of an integer label, or nullopt. Complexity: O(log classes).
    [[nodiscard]] std::optional<std::int32_t> find(std::int64_t label) const noexcept {
        if (kind_ != label_kind::integer) return std::nullopt;
        const auto it = std::lower_bound(integers_.begin(), integers_.end(), label);
        if (it == integers_.end() || *it != label) return std::nullopt;
        return static_cast<std::int32_t>(it - integers_.begin());
    }

    /// The class index of a string label, or nullopt. Complexity: O(log classes).
    [[nodiscard]] std::optional<std::int32_t> find(std::string_view label) const noexcept {
        if (kind_ != label_kind::string) return std::nullopt;
        const auto it =
            std::lower_bound(strings_.begin(), strings_.end(), label,
                             [](const std::string& a, std::string_view b) { return a < b; });
        if (it == strings_.end() || *it != label) return std::nullopt;
        return static_cast<std::int32_t>(it - strings_.begin());
    }

    /// The class index of `label`. Throws invalid_input_error when it is not a known class.
    template <class Label>
    [[nodiscard]] std::int32_t index_of(const Label& label) const {
        std::optional<std::int32_t> index;
        std::string shown;
        if constexpr (std::is_integral_v<Label>) {
            index = find(static_cast<std::int64_t>(label));
            shown = std::to_string(label);
        } else {
            index = find(std::string_view(label));
            shown = '"' + std::string(label) + '"';
        }
        if (!index) {
            throw invalid_input_error("label " + shown + " is not one of the " +
                                          std::to_string(size()) + " known classes (" + describe() +
                                          ")",
                                      "use a label the model was trained with");
        }
        return *index;
    }

    /// The original label of class `index`. Precondition: index < size().
    [[nodiscard]] label_value label(std::size_t index) const {
        if (kind_ == label_kind::integer) return integers_.at(index);
        return strings_.at(index);
    }

    /// The original label of class `index` as text ("7", "setosa").
    [[nodiscard]] std::string name(std::size_t index) const {
        if (kind_ == label_kind::integer) return std::to_string(integers_.at(index));
        return strings_.at(index);
    }

    /// The sorted integer classes (empty unless kind() == integer).
    [[nodiscard]] const std::vector<std::int64_t>& integers() const noexcept { return integers_; }
    /// The sorted string classes (empty unless kind() == string).
    [[nodiscard]] const std::vector<std::string>& strings() const noexcept { return strings_; }

    /// A short list of the classes for messages: "setosa, versicolor, virginica" (first 10).
    [[nodiscard]] std::string describe() const {
        std::string text;
        const std::size_t shown = std::min<std::size_t>(size(), 10);
        for (std::size_t i = 0; i < shown; ++i) {
            if (i) text += ", ";
            text += name(i);
        }
        if (size() > shown) text += ", ...";
        return text;
    }

    /// JSON form: {"kind": "integer"|"string"|"none", "classes": [...]}.
    [[nodiscard]] nlohmann::json to_json() const {
        nlohmann::json j;
        switch (kind_) {
            case label_kind::none:
                j["kind"] = "none";
                j["classes"] = nlohmann::json::array();
                break;
            case label_kind::integer:
                j["kind"] = "integer";
                j["classes"] = integers_;
                break;
            case label_kind::string:
                j["kind"] = "string";
                j["classes"] = strings_;
                break;
        }
        return j;
    }

    /// Reads the form written by to_json(). Throws invalid_input_error on anything else,
    /// including unsorted or repeated classes.
    [[nodiscard]] static label_map from_json(const nlohmann::json& j) {
        const auto bad = [](const std::string& what) {
            return invalid_input_error("label map: " + what,
                                       "write it as {\"kind\": \"integer\"|\"string\"|\"none\", "
                                       "\"classes\": [sorted, unique labels]}",
                                       "label_map");
        };
        if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string() ||
            !j.contains("classes") || !j["classes"].is_array()) {
            throw bad("not an object with a string \"kind\" and an array \"classes\"");
        }
        const auto kind = j["kind"].get<std::string>();
        const auto& classes = j["classes"];
        label_map map;
        if (kind == "none") {
            if (!classes.empty()) throw bad("kind \"none\" with classes");
            return map;
        }
        if (kind == "integer") {
            for (const auto& c : classes) {
                if (!c.is_number_integer())
                    throw bad("a class of kind \"integer\" is not an integer");
                map.integers_.push_back(c.get<std::int64_t>());
            }
            if (!std::is_sorted(map.integers_.begin(), map.integers_.end()) ||
                std::adjacent_find(map.integers_.begin(), map.integers_.end()) !=
                    map.integers_.end()) {
                throw bad("classes are not sorted and unique");
            }
            map.kind_ = label_kind::integer;
        } else if (kind == "string") {
            for (const auto& c : classes) {
                if (!c.is_string()) throw bad("a class of kind \"string\" is not a string");
                map.strings_.push_back(c.get<std::string>());
            }
            if (!std::is_sorted(map.strings_.begin(), map.strings_.end()) ||
                std::adjacent_find(map.strings_.begin(), map.strings_.end()) !=
                    map.strings_.end()) {
                throw bad("classes are not sorted and unique");
            }
            map.kind_ = label_kind::string;
        } else {
            throw bad("unknown kind \"" + kind + "\"");
        }
        check_size(map.size());
        return map;
    }

    friend bool operator==(const label_map&, const label_map&) = default;

  private:
    static void check_size(std::size_t n) {
        if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
            throw invalid_input_error("more than 2^31-1 distinct classes",
                                      "check that the label column holds class labels");
        }
    }

    label_kind kind_ = label_kind::none;
    std::vector<std::int64_t> integers_;
    std::vector<std::string> strings_;
};

}  // namespace mlpipe

// SPDX-License-Identifier: Apache-2.0
/// @file artifact/manifest.hpp `artifact_manifest`: what an artifact says about its model (kind,
/// scalar type, hyperparameters, features, labels, preprocessing, metrics, lineage), and its JSON.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../data/label_map.hpp"
#include "../detail/json.hpp"
#include "../error.hpp"
#include "../version.hpp"
#include "tensor.hpp"

namespace mlpipe {

/// The features a model expects, in column order.
struct feature_schema {
    std::uint64_t count = 0;         ///< number of features (columns)
    std::vector<std::string> names;  ///< empty, or `count` unique names

    friend bool operator==(const feature_schema&, const feature_schema&) = default;
};

/// Where a model came from. Every field is informative: loading never depends on it.
struct training_lineage {
    std::string request_id;       ///< the training request that produced the model
    std::string dataset_name;     ///< the dataset the worker's configuration names
    std::string dataset_digest;   ///< a digest of the training data, as the data source reports it
    std::uint64_t row_count = 0;  ///< rows trained on
    std::string watermark;        ///< the data source's watermark when the data was fetched
    double time_taken_seconds = 0;  ///< wall time of the fit
    std::string created_at;         ///< UTC time of creation, ISO 8601 ("2024-05-01T12:00:00Z")

    friend bool operator==(const training_lineage&, const training_lineage&) = default;
};

/// The manifest of an artifact, less its tensor table (the artifact's tensors are the table).
///
/// `hyperparameters`, `metrics` (JSON objects) and `preprocessing` (a JSON array of steps) belong
/// to the model kind that writes them; the format only checks their JSON type. JSON has no NaN or
/// infinity: a non-finite number there is written as null.
/// Thread safety: a value type; const access may be concurrent.
struct artifact_manifest {
    std::string kind;                                ///< stable kind name: "logistic_regression"
    tensor_dtype scalar_type = tensor_dtype::f64;    ///< f32 or f64: the model's Scalar
    std::string library_version{mlpipe::version()};  ///< the mlpipe version that wrote it
    nlohmann::json hyperparameters = nlohmann::json::object();
    feature_schema features;
    label_map labels;
    nlohmann::json preprocessing = nlohmann::json::array();
    nlohmann::json metrics = nlohmann::json::object();
    training_lineage lineage;

    friend bool operator==(const artifact_manifest& a, const artifact_manifest& b) {
        return a.kind == b.kind && a.scalar_type == b.scalar_type &&
               a.library_version == b.library_version && a.hyperparameters == b.hyperparameters &&
               a.features == b.features && a.labels == b.labels &&
               a.preprocessing == b.preprocessing && a.metrics == b.metrics &&
               a.lineage == b.lineage;
    }
};

namespace detail {

/// A reader of manifest fields that throws format_error naming the field.
class manifest_reader {
  public:
    manifest_reader(const nlohmann::json& j, source_position where)
        : j_(j), where_(std::move(where)) {}

    [[noreturn]] void fail(const std::string& problem) const {
        throw format_error("manifest: " + problem,
                           "the artifact is corrupt, or was written by a tool that does not follow "
                           "docs/artifact-format.md",
                           where_);
    }

    /// The member `key`, or null when absent (`required` members fail instead).
    [[nodiscard]] const nlohmann::json* member(const nlohmann::json& object, const char* key,
                                               bool required, const std::string& path) const {
        const auto it = object.find(key);
        if (it == object.end()) {
            if (required) fail("the field \"" + path + key + "\" is missing");
            return nullptr;
        }
        return &*it;
    }

    [[nodiscard]] std::string string_of(const nlohmann::json& object, const char* key,
                                        bool required, const std::string& path = {}) const {
        const auto* v = member(object, key, required, path);
        if (!v) return {};
        if (!v->is_string()) fail("the field \"" + path + key + "\" is not a string");
        return v->get<std::string>();
    }

    [[nodiscard]] std::uint64_t unsigned_of(const nlohmann::json& object, const char* key,
                                            bool required, const std::string& path = {}) const {
        const auto* v = member(object, key, required, path);
        if (!v) return 0;
        const auto value = json_unsigned(*v);
        if (!value) fail("the field \"" + path + key + "\" is not an integer in [0, 2^64)");
        return *value;
    }

    [[nodiscard]] const nlohmann::json& root() const noexcept { return j_; }
    [[nodiscard]] const source_position& where() const noexcept { return where_; }

  private:
    const nlohmann::json& j_;
    source_position where_;
};

}  // namespace detail

/// The manifest as JSON (without the "tensors" table, which the encoder adds). Keys come out
/// sorted, so the same manifest always gives the same text.
/// Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL nlohmann::json manifest_to_json(const artifact_manifest& m);

/// Reads the manifest fields of `j` (the "tensors" table is not read here). Unknown fields are
/// ignored; "kind", "scalar_type" and "library_version" are required, every other field defaults
/// to empty.
/// @throws format_error saying which field is wrong.
/// Complexity: O(size of j).
[[nodiscard]] MLPIPE_DECL artifact_manifest manifest_from_json(const nlohmann::json& j,
                                                               const source_position& where,
                                                               const artifact_limits& limits = {});

/// Checks that `m` can be written: a valid kind, f32 or f64 scalars, consistent features, JSON
/// types of the free-form fields, nesting within the limit.
/// @throws invalid_input_error saying what to fix.
MLPIPE_DECL void check_manifest(const artifact_manifest& m, const artifact_limits& limits = {});

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

MLPIPE_DECL nlohmann::json manifest_to_json(const artifact_manifest& m) {
    nlohmann::json j;
    j["kind"] = m.kind;
    j["scalar_type"] = std::string(to_string(m.scalar_type));
    j["library_version"] = m.library_version;
    j["hyperparameters"] = m.hyperparameters;
    j["features"] = {{"count", m.features.count}, {"names", m.features.names}};
    j["label_map"] = m.labels.to_json();
    j["preprocessing"] = m.preprocessing;
    j["metrics"] = m.metrics;
    j["lineage"] = {{"request_id", m.lineage.request_id},
                    {"dataset_name", m.lineage.dataset_name},
                    {"dataset_digest", m.lineage.dataset_digest},
                    {"row_count", m.lineage.row_count},
                    {"watermark", m.lineage.watermark},
                    {"time_taken_seconds", m.lineage.time_taken_seconds},
                    {"created_at", m.lineage.created_at}};
    return j;
}

MLPIPE_DECL artifact_manifest manifest_from_json(const nlohmann::json& j,
                                                 const source_position& where,
                                                 const artifact_limits& limits) {
    const detail::manifest_reader r(j, where);
    if (!j.is_object()) r.fail("the manifest is not a JSON object");
    artifact_manifest m;
    m.kind = r.string_of(j, "kind", true);
    if (const auto why = detail::check_identifier(m.kind, limits.clamped().max_name_bytes);
        !why.empty()) {
        r.fail("the kind \"" + m.kind.substr(0, 64) + "\" " + why);
    }
    const auto scalar = r.string_of(j, "scalar_type", true);
    if (scalar == "f32") {
        m.scalar_type = tensor_dtype::f32;
    } else if (scalar == "f64") {
        m.scalar_type = tensor_dtype::f64;
    } else {
        r.fail("the scalar type \"" + scalar.substr(0, 16) + "\" is neither \"f32\" nor \"f64\"");
    }
    m.library_version = r.string_of(j, "library_version", true);

    if (const auto* v = r.member(j, "hyperparameters", false, {})) {
        if (!v->is_object()) r.fail("the field \"hyperparameters\" is not an object");
        m.hyperparameters = *v;
    }
    if (const auto* v = r.member(j, "metrics", false, {})) {
        if (!v->is_object()) r.fail("the field \"metrics\" is not an object");
        m.metrics = *v;
    }
    if (const auto* v = r.member(j, "preprocessing", false, {})) {
        if (!v->is_array()) r.fail("the field \"preprocessing\" is not an array");
        m.preprocessing = *v;
    }
    if (const auto* f = r.member(j, "features", false, {})) {
        if (!f->is_object()) r.fail("the field \"features\" is not an object");
        m.features.count = r.unsigned_of(*f, "count", true, "features.");
        if (m.features.count >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            r.fail("the feature count is out of range");
        }
        if (const auto* names = r.member(*f, "names", false, "features.")) {
            if (!names->is_array()) r.fail("the field \"features.names\" is not an array");
            if (!names->empty() && names->size() != m.features.count) {
                r.fail("\"features.names\" holds " + std::to_string(names->size()) + " names for " +
                       std::to_string(m.features.count) + " features");
            }
            std::unordered_set<std::string> seen;
            for (const auto& name : *names) {
                if (!name.is_string()) r.fail("a feature name is not a string");
                if (!seen.insert(name.get<std::string>()).second) {
                    r.fail("the feature name \"" + name.get<std::string>().substr(0, 64) +
                           "\" appears twice");
                }
                m.features.names.push_back(name.get<std::string>());
            }
        }
    }
    if (const auto* labels = r.member(j, "label_map", false, {})) {
        try {
            m.labels = label_map::from_json(*labels);
        } catch (const invalid_input_error& e) {
            r.fail(e.problem());
        }
    }
    if (const auto* l = r.member(j, "lineage", false, {})) {
        if (!l->is_object()) r.fail("the field \"lineage\" is not an object");
        m.lineage.request_id = r.string_of(*l, "request_id", false, "lineage.");
        m.lineage.dataset_name = r.string_of(*l, "dataset_name", false, "lineage.");
        m.lineage.dataset_digest = r.string_of(*l, "dataset_digest", false, "lineage.");
        m.lineage.row_count = r.unsigned_of(*l, "row_count", false, "lineage.");
        m.lineage.watermark = r.string_of(*l, "watermark", false, "lineage.");
        m.lineage.created_at = r.string_of(*l, "created_at", false, "lineage.");
        if (const auto* t = r.member(*l, "time_taken_seconds", false, "lineage.")) {
            if (!t->is_number()) r.fail("the field \"lineage.time_taken_seconds\" is not a number");
            m.lineage.time_taken_seconds = t->get<double>();
        }
    }
    return m;
}

MLPIPE_DECL void check_manifest(const artifact_manifest& m, const artifact_limits& limits) {
    const auto lim = limits.clamped();
    const auto bad = [](const std::string& problem, const std::string& remedy,
                        const char* subject) {
        return invalid_input_error("artifact manifest: " + problem, remedy, subject);
    };
    if (const auto why = detail::check_identifier(m.kind, lim.max_name_bytes); !why.empty()) {
        throw bad("the kind \"" + m.kind + "\" " + why,
                  "name the model kind with 1 to 128 characters of A-Z a-z 0-9 _ . : / -", "kind");
    }
    if (m.scalar_type != tensor_dtype::f32 && m.scalar_type != tensor_dtype::f64) {
        throw bad("the scalar type is " + std::string(to_string(m.scalar_type)), "use f32 or f64",
                  "scalar_type");
    }
    if (!m.features.names.empty() && m.features.names.size() != m.features.count) {
        throw bad(std::to_string(m.features.names.size()) + " feature names for " +
                      std::to_string(m.features.count) + " features",
                  "give one name per feature, or none", "features");
    }
    std::unordered_set<std::string_view> seen;
    for (const auto& name : m.features.names) {
        if (!seen.insert(name).second) {
            throw bad("the feature name \"" + name + "\" appears twice", "make the names unique",
                      "features");
        }
    }
    if (!m.hyperparameters.is_object()) {
        throw bad("hyperparameters are not a JSON object", "store them as an object",
                  "hyperparameters");
    }
    if (!m.metrics.is_object())
        throw bad("metrics are not a JSON object", "store them as an object", "metrics");
    if (!m.preprocessing.is_array()) {
        throw bad("preprocessing is not a JSON array", "store the steps as an array",
                  "preprocessing");
    }
    // The manifest root adds one level, "features"/"lineage" another: the free-form fields may nest
    // max_json_depth - 1 levels.
    for (const auto* field : {&m.hyperparameters, &m.metrics, &m.preprocessing}) {
        if (detail::json_depth(*field, lim.max_json_depth) > lim.max_json_depth - 1) {
            throw bad("a free-form field nests deeper than " +
                          std::to_string(lim.max_json_depth - 1) + " levels",
                      "flatten it", "manifest");
        }
    }
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe

// SPDX-License-Identifier: Apache-2.0
/// @file serving/request_codec.hpp Reading prediction events (direct invocations, API Gateway
/// proxy events v1 and v2, S3 notifications) and writing responses, as JSON; hostile input gives
/// typed errors, never a crash, in time linear in its size.
///
/// JSON has no NaN: a client sends a missing value as `null`, read as NaN (accepted only under the
/// predictor's missing_value_policy). Numbers too large for a double (1e999) read as infinity and
/// are refused by the predictor.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../artifact/manifest.hpp"
#include "../detail/text_codec.hpp"
#include "../error.hpp"
#include "predictor.hpp"
#include "serving_error.hpp"

namespace mlpipe {

/// The shapes of event a handler understands.
enum class event_kind {
    invocation,  ///< a direct call: {"model": ..., "alias"|"version": ..., "instances": [...]}
    http_v1,     ///< API Gateway REST proxy event (httpMethod, path, body, isBase64Encoded)
    http_v2,     ///< API Gateway HTTP API / function URL event ("version": "2.0", rawPath, ...)
    storage      ///< S3 notification ({"Records": [{"eventSource": "aws:s3", ...}]})
};

/// The HTTP part of a proxy event.
struct http_request {
    std::string method;  ///< "GET", "POST", ...
    std::string path;    ///< path without the query string
    std::string body;    ///< decoded (base64 bodies are decoded)
};

/// A decoded prediction request.
struct predict_request {
    std::string model;      ///< "" when the event does not name one
    std::string reference;  ///< alias, version number or "latest"; "" when not given
    feature_rows rows;
};

namespace detail {

/// JSON text of `j`; invalid UTF-8 (echoed from a request) is replaced, never thrown.
[[nodiscard]] inline std::string json_text(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

[[noreturn]] inline void bad_request(std::string problem, std::string remedy,
                                     std::string subject = {}) {
    throw invalid_input_error(std::move(problem), std::move(remedy), std::move(subject));
}

inline double instance_value(const nlohmann::json& v, std::size_t row, std::string_view column) {
    if (v.is_number()) return v.get<double>();
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
    bad_request(
        "instance " + std::to_string(row) + ", feature " + std::string(column) + " is not a number",
        "send numbers; send null for a missing value", "instances");
}

}  // namespace detail

/// Parses request JSON refusing more than `limits.max_payload_bytes` bytes and nesting deeper
/// than `limits.max_json_depth`, before any value is built.
/// @throws payload_too_large_error (too many bytes); invalid_input_error (not JSON, too deep).
/// Complexity: O(text).
[[nodiscard]] inline nlohmann::json parse_request_json(std::string_view text,
                                                       const serving_limits& limits,
                                                       std::string_view what = "the request") {
    if (text.size() > limits.max_payload_bytes) {
        throw payload_too_large_error(std::string(what) + " is " + std::to_string(text.size()) +
                                          " bytes, more than the limit of " +
                                          std::to_string(limits.max_payload_bytes),
                                      "send fewer instances per request", "payload");
    }
    try {
        return detail::parse_json_limited(text, limits.max_json_depth,
                                          source_position{std::string(what), 0, 0, 0},
                                          std::string(what));
    } catch (const format_error& e) {
        throw invalid_input_error(e.problem(), "send a JSON object (see docs/serving.md)",
                                  "payload");
    }
}

/// Which kind of event `event` is (an object that is none of the others is an invocation).
[[nodiscard]] inline event_kind classify_event(const nlohmann::json& event) {
    if (!event.is_object()) {
        detail::bad_request("the event is not a JSON object", "send a JSON object", "event");
    }
    if (event.contains("Records")) return event_kind::storage;
    if (const auto it = event.find("version");
        it != event.end() && *it == "2.0" && event.contains("requestContext"))
        return event_kind::http_v2;
    if (event.contains("httpMethod")) return event_kind::http_v1;
    return event_kind::invocation;
}

/// The method, path and decoded body of a proxy event.
/// @throws invalid_input_error when a field has the wrong type or the base64 body is malformed.
[[nodiscard]] inline http_request read_http_event(const nlohmann::json& event, event_kind kind) {
    const auto text = [&](const nlohmann::json& parent, const char* key) -> std::string {
        const auto it = parent.find(key);
        if (it == parent.end() || it->is_null()) return {};
        if (!it->is_string()) {
            detail::bad_request(std::string("the event's \"") + key + "\" is not a string",
                                "send an API Gateway proxy event", "event");
        }
        return it->get<std::string>();
    };
    http_request r;
    if (kind == event_kind::http_v2) {
        const auto& context = event.at("requestContext");
        const auto http = context.is_object() ? context.find("http") : context.end();
        if (http != context.end() && http->is_object()) r.method = text(*http, "method");
        r.path = text(event, "rawPath");
        if (r.path.empty() && http != context.end() && http->is_object())
            r.path = text(*http, "path");
    } else {
        r.method = text(event, "httpMethod");
        r.path = text(event, "path");
    }
    if (const auto q = r.path.find('?'); q != std::string::npos) r.path.resize(q);
    r.body = text(event, "body");
    const auto b64 = event.find("isBase64Encoded");
    if (b64 != event.end() && b64->is_boolean() && b64->get<bool>()) {
        auto decoded = detail::base64_decode(r.body);
        if (!decoded) {
            detail::bad_request("the body is marked base64 but is not valid base64",
                                "encode the body correctly", "body");
        }
        r.body = std::move(*decoded);
    }
    return r;
}

/// The object keys of the S3 records in a storage event (URL-decoded); other records are skipped.
/// @throws invalid_input_error when "Records" is missing or not an array.
[[nodiscard]] inline std::vector<std::string> read_storage_keys(const nlohmann::json& event,
                                                                std::size_t* skipped = nullptr) {
    const auto found = event.is_object() ? event.find("Records") : event.end();
    if (found == event.end() || !found->is_array()) {
        detail::bad_request("\"Records\" is not an array", "send an S3 event notification",
                            "Records");
    }
    std::vector<std::string> keys;
    std::size_t ignored = 0;
    for (const auto& record : *found) {
        const nlohmann::json* key = nullptr;
        const auto source = record.is_object() ? record.find("eventSource") : record.end();
        if (source != record.end() && source->is_string() &&
            source->get_ref<const std::string&>() == "aws:s3") {
            const auto s3 = record.find("s3");
            if (s3 != record.end() && s3->is_object()) {
                const auto object = s3->find("object");
                if (object != s3->end() && object->is_object()) {
                    const auto k = object->find("key");
                    if (k != object->end() && k->is_string()) key = &*k;
                }
            }
        }
        if (key) {
            keys.push_back(detail::url_decode(key->get_ref<const std::string&>(), true));
        } else {
            ++ignored;
        }
    }
    if (skipped) *skipped = ignored;
    return keys;
}

/// Reads {"model"?, "alias"|"version"?, "instances": [...]} where instances are arrays of
/// numbers (null for missing) or objects of feature name -> number.
/// @throws invalid_input_error naming the field at fault.
/// Complexity: O(values).
[[nodiscard]] inline predict_request read_predict_request(const nlohmann::json& body) {
    if (!body.is_object()) {
        detail::bad_request("the request is not a JSON object",
                            "send {\"instances\": [[...], ...]}", "request");
    }
    predict_request r;
    if (const auto it = body.find("model"); it != body.end() && !it->is_null()) {
        if (!it->is_string())
            detail::bad_request("\"model\" is not a string", "name the model", "model");
        r.model = it->get<std::string>();
    }
    const auto alias = body.find("alias");
    const auto version = body.find("version");
    const bool has_alias = alias != body.end() && !alias->is_null();
    const bool has_version = version != body.end() && !version->is_null();
    if (has_alias && has_version) {
        detail::bad_request("both \"alias\" and \"version\" are given", "give one of them",
                            "version");
    }
    if (has_alias) {
        if (!alias->is_string())
            detail::bad_request("\"alias\" is not a string", "name an alias", "alias");
        r.reference = alias->get<std::string>();
    } else if (has_version) {
        if (version->is_number_unsigned() ||
            (version->is_number_integer() && version->get<std::int64_t>() > 0)) {
            r.reference = std::to_string(version->get<std::uint64_t>());
        } else if (version->is_string()) {
            r.reference = version->get<std::string>();  // "7" or "latest"
        } else {
            detail::bad_request("\"version\" is not a positive integer or \"latest\"",
                                "name a published version", "version");
        }
    }
    const auto instances = body.find("instances");
    if (instances == body.end() || !instances->is_array()) {
        detail::bad_request("the request has no \"instances\" array",
                            "send {\"instances\": [[...], ...]}", "instances");
    }
    if (instances->empty()) {
        detail::bad_request("\"instances\" is empty", "send at least one instance", "instances");
    }
    auto& rows = r.rows;
    rows.rows = instances->size();
    const auto& first = instances->front();
    if (first.is_array()) {
        rows.columns = first.size();
        rows.values.reserve(rows.rows * rows.columns);
        std::size_t row = 0;
        for (const auto& instance : *instances) {
            if (!instance.is_array() || instance.size() != rows.columns) {
                detail::bad_request("instance " + std::to_string(row) + " is not an array of " +
                                        std::to_string(rows.columns) + " values like instance 0",
                                    "give every instance the same number of values", "instances");
            }
            std::size_t column = 0;
            for (const auto& v : instance)
                rows.values.push_back(detail::instance_value(v, row, std::to_string(column++)));
            ++row;
        }
    } else if (first.is_object()) {
        rows.columns = first.size();
        rows.names.reserve(rows.columns);
        for (const auto& item : first.items())
            rows.names.push_back(item.key());
        rows.values.reserve(rows.rows * rows.columns);
        std::size_t row = 0;
        for (const auto& instance : *instances) {
            if (!instance.is_object()) {
                detail::bad_request(
                    "instance " + std::to_string(row) + " is not an object like instance 0",
                    "send every instance the same way", "instances");
            }
            for (const auto& name : rows.names) {
                const auto v = instance.find(name);
                if (v == instance.end()) {
                    detail::bad_request(
                        "instance " + std::to_string(row) + " lacks feature \"" + name + "\"",
                        "give every instance the same features; send null for a "
                        "missing value",
                        "instances");
                }
                rows.values.push_back(detail::instance_value(*v, row, "\"" + name + "\""));
            }
            if (instance.size() != rows.columns) {
                for (const auto& item : instance.items()) {
                    if (!first.contains(item.key())) {
                        detail::bad_request("instance " + std::to_string(row) + " has feature \"" +
                                                item.key().substr(0, 64) +
                                                "\" that instance 0 lacks",
                                            "give every instance the same features", "instances");
                    }
                }
            }
            ++row;
        }
    } else {
        detail::bad_request("instance 0 is neither an array nor an object",
                            "send arrays of numbers or objects of feature name to number",
                            "instances");
    }
    return r;
}

/// The JSON value of class `index`'s label: an integer, a string, or the index when unlabelled.
[[nodiscard]] inline nlohmann::json label_json(const label_map& labels, std::size_t index) {
    switch (labels.kind()) {
        case label_kind::integer:
            return labels.integers().at(index);
        case label_kind::string:
            return labels.strings().at(index);
        case label_kind::none:
            break;
    }
    return index;
}

/// The success body: {"model", "version", "digest", "predictions": [label per instance],
/// "classes": [labels], "probabilities": [[per class] per instance]}.
[[nodiscard]] inline nlohmann::json prediction_to_json(const prediction& p) {
    const auto& labels = p.labels();
    nlohmann::json classes = nlohmann::json::array();
    const auto n_classes = static_cast<std::size_t>(p.probabilities.cols());
    for (std::size_t k = 0; k < n_classes; ++k)
        classes.push_back(label_json(labels, k));
    nlohmann::json predictions = nlohmann::json::array();
    nlohmann::json probabilities = nlohmann::json::array();
    for (Eigen::Index r = 0; r < p.classes.size(); ++r) {
        predictions.push_back(label_json(labels, static_cast<std::size_t>(p.classes(r))));
        nlohmann::json row = nlohmann::json::array();
        for (Eigen::Index k = 0; k < p.probabilities.cols(); ++k)
            row.push_back(p.probabilities(r, k));
        probabilities.push_back(std::move(row));
    }
    return nlohmann::json{{"model", p.model()},
                          {"version", p.version()},
                          {"digest", p.digest()},
                          {"predictions", std::move(predictions)},
                          {"classes", std::move(classes)},
                          {"probabilities", std::move(probabilities)}};
}

/// The model description: name, version, digest, kind, features, classes, metrics, publication.
[[nodiscard]] inline nlohmann::json model_to_json(const served_model& m) {
    const auto& manifest = m.model.manifest();
    nlohmann::json classes = nlohmann::json::array();
    for (std::size_t k = 0; k < manifest.labels.size(); ++k)
        classes.push_back(label_json(manifest.labels, k));
    return nlohmann::json{
        {"model", m.info.model},
        {"version", m.info.version},
        {"digest", m.info.sha256},
        {"kind", manifest.kind},
        {"features", {{"count", manifest.features.count}, {"names", manifest.features.names}}},
        {"classes", std::move(classes)},
        {"imputes_missing_values", m.imputes},
        {"metrics", manifest.metrics},
        {"published_at", m.info.published_at}};
}

/// The error body: {"error": {"type": ..., "message": ..., "status": ...}}.
[[nodiscard]] inline std::string error_to_json(std::string_view type, std::string_view message,
                                               int status) {
    return detail::json_text(
        nlohmann::json{{"error", {{"type", type}, {"message", message}, {"status", status}}}});
}

}  // namespace mlpipe

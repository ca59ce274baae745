// SPDX-License-Identifier: Apache-2.0
/// @file serving/handler.hpp `handler`: an AWS-Lambda-shaped function, `std::string
/// handle(std::string_view event)`, that answers prediction requests (direct invocations, API
/// Gateway proxy events v1 and v2) and storage notifications through a predictor, and never throws.
///
/// Routes of proxy events (anything before "/v1/models/" in the path, such as a stage, is ignored):
///
/// - POST /v1/models/NAME:predict: predictions of NAME at the default reference (or the body's)
/// - POST /v1/models/NAME/aliases/ALIAS:predict: predictions of that alias
/// - POST /v1/models/NAME/versions/N:predict: predictions of version N ("latest" too)
/// - GET /v1/models/NAME[/aliases/ALIAS or /versions/N]: the model's description
///
/// Proxy events are answered in proxy shape ({"statusCode", "headers", "body"}); direct
/// invocations and storage events with the JSON body alone. Errors are
/// {"error": {"type", "message", "status"}} with the status of status_of() (405 for a wrong
/// method). See docs/serving.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../artifact/kinds.hpp"
#include "../error.hpp"
#include "../storage/blob_store.hpp"
#include "predictor.hpp"
#include "request_codec.hpp"
#include "serving_error.hpp"

namespace mlpipe {

/// Options of handler.
struct handler_options {
    /// The model requests get when they name none ("one function per model"); "" means every
    /// request must name its model.
    std::string model;
    /// The reference requests get when they name none: an alias, "latest" or a version number.
    std::string reference = "production";
    /// Refuse (404) requests for any model but `model`.
    bool only_default_model = false;
};

/// Answers events with a predictor (see the file comment for the shapes).
/// Thread safety: handle() may be called concurrently (as the predictor's members). The predictor
/// must outlive the handler.
template <blob_store Store, class Models = registered_models>
class handler {
  public:
    explicit handler(predictor<Store, Models>& p, handler_options options = {})
        : predictor_(&p), options_(std::move(options)) {}

    /// Answers one event; never throws (an out-of-memory while writing the answer terminates, as
    /// nothing can be answered then).
    /// Complexity: linear in the event's size, plus the model's work.
    [[nodiscard]] std::string handle(std::string_view event) noexcept {
        bool proxy = false;
        try {
            const auto& limits = predictor_->options().limits;
            if (event.size() > limits.max_payload_bytes) {
                // Too large to parse: answer in proxy shape when it looks like a proxy event.
                proxy = event.find("\"httpMethod\"") != std::string_view::npos ||
                        event.find("\"requestContext\"") != std::string_view::npos;
            }
            const auto json = parse_request_json(event, limits, "the event");
            const auto kind = classify_event(json);
            switch (kind) {
                case event_kind::storage:
                    return detail::json_text(on_storage(json));
                case event_kind::invocation:
                    return detail::json_text(on_predict(read_predict_request(json), {}, {}));
                case event_kind::http_v1:
                case event_kind::http_v2:
                    proxy = true;
                    return on_http(read_http_event(json, kind));
            }
            return failure("internal", "unknown event kind", 500, proxy);
        } catch (const std::exception& e) {
            const auto status = status_of(e);
            return failure(status.type, e.what(), status.status, proxy);
        } catch (...) {
            return failure("internal", "unknown error", 500, proxy);
        }
    }

    [[nodiscard]] const handler_options& options() const noexcept { return options_; }

  private:
    /// The proxy response shape.
    static std::string proxy_response(int status, std::string body) {
        return detail::json_text(nlohmann::json{{"statusCode", status},
                                                {"headers", {{"content-type", "application/json"}}},
                                                {"isBase64Encoded", false},
                                                {"body", std::move(body)}});
    }

    static std::string failure(std::string_view type, std::string_view message, int status,
                               bool proxy) noexcept {
        try {
            auto body = error_to_json(type, message, status);
            return proxy ? proxy_response(status, std::move(body)) : body;
        } catch (...) {
            return R"({"error":{"type":"internal","message":"out of memory","status":500}})";
        }
    }

    nlohmann::json on_storage(const nlohmann::json& event) {
        std::size_t ignored = 0;
        const auto keys = read_storage_keys(event, &ignored);
        std::vector<std::string> refreshed;
        for (const auto& key : keys) {
            if (auto model = predictor_->notify(key)) {
                if (std::find(refreshed.begin(), refreshed.end(), *model) == refreshed.end())
                    refreshed.push_back(std::move(*model));
            } else {
                ++ignored;
            }
        }
        return nlohmann::json{{"refreshed", refreshed}, {"ignored", ignored}};
    }

    /// The model and reference a request gets: the path's, else the body's, else the defaults.
    std::pair<std::string, std::string> target(const predict_request& r, std::string path_model,
                                               std::string path_reference) const {
        std::string model = std::move(path_model);
        if (model.empty()) model = r.model;
        if (!r.model.empty() && r.model != model) {
            throw invalid_input_error("the body names model \"" + r.model.substr(0, 64) +
                                          "\" but the path names \"" + model + "\"",
                                      "name one model", "model");
        }
        if (model.empty()) model = options_.model;
        if (model.empty()) {
            throw invalid_input_error("the request names no model",
                                      "add \"model\": \"NAME\" (this function serves no default)",
                                      "model");
        }
        if (options_.only_default_model && !options_.model.empty() && model != options_.model) {
            throw not_found_error("this function serves model \"" + options_.model +
                                      "\" only, not \"" + model.substr(0, 64) + "\"",
                                  "call the function of that model", "model");
        }
        std::string reference = std::move(path_reference);
        if (reference.empty()) reference = r.reference;
        if (reference.empty()) reference = options_.reference;
        return {std::move(model), std::move(reference)};
    }

    nlohmann::json on_predict(const predict_request& r, std::string path_model,
                              std::string path_reference) {
        const auto [model, reference] = target(r, std::move(path_model), std::move(path_reference));
        return prediction_to_json(predictor_->predict(model, reference, r.rows));
    }

    std::string on_http(const http_request& http) {
        constexpr std::string_view root = "/v1/models/";
        const auto at = http.path.find(root);
        if (at == std::string::npos) {
            throw not_found_error("no route for " + http.method + " " + http.path.substr(0, 128),
                                  "use POST /v1/models/NAME:predict or GET /v1/models/NAME",
                                  "path");
        }
        std::string rest = http.path.substr(at + root.size());
        constexpr std::string_view verb = ":predict";
        const bool predict = rest.size() > verb.size() &&
                             std::string_view(rest).substr(rest.size() - verb.size()) == verb;
        if (predict) rest.resize(rest.size() - verb.size());
        std::string model = detail::url_decode(rest, false);
        std::string reference;
        for (const std::string_view part : {"/aliases/", "/versions/"}) {
            if (const auto p = model.find(part); p != std::string::npos) {
                reference = model.substr(p + part.size());
                model.resize(p);
                break;
            }
        }
        if (model.empty() || model.find('/') != std::string::npos ||
            (reference.empty() && rest.find("/aliases/") != std::string::npos)) {
            throw not_found_error("no route for " + http.method + " " + http.path.substr(0, 128),
                                  "use POST /v1/models/NAME:predict or GET /v1/models/NAME",
                                  "path");
        }
        const std::string expected = predict ? "POST" : "GET";
        if (http.method != expected) {
            const std::string message = http.method.substr(0, 16) + " is not allowed on " +
                                        http.path.substr(0, 128) + "; use " + expected;
            return proxy_response(405, error_to_json("method_not_allowed", message, 405));
        }
        if (!predict) {
            predict_request none;
            const auto [name, ref] = target(none, model, reference);
            return proxy_response(200,
                                  detail::json_text(model_to_json(*predictor_->get(name, ref))));
        }
        const auto body = parse_request_json(http.body, predictor_->options().limits, "the body");
        return proxy_response(
            200, detail::json_text(on_predict(read_predict_request(body), std::move(model),
                                              std::move(reference))));
    }

    predictor<Store, Models>* predictor_;
    handler_options options_;
};

}  // namespace mlpipe

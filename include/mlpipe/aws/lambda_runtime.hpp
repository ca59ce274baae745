// SPDX-License-Identifier: Apache-2.0
/// @file aws/lambda_runtime.hpp A custom AWS Lambda runtime: the Runtime API client and the loop
/// a `bootstrap` executable runs (init once, then next -> handle -> response or error).
///
/// The Runtime API (base `http://$AWS_LAMBDA_RUNTIME_API/2018-06-01`):
/// `GET /runtime/invocation/next` blocks until an event arrives (headers
/// `Lambda-Runtime-Aws-Request-Id`, `-Deadline-Ms`, `-Invoked-Function-Arn`, `-Trace-Id`);
/// `POST /runtime/invocation/{id}/response` answers it; `POST /runtime/invocation/{id}/error` and
/// `POST /runtime/init/error` report failures as `{"errorMessage","errorType","stackTrace"}` with
/// header `Lambda-Runtime-Function-Error-Type`. The loop ends, returning 0, when the API goes away
/// (connection refused), as when the sandbox shuts down.
///
/// Usage, for a function that predicts with a model from a store (see examples/lambda_predict):
/// @code
/// return mlpipe::aws::run_lambda([] {
///     auto state = std::make_shared<my_state>();  // open the store, load the model: cold start
///     return [state](std::string_view event) { return state->handler.handle(event); };
/// });
/// @endcode
#pragma once

#include <chrono>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "../error.hpp"
#include "http.hpp"

namespace mlpipe::aws {

/// One invocation, as `next` returned it.
struct lambda_event {
    std::string request_id;
    std::string body;
    std::string function_arn;
    std::string trace_id;
    /// When Lambda stops the invocation (the epoch when the API gave no deadline).
    std::chrono::system_clock::time_point deadline{};
};

/// A client of the Lambda Runtime API.
/// Thread safety: none; a runtime processes one invocation at a time.
class lambda_runtime_client {
  public:
    /// @param api host:port of the Runtime API; empty: $AWS_LAMBDA_RUNTIME_API
    /// @throws configuration_error when neither gives one
    explicit lambda_runtime_client(std::string api = {})
        : http_("lambda-runtime",
                http_options{std::chrono::seconds(2), std::chrono::milliseconds(0)}) {
        if (api.empty()) {
            const char* env = std::getenv("AWS_LAMBDA_RUNTIME_API");
            api = env == nullptr ? "" : env;
        }
        if (api.empty()) {
            throw configuration_error(
                "AWS_LAMBDA_RUNTIME_API is not set: this program is a Lambda custom runtime",
                "run it inside AWS Lambda (as bootstrap), or set AWS_LAMBDA_RUNTIME_API to a "
                "Runtime API emulator's host:port",
                "AWS_LAMBDA_RUNTIME_API");
        }
        base_ = "http://" + api + "/2018-06-01/runtime";
    }

    /// Waits for the next invocation; nullopt when the API is gone (the sandbox is shutting down).
    /// @throws storage_error (backend "lambda-runtime") when the API answers an error status
    std::optional<lambda_event> next() {
        http_request request;
        request.url = base_ + "/invocation/next";
        http_response response;
        try {
            response = http_.perform(request);
        } catch (const transport_error&) {
            return std::nullopt;
        }
        if (response.status != 200) {
            throw storage_error(
                "the Runtime API answered HTTP " + std::to_string(response.status) + " to next",
                "the runtime cannot continue", "lambda-runtime", response.status);
        }
        lambda_event event;
        event.request_id = response.header("lambda-runtime-aws-request-id");
        event.function_arn = response.header("lambda-runtime-invoked-function-arn");
        event.trace_id = response.header("lambda-runtime-trace-id");
        if (const auto ms = response.header("lambda-runtime-deadline-ms"); !ms.empty()) {
            event.deadline = std::chrono::system_clock::time_point(
                std::chrono::milliseconds(std::strtoll(ms.c_str(), nullptr, 10)));
        }
        event.body = std::move(response.body);
        return event;
    }

    /// Posts the answer to invocation `id`.
    void respond(const std::string& id, std::string_view body) {
        post(base_ + "/invocation/" + id + "/response", body, {});
    }

    /// Posts a failure of invocation `id`.
    void report_error(const std::string& id, std::string_view type, std::string_view message) {
        post(base_ + "/invocation/" + id + "/error", error_body(type, message), type);
    }

    /// Posts a failure to initialise (then the runtime should exit).
    void report_init_error(std::string_view type, std::string_view message) {
        post(base_ + "/init/error", error_body(type, message), type);
    }

  private:
    static std::string error_body(std::string_view type, std::string_view message) {
        return nlohmann::json{
            {"errorMessage", message}, {"errorType", type}, {"stackTrace", nlohmann::json::array()}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }

    void post(const std::string& url, std::string_view body, std::string_view error_type) {
        http_request request;
        request.method = "POST";
        request.url = url;
        request.body = body;
        request.headers = {{"Content-Type", "application/json"}};
        if (!error_type.empty())
            request.headers.emplace_back("Lambda-Runtime-Function-Error-Type", error_type);
        const auto response = http_.perform(request);
        if (response.status != 202) {
            throw storage_error(
                "the Runtime API answered HTTP " + std::to_string(response.status) + " to " +
                    http_client::redact(url) + ": " + response.body.substr(0, 200),
                response.status == 413 ? "answers are limited to 6 MB" : "check the invocation id",
                "lambda-runtime", response.status);
        }
    }

    http_client http_;
    std::string base_;
};

/// The type name reported for an exception: the mlpipe error class, else "Runtime.Error".
[[nodiscard]] inline std::string lambda_error_type(const std::exception& e) {
    const auto* mlpipe_error = dynamic_cast<const error*>(&e);
    if (mlpipe_error == nullptr) return "Runtime.Error";
    switch (mlpipe_error->kind()) {
        case error_kind::configuration:
            return "mlpipe.ConfigurationError";
        case error_kind::storage:
        case error_kind::queue:
        case error_kind::model_unavailable:
            return "mlpipe.StorageError";
        case error_kind::invalid_input:
        case error_kind::not_found:
        case error_kind::payload_too_large:
            return "mlpipe.InvalidInputError";
        case error_kind::format:
            return "mlpipe.FormatError";
        case error_kind::error:
        case error_kind::not_fitted:
        case error_kind::cancelled:
            return "mlpipe.Error";
    }
    return "mlpipe.Error";
}

/// Runs a custom runtime: `init()` once, which returns the function (callable with the event
/// body, returning the answer body); then answers invocations until the API goes away.
/// An exception from init is posted to init/error (exit code 1); one from the function is posted
/// as that invocation's error and the loop goes on. Progress lines go to stderr (CloudWatch).
/// @returns the process exit code: 0 when the API went away, 1 after an init error
template <class Init>
int run_lambda(Init init, std::string api = {}) {
    std::optional<lambda_runtime_client> runtime;
    try {
        runtime.emplace(std::move(api));
    } catch (const std::exception& e) {
        std::cerr << "mlpipe lambda runtime: " << e.what() << '\n';
        return 1;
    }
    auto function = [&]() -> std::optional<decltype(init())> {
        try {
            return init();
        } catch (const std::exception& e) {
            std::cerr << "mlpipe lambda runtime: init failed: " << e.what() << '\n';
            try {
                runtime->report_init_error(lambda_error_type(e), e.what());
            } catch (const std::exception& post) {
                std::cerr << "mlpipe lambda runtime: could not report it: " << post.what() << '\n';
            }
            return std::nullopt;
        }
    }();
    if (!function) return 1;
    while (true) {
        std::optional<lambda_event> event;
        try {
            event = runtime->next();
        } catch (const std::exception& e) {
            std::cerr << "mlpipe lambda runtime: " << e.what() << '\n';
            return 1;
        }
        if (!event) return 0;
        try {
            const std::string answer = (*function)(std::string_view(event->body));
            runtime->respond(event->request_id, answer);
        } catch (const std::exception& e) {
            std::cerr << "mlpipe lambda runtime: invocation " << event->request_id
                      << " failed: " << e.what() << '\n';
            try {
                runtime->report_error(event->request_id, lambda_error_type(e), e.what());
            } catch (const std::exception& post) {
                std::cerr << "mlpipe lambda runtime: could not report it: " << post.what() << '\n';
            }
        }
    }
}

}  // namespace mlpipe::aws

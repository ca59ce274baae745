// SPDX-License-Identifier: Apache-2.0
// examples/lambda_predict: a prediction function for AWS Lambda's custom runtime (provided.al2023).
// The executable is named `bootstrap`: Lambda runs it, it loads one model at cold start and then
// answers invocations (direct calls, API Gateway v1/v2 events, S3 notifications of a new alias)
// through mlpipe's serving handler until the sandbox goes away.
//
// Configuration (the function's environment variables):
//   MLPIPE_MODEL_STORE      where the registry lives, e.g. s3://my-models/registry (required;
//                           file:///path for a local run)
//   MLPIPE_MODEL            the model this function serves (default: the function's name)
//   MLPIPE_MODEL_REFERENCE  alias, version or "latest" (default: production)
//   MLPIPE_REGISTRY_PREFIX  key prefix of the registry in the store (default: "registry/" for
//                           file stores; "" for s3://, whose URI path is the prefix already)
// Credentials and region come from Lambda's environment (AWS_ACCESS_KEY_ID, ..., AWS_REGION).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <mlpipe/aws.hpp>
#include <mlpipe/serving.hpp>
#include <mlpipe/storage.hpp>

namespace {

std::string env(const char* name, std::string fallback = {}) {
    const char* v = std::getenv(name);
    return v == nullptr || *v == '\0' ? std::move(fallback) : std::string(v);
}

/// Everything the function keeps between invocations.
struct function_state {
    mlpipe::any_blob_store store;
    mlpipe::predictor<mlpipe::any_blob_store> predictor;
    mlpipe::handler<mlpipe::any_blob_store> handler;

    function_state(const std::string& uri, const std::string& prefix, const std::string& model,
                   const std::string& reference)
        : store(mlpipe::open_blob_store(uri)),
          predictor(store, {}, mlpipe::registry_options{prefix}),
          handler(predictor, mlpipe::handler_options{model, reference, true}) {}
};

}  // namespace

int main() {
    return mlpipe::aws::run_lambda([] {
        const auto started = std::chrono::steady_clock::now();
        const std::string uri = env("MLPIPE_MODEL_STORE");
        if (uri.empty()) {
            throw mlpipe::configuration_error("MLPIPE_MODEL_STORE is not set",
                                              "set it to the registry's store, e.g. "
                                              "s3://my-models/registry",
                                              "MLPIPE_MODEL_STORE");
        }
        const std::string model = env("MLPIPE_MODEL", env("AWS_LAMBDA_FUNCTION_NAME"));
        if (model.empty()) {
            throw mlpipe::configuration_error("no model named",
                                              "set MLPIPE_MODEL (or name the function after it)",
                                              "MLPIPE_MODEL");
        }
        const std::string reference = env("MLPIPE_MODEL_REFERENCE", "production");
        const std::string prefix =
            env("MLPIPE_REGISTRY_PREFIX", uri.starts_with("s3://") ? "" : "registry/");
        auto state = std::make_shared<function_state>(uri, prefix, model, reference);
        // Cold start: resolve and load the model now, not at the first invocation.
        const auto loaded = state->predictor.get(model, reference);
        const auto ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                .count();
        std::cerr << "bootstrap: serving " << model << " v" << loaded->info.version << " ("
                  << reference << ", sha256 " << loaded->info.sha256.substr(0, 12) << ") from "
                  << uri << "; init " << ms << " ms\n";
        return [state](std::string_view event) { return state->handler.handle(event); };
    });
}

// SPDX-License-Identifier: Apache-2.0
// Fuzz target of the serving request codec and handler: any bytes given to handler::handle() must
// give a JSON answer (a prediction, a storage summary, a proxy response or a structured error),
// never an exception or a crash. The codec's functions are also called directly: they may throw
// mlpipe::error only (any other exception escapes and is reported as a crash).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/serving.hpp>
#include <mlpipe/storage/memory_blob_store.hpp>

namespace {

// The predictor loads the one kind it serves: the fuzzer's build compiles no other model's loading.
using served_kinds = mlpipe::kind_list<mlpipe::logistic_regression>;

struct served {
    mlpipe::memory_blob_store store;
    mlpipe::predictor<mlpipe::memory_blob_store, served_kinds> predictor{
        store, {.limits = {.max_rows = 64}}};
    mlpipe::handler<mlpipe::memory_blob_store, served_kinds> handler{predictor, {.model = "tiny"}};

    served() {
        const auto data = mlpipe::make_classification<double>(
            {.n_samples = 40, .n_features = 2, .n_informative = 2, .n_redundant = 0, .seed = 1});
        mlpipe::logistic_regression<double> lr;
        (void)lr.fit(data);
        const auto bytes = mlpipe::encode_artifact(mlpipe::to_artifact(lr));
        mlpipe::model_registry registry(store);
        registry.publish(
            "tiny", std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
        registry.set_alias("tiny", "production", 1, "fuzz");
    }
};

}  // namespace

/// One fuzz input; also called by the corpus replay test.
int mlpipe_fuzz_request_codec(const std::uint8_t* data, std::size_t size) {
    static served s;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto answer = nlohmann::json::parse(s.handler.handle(text), nullptr, false);
    if (!answer.is_object()) std::abort();
    if (!answer.contains("error") && !answer.contains("predictions") &&
        !answer.contains("statusCode") && !answer.contains("refreshed"))
        std::abort();
    try {
        const auto event = mlpipe::parse_request_json(text, s.predictor.options().limits);
        const auto kind = mlpipe::classify_event(event);
        if (kind == mlpipe::event_kind::invocation) {
            (void)mlpipe::read_predict_request(event);
        } else if (kind == mlpipe::event_kind::storage) {
            (void)mlpipe::read_storage_keys(event);
        } else {
            (void)mlpipe::read_http_event(event, kind);
        }
    } catch (const mlpipe::error&) {
    }
    return 0;
}

#ifdef MLPIPE_FUZZ_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return mlpipe_fuzz_request_codec(data, size);
}
#endif

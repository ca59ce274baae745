// SPDX-License-Identifier: Apache-2.0
// Serving speed: handler::handle() latency for one row on a warm cache (p50 and p99 counters, in
// microseconds, from timing every call), the predictor alone without JSON, and batch throughput.
// The model is a logistic regression on 100 features (3 classes) published to a memory store.
//
//   serving_bench [--benchmark_filter=...] [--mlpipe_smoke]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <mlpipe/artifact.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/models.hpp>
#include <mlpipe/registry.hpp>
#include <mlpipe/serving.hpp>
#include <mlpipe/storage.hpp>

#include "bench_main.hpp"
#include "served_model.hpp"

namespace {

using mlpipe::bench::smoke;
constexpr int n_features = mlpipe::bench::served_features;

struct fixture {
    mlpipe::memory_blob_store store;
    mlpipe::predictor<mlpipe::memory_blob_store> predictor{store};
    mlpipe::handler<mlpipe::memory_blob_store> handler{predictor, {.model = "lr100"}};
    std::vector<double> row;

    fixture() {
        const auto data = mlpipe::bench::publish_served_model(store, smoke ? 300 : 2000, "bench");
        row.assign(data.features().row(0).data(), data.features().row(0).data() + n_features);
    }

    /// A direct invocation with `rows` copies of the row.
    std::string event(int rows) const {
        std::string text = R"({"instances": [)";
        for (int r = 0; r < rows; ++r) {
            text += r ? ",[" : "[";
            for (int j = 0; j < n_features; ++j) {
                char number[32];
                std::snprintf(number, sizeof number, "%s%.17g", j ? "," : "",
                              row[static_cast<std::size_t>(j)]);
                text += number;
            }
            text += "]";
        }
        return text + "]}";
    }
};

fixture& shared() {
    static fixture f;
    return f;
}

void report_percentiles(benchmark::State& state, std::vector<double>& micros) {
    if (micros.empty()) return;
    std::sort(micros.begin(), micros.end());
    const auto at = [&](double q) {
        return micros[std::min(micros.size() - 1,
                               static_cast<std::size_t>(q * static_cast<double>(micros.size())))];
    };
    state.counters["p50_us"] = at(0.50);
    state.counters["p99_us"] = at(0.99);
    state.counters["max_us"] = micros.back();
}

/// handle() of one row, warm cache: JSON parse, validation, the model, the JSON answer.
void handle_one_row(benchmark::State& state) {
    auto& f = shared();
    const auto event = f.event(1);
    if (f.handler.handle(event).find("\"predictions\"") == std::string::npos)
        state.SkipWithError("the handler did not predict");
    std::vector<double> micros;
    micros.reserve(1 << 20);
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        auto answer = f.handler.handle(event);
        const auto stop = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(answer.data());
        micros.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
    }
    state.counters["event_bytes"] = static_cast<double>(event.size());
    report_percentiles(state, micros);
}

/// predictor::predict() of one row, warm cache: no JSON.
void predict_one_row(benchmark::State& state) {
    auto& f = shared();
    mlpipe::feature_rows rows;
    rows.rows = 1;
    rows.columns = n_features;
    rows.values = f.row;
    std::vector<double> micros;
    micros.reserve(1 << 20);
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        auto p = f.predictor.predict("lr100", "production", rows);
        const auto stop = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(p.probabilities.data());
        micros.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
    }
    report_percentiles(state, micros);
}

/// handle() of a batch of state.range(0) rows; items are rows.
void handle_batch(benchmark::State& state) {
    auto& f = shared();
    const auto event = f.event(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto answer = f.handler.handle(event);
        benchmark::DoNotOptimize(answer.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(event.size()));
}

}  // namespace

int main(int argc, char** argv) {
    auto args = mlpipe::bench::take_mlpipe_flags(argc, argv);
    benchmark::RegisterBenchmark("handle_one_row", handle_one_row)->UseRealTime();
    benchmark::RegisterBenchmark("predict_one_row", predict_one_row)->UseRealTime();
    benchmark::RegisterBenchmark("handle_batch", handle_batch)
        ->Arg(100)
        ->Arg(smoke ? 200 : 1000)
        ->UseRealTime();
    return mlpipe::bench::run_benchmarks(args);
}

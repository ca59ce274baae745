// SPDX-License-Identifier: Apache-2.0
// Evaluation speed: cross_validate of logistic_regression at 1 and 2 threads (folds in parallel on
// the blocking pool), and ROC AUC / log loss over many rows.
//
//   evaluation_bench [--benchmark_filter=...] [--mlpipe_smoke]
//
// Data comes from make_classification (no download). Read the cross_validate time per thread
// count: on an idle 2-core machine 2 threads should take a little over half the time of 1.
#include <cstring>
#include <vector>

#include <benchmark/benchmark.h>

#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/evaluation.hpp>
#include <mlpipe/models/linear/logistic_regression.hpp>

#include "bench_main.hpp"

namespace {

using mlpipe::bench::smoke;

const mlpipe::dataset<double>& problem() {
    static const auto data = mlpipe::make_classification({.n_samples = smoke ? 2000 : 50000,
                                                          .n_features = 20,
                                                          .n_informative = 8,
                                                          .n_redundant = 4,
                                                          .n_classes = 3,
                                                          .seed = 1});
    return data;
}

void cross_validate_logistic(benchmark::State& state) {
    const auto& data = problem();
    const auto folds = mlpipe::stratified_k_fold(data, {.n_splits = 5, .seed = 1});
    const auto scorers = mlpipe::make_scorers({"accuracy", "neg_log_loss", "roc_auc_ovr"});
    const auto threads = static_cast<unsigned>(state.range(0));
    double accuracy = 0.0;
    for (auto _ : state) {
        const auto result =
            mlpipe::cross_validate([] { return mlpipe::logistic_regression<double>(); }, data,
                                   folds, scorers, {.threads = threads});
        accuracy = result.mean("accuracy");
        benchmark::DoNotOptimize(accuracy);
    }
    state.counters["accuracy"] = accuracy;
    state.counters["rows"] = static_cast<double>(data.n_samples());
}

void roc_auc_ovr(benchmark::State& state) {
    const auto n = state.range(0);
    const auto data = mlpipe::make_classification(
        {.n_samples = n, .n_features = 5, .n_informative = 3, .n_classes = 3, .seed = 2});
    mlpipe::logistic_regression<double> model;
    (void)model.fit(data);
    const auto proba = model.predict_proba(data.features());
    for (auto _ : state)
        benchmark::DoNotOptimize(mlpipe::roc_auc_score(data.targets(), proba));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
}

void log_loss_rows(benchmark::State& state) {
    const auto n = state.range(0);
    const auto data = mlpipe::make_classification(
        {.n_samples = n, .n_features = 5, .n_informative = 3, .n_classes = 3, .seed = 2});
    mlpipe::logistic_regression<double> model;
    (void)model.fit(data);
    const auto proba = model.predict_proba(data.features());
    for (auto _ : state)
        benchmark::DoNotOptimize(mlpipe::log_loss(data.targets(), proba));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
}

}  // namespace

int main(int argc, char** argv) {
    auto args = mlpipe::bench::take_mlpipe_flags(argc, argv);
    const std::int64_t rows = smoke ? 2000 : 1000000;

    benchmark::RegisterBenchmark("cross_validate/logistic_regression/threads",
                                 cross_validate_logistic)
        ->Arg(1)
        ->Arg(2)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark("roc_auc_score/ovr_3_classes", roc_auc_ovr)
        ->Arg(rows)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("log_loss/3_classes", log_loss_rows)
        ->Arg(rows)
        ->Unit(benchmark::kMillisecond);

    return mlpipe::bench::run_benchmarks(args);
}

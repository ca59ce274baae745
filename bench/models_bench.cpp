// SPDX-License-Identifier: Apache-2.0
// Training and prediction speed of the classifiers on synthetic data (make_classification).
//
//   models_bench [--benchmark_filter=...] [--mlpipe_smoke]
//
// The same data for scikit-learn: bench/compare_sklearn.py runs the peer on identical data
// (written by `models_bench --mlpipe_write_data=DIR`) and prints both timings side by side.
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <mlpipe/data.hpp>
#include <mlpipe/models.hpp>
#include <mlpipe/preprocessing.hpp>

namespace {

bool smoke = false;

/// Benchmark data: n rows, 50 features (10 informative, 10 redundant), 3 classes, standardized.
const mlpipe::dataset<double>& data(Eigen::Index n) {
    static std::map<Eigen::Index, mlpipe::dataset<double>> cache;
    auto it = cache.find(n);
    if (it == cache.end()) {
        const auto raw = mlpipe::make_classification({.n_samples = n,
                                                      .n_features = 50,
                                                      .n_informative = 10,
                                                      .n_redundant = 10,
                                                      .n_classes = 3,
                                                      .seed = 7});
        mlpipe::standard_scaler<double> scaler;
        scaler.fit(raw);
        it =
            cache
                .emplace(n, mlpipe::dataset<double>(scaler.transform(raw.features()), raw.targets(),
                                                    raw.classes(), raw.feature_names()))
                .first;
    }
    return it->second;
}

template <class Model>
void fit(benchmark::State& state, Model prototype) {
    const auto& d = data(state.range(0));
    for (auto _ : state) {
        Model model = prototype;
        auto report = model.fit(d);
        benchmark::DoNotOptimize(report);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * d.n_samples());
}

template <class Model>
void predict_batch(benchmark::State& state, Model model) {
    const auto& d = data(state.range(0));
    (void)model.fit(d);
    for (auto _ : state) {
        auto p = model.predict_proba(d.features());
        benchmark::DoNotOptimize(p.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * d.n_samples());
}

template <class Model>
void predict_row(benchmark::State& state, Model model) {
    const auto& d = data(state.range(0));
    (void)model.fit(d);
    std::vector<double> out(d.n_classes());
    Eigen::Index i = 0;
    for (auto _ : state) {
        model.predict_proba_row(std::span<const double>(d.features().row(i).data(), 50), out);
        benchmark::DoNotOptimize(out.data());
        i = (i + 1) % d.n_samples();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void write_data(const std::filesystem::path& dir, Eigen::Index n) {
    std::filesystem::create_directories(dir);
    mlpipe::write_binary_matrix(dir / ("classification_" + std::to_string(n) + ".bin"), data(n));
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<char*> args;
    std::string write_dir;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--mlpipe_smoke") == 0) {
            smoke = true;
        } else if (std::strncmp(argv[i], "--mlpipe_write_data=", 20) == 0) {
            write_dir = argv[i] + 20;
        } else {
            args.push_back(argv[i]);
        }
    }
    const Eigen::Index fit_rows = smoke ? 300 : 20000;
    const Eigen::Index knn_rows = smoke ? 300 : 5000;
    if (!write_dir.empty()) {
        write_data(write_dir, fit_rows);
        write_data(write_dir, knn_rows);
        return 0;
    }
    int count = static_cast<int>(args.size());
    using namespace mlpipe;
    benchmark::RegisterBenchmark("fit/logistic_regression", fit<logistic_regression<double>>,
                                 logistic_regression<double>{})
        ->Arg(fit_rows)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("fit/linear_svm", fit<linear_svm<double>>, linear_svm<double>{})
        ->Arg(fit_rows)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("fit/gaussian_naive_bayes", fit<gaussian_naive_bayes<double>>,
                                 gaussian_naive_bayes<double>{})
        ->Arg(fit_rows)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("predict_proba/logistic_regression",
                                 predict_batch<logistic_regression<double>>,
                                 logistic_regression<double>{})
        ->Arg(fit_rows);
    benchmark::RegisterBenchmark("predict_proba/k_nearest_neighbors",
                                 predict_batch<k_nearest_neighbors<double>>,
                                 k_nearest_neighbors<double>{})
        ->Arg(knn_rows)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("predict_proba_row/logistic_regression",
                                 predict_row<logistic_regression<double>>,
                                 logistic_regression<double>{})
        ->Arg(fit_rows);
    benchmark::RegisterBenchmark("predict_proba_row/gaussian_naive_bayes",
                                 predict_row<gaussian_naive_bayes<double>>,
                                 gaussian_naive_bayes<double>{})
        ->Arg(fit_rows);
    benchmark::RegisterBenchmark("predict_proba_row/k_nearest_neighbors",
                                 predict_row<k_nearest_neighbors<double>>,
                                 k_nearest_neighbors<double>{})
        ->Arg(knn_rows);
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

// SPDX-License-Identifier: Apache-2.0
// Training and prediction speed of the classifiers on seeded synthetic data (make_classification):
//   binary:     200,000 x 100, 2 classes
//   multiclass: 100,000 x 54, 7 classes
//   hastie:     100,000 x 10, 2 classes (make_hastie_10_2: non-linear, for the trees)
// each standardised and split 80/20 (stratified, seed 0): models fit on the 80%, and the
// `accuracy` counter is measured on the 20%. k-NN uses the first 5,000 rows of the multiclass
// problem (brute force is quadratic). Tree fits also report `artifact_bytes`, the size of the
// encoded artifact. The mlp is (64, 32), relu, Adam, batch 256, 10 epochs on the multiclass
// problem; its fit also reports `artifact_bytes`.
//
//   models_bench [--benchmark_filter=...] [--mlpipe_smoke] [--mlpipe_write_data=DIR]
//
// bench/compare_sklearn.py runs scikit-learn on the same data (written with --mlpipe_write_data)
// and prints the ratios.
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <mlpipe/artifact.hpp>
#include <mlpipe/data.hpp>
#include <mlpipe/evaluation.hpp>
#include <mlpipe/models.hpp>
#include <mlpipe/preprocessing.hpp>

#include "bench_main.hpp"

namespace {

using mlpipe::bench::smoke;

struct problem {
    mlpipe::dataset<double> train;
    mlpipe::dataset<double> test;
};

enum problem_id : int { binary = 0, multiclass = 1, neighbors = 2, hastie = 3 };

const problem& data(int id) {
    static std::map<int, problem> cache;
    auto it = cache.find(id);
    if (it != cache.end()) return it->second;
    mlpipe::classification_options o;
    if (id == hastie) {
        const auto raw = mlpipe::make_hastie_10_2({.n_samples = smoke ? 2000 : 100000, .seed = 3});
        auto [train, test] = mlpipe::train_test_split(raw, {.test_fraction = 0.2, .seed = 0});
        return cache.emplace(id, problem{std::move(train), std::move(test)}).first->second;
    }
    if (id == binary) {
        o = {.n_samples = smoke ? 2000 : 200000,
             .n_features = 100,
             .n_informative = 20,
             .n_redundant = 20,
             .n_classes = 2,
             .seed = 1};
    } else {
        o = {.n_samples = id == neighbors ? (smoke ? 600 : 5000) : (smoke ? 2000 : 100000),
             .n_features = 54,
             .n_informative = 20,
             .n_redundant = 10,
             .n_classes = 7,
             .seed = 2};
    }
    const auto raw = mlpipe::make_classification(o);
    mlpipe::standard_scaler<double> scaler;
    scaler.fit(raw);
    const mlpipe::dataset<double> scaled(scaler.transform(raw.features()), raw.targets(),
                                         raw.classes(), raw.feature_names());
    auto [train, test] = mlpipe::train_test_split(scaled, {.test_fraction = 0.2, .seed = 0});
    return cache.emplace(id, problem{std::move(train), std::move(test)}).first->second;
}

template <class Model>
void fit(benchmark::State& state, Model prototype, unsigned threads) {
    const auto& p = data(static_cast<int>(state.range(0)));
    mlpipe::fit_options options;
    options.threads = threads;
    double accuracy = 0.0;
    for (auto _ : state) {
        Model model = prototype;
        auto report = model.fit(p.train, options);
        benchmark::DoNotOptimize(report);
        state.PauseTiming();
        accuracy = mlpipe::accuracy_score(p.test.targets(), model.predict(p.test.features()));
        state.ResumeTiming();
    }
    state.counters["accuracy"] = accuracy;
    state.counters["rows"] = static_cast<double>(p.train.n_samples());
}

/// A forest (or tree) fitted once per problem on 2 threads, shared by the prediction benchmarks.
template <class Model>
const Model& fitted(int id, const Model& prototype) {
    static std::map<int, Model> cache;
    auto it = cache.find(id);
    if (it != cache.end()) return it->second;
    Model model = prototype;
    mlpipe::fit_options options;
    options.threads = 2;
    (void)model.fit(data(id).train, options);
    return cache.emplace(id, std::move(model)).first->second;
}

/// Fit time of a tree model, with held-out accuracy and the encoded artifact's size.
template <class Model>
void fit_tree(benchmark::State& state, Model prototype, unsigned threads) {
    const auto& p = data(static_cast<int>(state.range(0)));
    mlpipe::fit_options options;
    options.threads = threads;
    double accuracy = 0.0;
    double bytes = 0.0;
    for (auto _ : state) {
        Model model = prototype;
        auto report = model.fit(p.train, options);
        benchmark::DoNotOptimize(report);
        state.PauseTiming();
        accuracy = mlpipe::accuracy_score(p.test.targets(), model.predict(p.test.features()));
        bytes = static_cast<double>(mlpipe::encode_artifact(mlpipe::to_artifact(model)).size());
        state.ResumeTiming();
    }
    state.counters["accuracy"] = accuracy;
    state.counters["artifact_bytes"] = bytes;
    state.counters["rows"] = static_cast<double>(p.train.n_samples());
}

template <class Model>
void predict_batch_fitted(benchmark::State& state, Model prototype) {
    const auto& p = data(static_cast<int>(state.range(0)));
    const Model& model = fitted(static_cast<int>(state.range(0)), prototype);
    for (auto _ : state) {
        auto proba = model.predict_proba(p.test.features());
        benchmark::DoNotOptimize(proba.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * p.test.n_samples());
}

template <class Model>
void predict_row_fitted(benchmark::State& state, Model prototype) {
    const auto& p = data(static_cast<int>(state.range(0)));
    const Model& model = fitted(static_cast<int>(state.range(0)), prototype);
    std::vector<double> out(p.train.n_classes());
    const auto d = static_cast<std::size_t>(p.test.n_features());
    Eigen::Index i = 0;
    for (auto _ : state) {
        model.predict_proba_row(std::span<const double>(p.test.features().row(i).data(), d), out);
        benchmark::DoNotOptimize(out.data());
        i = (i + 1) % p.test.n_samples();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

/// The benchmarked network: scikit-learn's MLPClassifier(hidden_layer_sizes=(64, 32),
/// solver='adam', batch_size=256, max_iter=10).
mlpipe::mlp<double> bench_mlp() {
    return mlpipe::mlp<double>({.hidden_layer_sizes = {64, 32},
                                .solver = mlpipe::mlp_solver::adam,
                                .batch_size = 256,
                                .max_iter = 10});
}

void fit_mlp(benchmark::State& state, unsigned threads) {
    fit(state, bench_mlp(), threads);
    const auto& p = data(static_cast<int>(state.range(0)));
    auto model = bench_mlp();
    mlpipe::fit_options options;
    options.threads = threads;
    (void)model.fit(p.train, options);
    state.counters["artifact_bytes"] =
        static_cast<double>(mlpipe::encode_artifact(mlpipe::to_artifact(model)).size());
}

template <class Model>
void predict_batch(benchmark::State& state, Model model) {
    const auto& p = data(static_cast<int>(state.range(0)));
    (void)model.fit(p.train);
    for (auto _ : state) {
        auto proba = model.predict_proba(p.test.features());
        benchmark::DoNotOptimize(proba.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * p.test.n_samples());
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * p.test.n_samples() *
                            p.test.n_features() * static_cast<std::int64_t>(sizeof(double)));
}

template <class Model>
void predict_row(benchmark::State& state, Model model) {
    const auto& p = data(static_cast<int>(state.range(0)));
    (void)model.fit(p.train);
    std::vector<double> out(p.train.n_classes());
    const auto d = static_cast<std::size_t>(p.test.n_features());
    Eigen::Index i = 0;
    for (auto _ : state) {
        model.predict_proba_row(std::span<const double>(p.test.features().row(i).data(), d), out);
        benchmark::DoNotOptimize(out.data());
        i = (i + 1) % p.test.n_samples();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void write_data(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    for (const auto& [id, name] :
         {std::pair{binary, "binary"}, std::pair{multiclass, "multiclass"},
          std::pair{neighbors, "neighbors"}, std::pair{hastie, "hastie"}}) {
        mlpipe::write_binary_matrix(dir / (std::string(name) + "_train.bin"), data(id).train);
        mlpipe::write_binary_matrix(dir / (std::string(name) + "_test.bin"), data(id).test);
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> flags;
    auto args = mlpipe::bench::take_mlpipe_flags(argc, argv, &flags);
    if (const auto it = flags.find("write_data"); it != flags.end()) {
        write_data(it->second);
        return 0;
    }
    using namespace mlpipe;
    for (const auto& [id, name] :
         {std::pair{binary, "binary"}, std::pair{multiclass, "multiclass"}}) {
        const std::string n = name;
        benchmark::RegisterBenchmark(("fit/logistic_regression/" + n).c_str(),
                                     fit<logistic_regression<double>>,
                                     logistic_regression<double>{}, 1u)
            ->Arg(id)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("fit/logistic_regression_2_threads/" + n).c_str(),
                                     fit<logistic_regression<double>>,
                                     logistic_regression<double>{}, 2u)
            ->Arg(id)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("fit/linear_svm/" + n).c_str(), fit<linear_svm<double>>,
                                     linear_svm<double>{}, 1u)
            ->Arg(id)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("fit/gaussian_naive_bayes/" + n).c_str(),
                                     fit<gaussian_naive_bayes<double>>,
                                     gaussian_naive_bayes<double>{}, 1u)
            ->Arg(id)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("predict_proba/logistic_regression/" + n).c_str(),
                                     predict_batch<logistic_regression<double>>,
                                     logistic_regression<double>{})
            ->Arg(id)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("predict_proba_row/logistic_regression/" + n).c_str(),
                                     predict_row<logistic_regression<double>>,
                                     logistic_regression<double>{})
            ->Arg(id);
    }
    // Trees: 100 trees on 2 threads for the forest (scikit-learn's n_jobs=2 in compare_sklearn.py).
    const random_forest<double> forest({.predict_threads = 2});
    for (const auto& [id, name] :
         {std::pair{multiclass, "multiclass"}, std::pair{hastie, "hastie"}}) {
        const std::string n = name;
        benchmark::RegisterBenchmark(("fit/decision_tree/" + n).c_str(),
                                     fit_tree<decision_tree<double>>, decision_tree<double>{}, 1u)
            ->Arg(id)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->Iterations(1);
        benchmark::RegisterBenchmark(("fit/random_forest_2_threads/" + n).c_str(),
                                     fit_tree<random_forest<double>>, forest, 2u)
            ->Arg(id)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->Iterations(1);
        benchmark::RegisterBenchmark(("predict_proba/decision_tree/" + n).c_str(),
                                     predict_batch_fitted<decision_tree<double>>,
                                     decision_tree<double>{})
            ->Arg(id)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("predict_proba/random_forest_2_threads/" + n).c_str(),
                                     predict_batch_fitted<random_forest<double>>, forest)
            ->Arg(id)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("predict_proba_row/decision_tree/" + n).c_str(),
                                     predict_row_fitted<decision_tree<double>>,
                                     decision_tree<double>{})
            ->Arg(id);
        benchmark::RegisterBenchmark(("predict_proba_row/random_forest/" + n).c_str(),
                                     predict_row_fitted<random_forest<double>>, forest)
            ->Arg(id);
    }
    benchmark::RegisterBenchmark("fit/mlp/multiclass", fit_mlp, 1u)
        ->Arg(multiclass)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark("fit/mlp_2_threads/multiclass", fit_mlp, 2u)
        ->Arg(multiclass)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark("predict_proba/mlp/multiclass", predict_batch<mlp<double>>,
                                 bench_mlp())
        ->Arg(multiclass)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("predict_proba_row/mlp/multiclass", predict_row<mlp<double>>,
                                 bench_mlp())
        ->Arg(multiclass);
    benchmark::RegisterBenchmark("fit/k_nearest_neighbors/neighbors",
                                 fit<k_nearest_neighbors<double>>, k_nearest_neighbors<double>{},
                                 1u)
        ->Arg(neighbors)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark("predict_proba/k_nearest_neighbors/neighbors",
                                 predict_batch<k_nearest_neighbors<double>>,
                                 k_nearest_neighbors<double>{})
        ->Arg(neighbors)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("predict_proba_row/gaussian_naive_bayes/binary",
                                 predict_row<gaussian_naive_bayes<double>>,
                                 gaussian_naive_bayes<double>{})
        ->Arg(binary);
    return mlpipe::bench::run_benchmarks(args);
}

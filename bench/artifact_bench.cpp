// SPDX-License-Identifier: Apache-2.0
// Artifact encode and decode speed, and artifact size against raw tensor bytes.
// Targets: decode of the large artifact mapped in place >= 2 GB/s of tensor bytes; artifact size
// within 1% + 4 KiB of the raw tensor bytes.
//
//   artifact_bench [--benchmark_filter=...] [--mlpipe_smoke]
//
// Two artifacts: "small" (logistic-regression-like, 100 features: a 3 x 100 f64 weight tensor and
// 3 intercepts) and "large" (>= 50 MB of f64 tensors; 1 MB with --mlpipe_smoke). bytes_per_second
// counts tensor bytes; the counters give the artifact's size and its overhead over the tensors.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <mlpipe/artifact.hpp>

#include "bench_main.hpp"

namespace {

using mlpipe::bench::smoke;

mlpipe::artifact make_small() {
    mlpipe::artifact a;
    auto& m = a.manifest();
    m.kind = "logistic_regression";
    m.hyperparameters = {{"C", 1.0}, {"max_iter", 100}, {"penalty", "l2"}};
    m.features.count = 100;
    for (int j = 0; j < 100; ++j)
        m.features.names.push_back("feature_" + std::to_string(j));
    m.labels = mlpipe::label_map::from_strings({"a", "b", "c"});
    m.metrics = {{"accuracy", 0.9}};
    a.add_tensor("coef", Eigen::MatrixXd::Random(3, 100).eval());
    a.add_tensor("intercept", Eigen::VectorXd::Random(3).eval());
    return a;
}

mlpipe::artifact make_large() {
    mlpipe::artifact a;
    a.manifest().kind = "large_model";
    // 4 tensors of 1600 x 1024 f64 = 13.1 MB each, 52.4 MB in all (smoke: 4 x 32 x 1024).
    const Eigen::Index rows = smoke ? 32 : 1600;
    for (int k = 0; k < 4; ++k) {
        a.add_tensor("layer" + std::to_string(k), Eigen::MatrixXd::Random(rows, 1024).eval());
    }
    a.add_tensor("bias", Eigen::VectorXd::Random(1000).eval());
    return a;
}

const mlpipe::artifact& artifact_of(int which) {
    static std::map<int, mlpipe::artifact> cache;
    auto it = cache.find(which);
    if (it == cache.end())
        it = cache.emplace(which, which == 0 ? make_small() : make_large()).first;
    return it->second;
}

void report(benchmark::State& state, const mlpipe::artifact& a, std::size_t encoded) {
    const auto raw = static_cast<double>(a.tensor_bytes());
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(a.tensor_bytes()));
    state.counters["tensor_bytes"] = raw;
    state.counters["artifact_bytes"] = static_cast<double>(encoded);
    state.counters["overhead_bytes"] = static_cast<double>(encoded) - raw;
    // The target: artifact_bytes <= 1.01 * tensor_bytes + 4096, i.e. within_target >= 0.
    state.counters["within_target"] = raw * 1.01 + 4096 - static_cast<double>(encoded);
}

void encode(benchmark::State& state) {
    const auto& a = artifact_of(static_cast<int>(state.range(0)));
    std::size_t size = 0;
    for (auto _ : state) {
        auto bytes = mlpipe::encode_artifact(a);
        size = bytes.size();
        benchmark::DoNotOptimize(bytes.data());
    }
    report(state, a, size);
}

void decode_copy(benchmark::State& state) {
    const auto& a = artifact_of(static_cast<int>(state.range(0)));
    const auto bytes = mlpipe::encode_artifact(a);
    for (auto _ : state) {
        auto back = mlpipe::decode_artifact(bytes);
        benchmark::DoNotOptimize(back.tensors().data());
    }
    report(state, a, bytes.size());
}

void decode_in_place(benchmark::State& state) {
    const auto& a = artifact_of(static_cast<int>(state.range(0)));
    const auto bytes = mlpipe::encode_artifact(a);
    for (auto _ : state) {
        auto back = mlpipe::decode_artifact_view(bytes);
        benchmark::DoNotOptimize(back.tensors().data());
    }
    report(state, a, bytes.size());
}

/// The file is mapped once (page cache warm); each iteration decodes in place from the mapping.
void decode_mapped(benchmark::State& state) {
    const auto& a = artifact_of(static_cast<int>(state.range(0)));
    const auto path = std::filesystem::temp_directory_path() / "mlpipe-artifact-bench.mlpa";
    mlpipe::save_artifact_file(path, a);
    {
        const mlpipe::mapped_file file(path);
        for (auto _ : state) {
            auto back = mlpipe::decode_artifact_view(file.bytes());
            benchmark::DoNotOptimize(back.tensors().data());
        }
        report(state, a, file.size());
    }
    std::filesystem::remove(path);
}

/// Each iteration opens, maps, verifies and decodes the file (load_artifact_file), then unmaps.
void load_file(benchmark::State& state) {
    const auto& a = artifact_of(static_cast<int>(state.range(0)));
    const auto path = std::filesystem::temp_directory_path() / "mlpipe-artifact-bench-load.mlpa";
    mlpipe::save_artifact_file(path, a);
    for (auto _ : state) {
        auto back = mlpipe::load_artifact_file(path);
        benchmark::DoNotOptimize(back.tensors().data());
    }
    report(state, a, static_cast<std::size_t>(std::filesystem::file_size(path)));
    std::filesystem::remove(path);
}

void checksum_only(benchmark::State& state) {
    const auto& a = artifact_of(static_cast<int>(state.range(0)));
    const auto bytes = mlpipe::encode_artifact(a);
    for (auto _ : state)
        benchmark::DoNotOptimize(mlpipe::verify_artifact(bytes).checksum);
    report(state, a, bytes.size());
}

void export_json(benchmark::State& state) {
    const auto& a = artifact_of(static_cast<int>(state.range(0)));
    const auto bytes = mlpipe::encode_artifact(a);
    for (auto _ : state) {
        auto text = mlpipe::artifact_to_json(a).dump();
        benchmark::DoNotOptimize(text.data());
    }
    report(state, a, bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
    auto args = mlpipe::bench::take_mlpipe_flags(argc, argv);
    for (const auto& [name, which] : {std::pair{"small", 0}, std::pair{"large", 1}}) {
        const std::string suffix = std::string("/") + name;
        benchmark::RegisterBenchmark(("encode" + suffix).c_str(), encode)
            ->Arg(which)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("decode_copy" + suffix).c_str(), decode_copy)
            ->Arg(which)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("decode_in_place" + suffix).c_str(), decode_in_place)
            ->Arg(which)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("decode_mapped" + suffix).c_str(), decode_mapped)
            ->Arg(which)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("load_file" + suffix).c_str(), load_file)
            ->Arg(which)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("verify_checksum" + suffix).c_str(), checksum_only)
            ->Arg(which)
            ->UseRealTime();
    }
    benchmark::RegisterBenchmark("export_json/small", export_json)->Arg(0)->UseRealTime();

    return mlpipe::bench::run_benchmarks(args);
}

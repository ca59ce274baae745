// SPDX-License-Identifier: Apache-2.0
// CSV and binary matrix reading speed. Target: >= 100 MB/s of numeric CSV on one core.
//
//   csv_bench [--benchmark_filter=...] [--mlpipe_smoke]
//
// Data comes from make_classification (no download). Two CSV flavours: values written with 6
// significant digits (typical exports) and with full round-trip precision (17 digits, the hardest
// case for a number parser). bytes_per_second is the figure to read.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <mlpipe/data.hpp>

#include "bench_main.hpp"

namespace {

using mlpipe::bench::smoke;

const mlpipe::dataset<double>& source_data(Eigen::Index rows) {
    static std::map<Eigen::Index, mlpipe::dataset<double>> cache;
    auto it = cache.find(rows);
    if (it == cache.end()) {
        it = cache
                 .emplace(rows, mlpipe::make_classification({.n_samples = rows,
                                                             .n_features = 20,
                                                             .n_informative = 5,
                                                             .n_redundant = 5,
                                                             .n_classes = 3,
                                                             .seed = 1}))
                 .first;
    }
    return it->second;
}

/// The data as CSV text; `digits` significant digits, or 0 for shortest round-trip form.
const std::string& csv_text(Eigen::Index rows, int digits) {
    static std::map<std::pair<Eigen::Index, int>, std::string> cache;
    const auto key = std::pair{rows, digits};
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    const auto& data = source_data(rows);
    if (digits == 0) {
        std::ostringstream out;
        mlpipe::write_csv(out, data);
        return cache.emplace(key, out.str()).first->second;
    }
    std::string text;
    for (const auto& name : data.feature_names())
        text += name + ",";
    text += "label\n";
    char buffer[64];
    for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
        for (Eigen::Index j = 0; j < data.n_features(); ++j) {
            const auto r = std::to_chars(buffer, buffer + sizeof buffer, data.features()(i, j),
                                         std::chars_format::general, digits);
            text.append(buffer, r.ptr);
            text += ',';
        }
        text += data.classes().name(static_cast<std::size_t>(data.targets()[i]));
        text += '\n';
    }
    return cache.emplace(key, std::move(text)).first->second;
}

template <class Scalar>
void parse_csv_memory(benchmark::State& state, int digits) {
    const std::string& text = csv_text(state.range(0), digits);
    for (auto _ : state) {
        auto data = mlpipe::parse_csv<Scalar>(text);
        benchmark::DoNotOptimize(data.features().data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(text.size()));
    state.counters["MB"] = static_cast<double>(text.size()) / 1e6;
}

void read_csv_file(benchmark::State& state) {
    const std::string& text = csv_text(state.range(0), 6);
    const auto path = std::filesystem::temp_directory_path() / "mlpipe-csv-bench.csv";
    std::ofstream(path, std::ios::binary) << text;
    for (auto _ : state) {
        auto data = mlpipe::read_csv(path);
        benchmark::DoNotOptimize(data.features().data());
    }
    std::filesystem::remove(path);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(text.size()));
}

void write_csv_memory(benchmark::State& state) {
    const auto& data = source_data(state.range(0));
    std::size_t bytes = 0;
    for (auto _ : state) {
        std::ostringstream out;
        mlpipe::write_csv(out, data);
        bytes = out.str().size();
        benchmark::DoNotOptimize(bytes);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(bytes));
}

void read_binary_file(benchmark::State& state) {
    const auto& data = source_data(state.range(0));
    const auto path = std::filesystem::temp_directory_path() / "mlpipe-csv-bench.bin";
    mlpipe::write_binary_matrix(path, data);
    const auto size = std::filesystem::file_size(path);
    for (auto _ : state) {
        auto back = mlpipe::read_binary_matrix(path);
        benchmark::DoNotOptimize(back.features().data());
    }
    std::filesystem::remove(path);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(size));
}

}  // namespace

int main(int argc, char** argv) {
    auto args = mlpipe::bench::take_mlpipe_flags(argc, argv);
    const std::int64_t rows =
        smoke ? 2000 : 200000;  // 200k x 20 is ~28 MB (6 digits) / ~80 MB (17)

    benchmark::RegisterBenchmark("parse_csv<double>/6_digits", parse_csv_memory<double>, 6)
        ->Arg(rows);
    benchmark::RegisterBenchmark("parse_csv<double>/17_digits", parse_csv_memory<double>, 0)
        ->Arg(rows);
    benchmark::RegisterBenchmark("parse_csv<float>/6_digits", parse_csv_memory<float>, 6)
        ->Arg(rows);
    benchmark::RegisterBenchmark("read_csv<double>/file_6_digits", read_csv_file)->Arg(rows);
    benchmark::RegisterBenchmark("write_csv<double>/17_digits", write_csv_memory)->Arg(rows);
    benchmark::RegisterBenchmark("read_binary_matrix<double>/file", read_binary_file)->Arg(rows);

    return mlpipe::bench::run_benchmarks(args);
}

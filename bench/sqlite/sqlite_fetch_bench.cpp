// SPDX-License-Identifier: Apache-2.0
// sqlite_data_source::fetch speed. Target: 1M rows x 20 numeric columns (plus an integer label and
// an id) into a dataset in under 2 s on one core.
//
//   sqlite_fetch_bench [--benchmark_filter=...] [--mlpipe_smoke]
//
// The database is generated once per run in the temporary directory (no download); rows/s and the
// time per fetch are the figures to read.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <mlpipe/detail/random.hpp>
#include <mlpipe/sqlite.hpp>

#include "../bench_main.hpp"

namespace {

using mlpipe::bench::smoke;

std::filesystem::path make_database(std::int64_t rows) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("mlpipe-sqlite-fetch-bench-" + std::to_string(rows) + ".db");
    std::filesystem::remove(path);
    auto db = mlpipe::sqlite::connection::open(
        path.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, std::chrono::seconds(10));
    std::string create = "CREATE TABLE samples (id INTEGER PRIMARY KEY";
    std::string insert = "INSERT INTO samples VALUES (?1";
    for (int j = 0; j < 20; ++j) {
        create += ", x" + std::to_string(j) + " REAL";
        insert += ", ?" + std::to_string(j + 2);
    }
    create += ", label INTEGER)";
    insert += ", ?22)";
    db.exec(create.c_str());
    db.exec("BEGIN");
    mlpipe::sqlite::statement s(db.get(), insert);
    mlpipe::detail::random_engine engine(7);
    for (std::int64_t i = 0; i < rows; ++i) {
        s.reset().bind(1, i + 1);
        for (int j = 0; j < 20; ++j)
            s.bind(j + 2, mlpipe::detail::uniform_real(engine, -5.0, 5.0));
        s.bind(22, static_cast<std::int64_t>(engine() % 3));
        while (s.step()) {
        }
    }
    s = {};
    db.exec("COMMIT");
    return path;
}

void fetch_rows(benchmark::State& state) {
    const auto rows = state.range(0);
    const auto path = make_database(rows);
    mlpipe::sqlite::sqlite_data_source source(
        path, {{"samples", "SELECT * FROM samples ORDER BY id", "label", {}, "id"}});
    for (auto _ : state) {
        auto result = source.fetch(mlpipe::fetch_request{"samples"});
        if (result.data.n_samples() != rows) state.SkipWithError("wrong row count");
        benchmark::DoNotOptimize(result.data.features().data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * rows);
    state.counters["rows"] = static_cast<double>(rows);
    std::filesystem::remove(path);
}

void count_since(benchmark::State& state) {
    const auto rows = state.range(0);
    const auto path = make_database(rows);
    mlpipe::sqlite::sqlite_data_source source(
        path, {{"samples", "SELECT * FROM samples", "label", {}, "id"}});
    const mlpipe::watermark since{static_cast<std::int64_t>(rows / 2)};
    for (auto _ : state) {
        benchmark::DoNotOptimize(source.count_since(mlpipe::fetch_request{"samples"}, since));
    }
    std::filesystem::remove(path);
}

}  // namespace

int main(int argc, char** argv) {
    auto args = mlpipe::bench::take_mlpipe_flags(argc, argv);
    const std::int64_t rows = smoke ? 2000 : 1000000;
    benchmark::RegisterBenchmark("sqlite_fetch/20_numeric_columns", fetch_rows)
        ->Arg(rows)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark("sqlite_count_since/half", count_since)
        ->Arg(rows)
        ->Unit(benchmark::kMillisecond);
    return mlpipe::bench::run_benchmarks(args);
}

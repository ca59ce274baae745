// SPDX-License-Identifier: Apache-2.0
// The training worker's overhead per request on the embedded backends, beyond the fit itself:
// receive (SQLite queue), parse, fetch (SQLite warehouse, 150 rows), hold-out split, evaluate,
// encode the artifact, publish (file store: artifact, version record, request claim), journal,
// acknowledge. Target: < 20 ms per request.
//
//   worker_loop_bench [--benchmark_filter=...] [--mlpipe_smoke]
//
// The reported time is manual: each request's wall time in handle_one() minus its fit time
// (fit_ms, reported beside it). "sync" fsyncs every store write (the default, crash-safe);
// "nosync" leaves that to the OS, so the difference is the disk's.
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <mlpipe/data/csv.hpp>
#include <mlpipe/jobs.hpp>
#include <mlpipe/sqlite.hpp>
#include <mlpipe/storage/file_blob_store.hpp>

#include "../bench_main.hpp"

namespace {

using mlpipe::bench::smoke;

/// A warehouse with `rows` rows of 4 features and 3 classes (a small synthetic iris).
void make_warehouse(const std::filesystem::path& path, int rows) {
    auto db = mlpipe::sqlite::connection::open(
        path.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, std::chrono::seconds(10));
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a REAL, b REAL, c REAL, d REAL, label TEXT)");
    db.exec("BEGIN");
    mlpipe::sqlite::statement s(db.get(), "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)");
    for (int i = 0; i < rows; ++i) {
        const int c = i % 3;
        s.bind(1, std::int64_t{i + 1});
        for (int j = 0; j < 4; ++j)
            s.bind(2 + j, c * 1.5 + 0.1 * ((i * 7 + j * 13) % 17));
        s.bind(6, std::string_view(c == 0 ? "a" : c == 1 ? "b" : "c"));
        s.step();
        s.reset();
    }
    db.exec("COMMIT");
}

void worker_loop(benchmark::State& state, bool sync) {
    const auto dir = std::filesystem::temp_directory_path() / "mlpipe-worker-loop-bench";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        make_warehouse(dir / "warehouse.db", 150);
        mlpipe::sqlite::sqlite_message_queue queue(dir / "queue.db");
        mlpipe::sqlite::sqlite_data_source source(
            dir / "warehouse.db",
            {mlpipe::dataset_definition{"t", "SELECT * FROM t", "label", {}, "id"}});
        mlpipe::file_blob_store store(dir / "store", {.sync = sync});
        double fit_seconds = 0;
        double fit_total = 0;
        mlpipe::worker_options options;
        options.name = "bench";
        options.poll_wait = std::chrono::milliseconds(0);
        options.on_event = [&](const mlpipe::worker_event& e) {
            if (e.outcome != nullptr) fit_seconds = e.outcome->fit.elapsed_seconds;
        };
        mlpipe::training_worker worker(queue, source, store, options);
        mlpipe::training_request r;
        r.model = "bench";
        r.estimator = "gaussian_naive_bayes";
        r.dataset.name = "t";
        std::uint64_t n = 0;
        mlpipe::worker_summary summary;
        for (auto _ : state) {
            r.request_id = "r" + std::to_string(n++);
            queue.send(mlpipe::to_json(r).dump());
            fit_seconds = 0;
            const auto t0 = std::chrono::steady_clock::now();
            if (!worker.handle_one(summary)) state.SkipWithError("no message");
            const double wall =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            state.SetIterationTime(wall - fit_seconds);
            fit_total += fit_seconds;
        }
        if (summary.published != n) state.SkipWithError("a request was not published");
        state.counters["fit_ms"] =
            1e3 * fit_total / static_cast<double>(std::max<std::uint64_t>(n, 1));
    }
    std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
    auto args = mlpipe::bench::take_mlpipe_flags(argc, argv);
    benchmark::RegisterBenchmark("worker_loop_overhead/sync", worker_loop, true)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
    if (!smoke) {
        benchmark::RegisterBenchmark("worker_loop_overhead/nosync", worker_loop, false)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
    }
    return mlpipe::bench::run_benchmarks(args);
}

// SPDX-License-Identifier: Apache-2.0
// sqlite_message_queue throughput: send + receive + ack cycles per second, one thread, in each
// durability mode. Target: >= 5,000 cycles/s on one core in durable mode.
//
//   sqlite_queue_bench [--benchmark_filter=...] [--mlpipe_smoke]
//
// items_per_second is cycles per second. "normal" survives a killed process (WAL,
// synchronous=NORMAL); "full" also survives power loss (an fsync per commit, so it measures the
// disk as much as the code).
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <mlpipe/sqlite.hpp>

#include "../bench_main.hpp"

namespace {

using mlpipe::bench::smoke;

void cycle(benchmark::State& state, mlpipe::sqlite::sqlite_durability durability,
           std::size_t batch) {
    const auto path = std::filesystem::temp_directory_path() / "mlpipe-sqlite-queue-bench.db";
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + "-wal");
    std::filesystem::remove(path.string() + "-shm");
    {
        mlpipe::sqlite::sqlite_queue_options options;
        options.durability = durability;
        mlpipe::sqlite::sqlite_message_queue q(path, options);
        const std::string body(200, 'm');  // a training request is a few hundred bytes of JSON
        const mlpipe::receive_options receive{batch, std::chrono::milliseconds(0),
                                              std::chrono::seconds(60)};
        for (auto _ : state) {
            for (std::size_t i = 0; i < batch; ++i)
                q.send(body);
            const auto got = q.receive(receive);
            if (got.size() != batch) state.SkipWithError("lost a message");
            for (const auto& m : got) {
                if (!q.ack(m.receipt)) state.SkipWithError("ack failed");
            }
        }
        state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                                static_cast<std::int64_t>(batch));
    }
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + "-wal");
    std::filesystem::remove(path.string() + "-shm");
}

}  // namespace

int main(int argc, char** argv) {
    auto args = mlpipe::bench::take_mlpipe_flags(argc, argv);
    using mlpipe::sqlite::sqlite_durability;
    benchmark::RegisterBenchmark("sqlite_queue_cycle/normal", cycle, sqlite_durability::normal, 1)
        ->UseRealTime();
    benchmark::RegisterBenchmark("sqlite_queue_cycle/full", cycle, sqlite_durability::full, 1)
        ->UseRealTime();
    if (!smoke) {  // the smoke run keeps to the two modes
        benchmark::RegisterBenchmark("sqlite_queue_cycle/normal_batch10", cycle,
                                     sqlite_durability::normal, 10)
            ->UseRealTime();
    }
    return mlpipe::bench::run_benchmarks(args);
}

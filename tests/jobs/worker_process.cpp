// SPDX-License-Identifier: Apache-2.0
// A training worker process for the fault tests: the durable SQLite queue, an SQLite warehouse and
// a file model store, all in one directory; killed, paused and terminated by the tests.
//
//   jobs_test_worker DIR NAME [--lease-ms N] [--idle-exit-ms N] [--fetch-delay-ms N]
//
// DIR holds queue.db (queue "training", max 10 receives), warehouse.db (table iris) and store/.
// Prints one line per event on stdout; exits 0 when it stops by itself or on SIGTERM.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <mlpipe/jobs.hpp>
#include <mlpipe/sqlite.hpp>
#include <mlpipe/storage/file_blob_store.hpp>

#include "delayed_source.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr,
                     "usage: jobs_test_worker DIR NAME [--lease-ms N] [--idle-exit-ms N] "
                     "[--fetch-delay-ms N]\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    mlpipe::worker_options options;
    options.name = argv[2];
    options.lease = std::chrono::milliseconds(1000);
    options.poll_wait = std::chrono::milliseconds(100);
    std::chrono::milliseconds delay{0};
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const auto value = std::chrono::milliseconds(std::atoll(argv[i + 1]));
        if (flag == "--lease-ms") options.lease = value;
        if (flag == "--idle-exit-ms") options.idle_exit = value;
        if (flag == "--fetch-delay-ms") delay = value;
    }
    options.on_event = [](const mlpipe::worker_event& e) {
        using k = mlpipe::worker_event::kind;
        const char* what = e.type == k::received    ? "received"
                           : e.type == k::published ? "published"
                           : e.type == k::rejected  ? "rejected"
                           : e.type == k::failed    ? "failed"
                           : e.type == k::cancelled ? "cancelled"
                           : e.type == k::stopped   ? "stopped"
                                                    : nullptr;
        if (what != nullptr) {
            std::printf("%s %s %s attempt=%u %s\n", e.worker.c_str(), what, e.request_id.c_str(),
                        e.attempt, e.message.c_str());
            std::fflush(stdout);
        }
    };
    mlpipe::stop_on_signals();
    std::printf("%s ready\n", options.name.c_str());
    std::fflush(stdout);
    try {
        mlpipe::sqlite::sqlite_queue_options qo;
        qo.queue = "training";
        qo.max_receives = 10;
        mlpipe::sqlite::sqlite_message_queue queue(dir / "queue.db", qo);
        mlpipe::sqlite::sqlite_data_source warehouse(
            dir / "warehouse.db",
            {mlpipe::dataset_definition{"iris", "SELECT * FROM iris", "label", {}, "id"}});
        mlpipe::test::delayed_source<mlpipe::sqlite::sqlite_data_source> source{warehouse, delay};
        mlpipe::file_blob_store store(dir / "store");
        mlpipe::training_worker worker(queue, source, store, options);
        const auto summary = worker.run();
        std::printf("%s exit %s received=%llu published=%llu\n", options.name.c_str(),
                    summary.exit_reason.c_str(), static_cast<unsigned long long>(summary.received),
                    static_cast<unsigned long long>(summary.published));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "jobs_test_worker: %s\n", e.what());
        return 1;
    }
}

// SPDX-License-Identifier: Apache-2.0
// examples/ec2_worker: a training worker for an EC2 instance (or any machine): it takes training
// requests from SQS, fetches data from RDS (PostgreSQL), trains, validates and publishes models to
// S3, and exits when the queue has been empty for a while, so an Auto Scaling group (or a systemd
// unit with Restart=on-failure) can run it on demand. See docs/aws.md for the launch template,
// the systemd unit and the IAM policy it needs.
//
//   ec2_worker CONFIG.json
//
// CONFIG.json (any URI works: sqlite:// and file:// too, for a dry run on one machine):
//   {
//     "queue": "sqs://sqs.eu-west-1.amazonaws.com/123456789012/training-requests",
//     "warehouse": "postgresql://trainer@db.example.internal:5432/warehouse?sslmode=verify-full",
//     "store": "s3://my-models",
//     "datasets": [{"name": "digits", "source": "SELECT * FROM observations ORDER BY id",
//                   "label_column": "label", "watermark_column": "id"}],
//     "workers": 2,               (default: the number of cores)
//     "idle_exit_seconds": 300,   (default: 300; 0 = never)
//     "lease_seconds": 120,       (default: 120; extended by heartbeats while training)
//     "poll_seconds": 20          (default: 20, SQS long polling: fewer, cheaper receives)
//   }
// Prints a line per request event ("NAME received ID attempt=N", "NAME published ID: ...") and a
// summary; exits 0 when it stopped by itself or on SIGTERM with no failed request, 3 when some
// failed (they are retried or dead-lettered by the queue), 1 on a configuration error.
// Credentials and region: the instance role (IMDSv2), or the usual AWS environment and profiles.
// SIGTERM (a Spot interruption, systemctl stop) releases the current request for another worker.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include <mlpipe/aws.hpp>
#include <mlpipe/jobs.hpp>
#include <mlpipe/sqlite.hpp>
#include <mlpipe/storage.hpp>

namespace {

std::vector<mlpipe::dataset_definition> read_definitions(const nlohmann::json& config) {
    std::vector<mlpipe::dataset_definition> out;
    for (const auto& d : config.at("datasets")) {
        mlpipe::dataset_definition def;
        def.name = d.at("name").get<std::string>();
        def.source = d.at("source").get<std::string>();
        def.label_column = d.value("label_column", std::string("label"));
        def.feature_columns = d.value("feature_columns", std::vector<std::string>{});
        def.watermark_column = d.value("watermark_column", std::string{});
        out.push_back(std::move(def));
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: ec2_worker CONFIG.json (see examples/ec2_worker)\n");
        return 2;
    }
    try {
        std::ifstream in(argv[1]);
        if (!in) {
            throw mlpipe::configuration_error(std::string("cannot read ") + argv[1],
                                              "pass the worker's configuration file", "config");
        }
        const auto config = nlohmann::json::parse(in);
        auto queue = mlpipe::open_message_queue(config.at("queue").get<std::string>());
        auto warehouse = mlpipe::open_data_source(config.at("warehouse").get<std::string>(),
                                                  read_definitions(config));
        auto store = mlpipe::open_blob_store(config.at("store").get<std::string>());

        const auto seconds = [&](const char* key, double fallback) {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::duration<double>(config.value(key, fallback)));
        };
        mlpipe::worker_options options;
        options.lease = seconds("lease_seconds", 120);
        options.poll_wait = seconds("poll_seconds", 20);
        if (const auto idle = seconds("idle_exit_seconds", 300); idle.count() > 0)
            options.idle_exit = idle;
        options.on_event = [](const mlpipe::worker_event& e) {
            using kind = mlpipe::worker_event::kind;
            if (e.type == kind::received) {
                std::printf("%s received %s attempt=%u\n", e.worker.c_str(), e.request_id.c_str(),
                            e.attempt);
            } else if (e.type == kind::published || e.type == kind::rejected) {
                std::printf("%s %s %s: %s\n", e.worker.c_str(),
                            e.type == kind::published ? "published" : "rejected",
                            e.request_id.c_str(), e.outcome->gate.c_str());
            } else if (e.type == kind::failed) {
                std::printf("%s FAILED %s: %s\n", e.worker.c_str(), e.request_id.c_str(),
                            e.message.c_str());
            }
            std::fflush(stdout);
        };
        const unsigned workers =
            config.value("workers", std::max(1u, std::thread::hardware_concurrency()));
        mlpipe::stop_on_signals();
        mlpipe::worker_pool pool(queue, warehouse, store, workers, options);
        const auto summary = pool.run();
        std::printf("ec2_worker: %llu requests: %llu published, %llu rejected, %llu failed (%s)\n",
                    static_cast<unsigned long long>(summary.received),
                    static_cast<unsigned long long>(summary.published),
                    static_cast<unsigned long long>(summary.rejected),
                    static_cast<unsigned long long>(summary.failed), summary.exit_reason.c_str());
        return summary.failed == 0 ? 0 : 3;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ec2_worker: %s\n", e.what());
        return 1;
    }
}

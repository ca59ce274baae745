// SPDX-License-Identifier: Apache-2.0
// examples/ec2_worker as a real process on the AWS wing (SQS on fauxqs, PostgreSQL 15, S3 on Ceph
// radosgw), configured by URIs: a worker SIGKILLed while it holds a request; the request comes
// back after its lease and a second worker publishes it, once.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <mlpipe/aws.hpp>
#include <mlpipe/jobs.hpp>
#include <mlpipe/registry.hpp>

#include "aws_test_support.hpp"
#include "jobs_support.hpp"
#include "test_support.hpp"

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Starts examples/ec2_worker CONFIG with its output appended to LOG.
pid_t start_worker(const std::filesystem::path& config, const std::filesystem::path& log) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        ::execl(MLPIPE_TEST_EC2_WORKER, MLPIPE_TEST_EC2_WORKER, config.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

void wait_for(const std::filesystem::path& log, const std::string& text) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (read_file(log).find(text) == std::string::npos) {
        INFO(read_file(log));
        REQUIRE(std::chrono::steady_clock::now() < until);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace

TEST_CASE("a killed EC2 worker's SQS message is redelivered and published once",
          "[aws][jobs][faults][processes]") {
    MLPIPE_REQUIRE_SERVER("POSTGRES");
    MLPIPE_REQUIRE_SERVER("FAUXQS");
    MLPIPE_REQUIRE_SERVER("RGW");
    mlpipe::test::temp_dir dir;

    // The warehouse: iris in PostgreSQL. Each fetch sleeps a second inside the server, so the
    // first worker is certainly killed in the middle of its request.
    const auto warehouse = mlpipe::test::aws_server_setting("MLPIPE_TEST_POSTGRES_URI").value();
    const auto table = [] {
        auto t = mlpipe::test::unique_name("iris");
        std::replace(t.begin(), t.end(), '-', '_');
        return t;
    }();
    {
        const auto data = mlpipe::test::real_data("iris.csv");
        std::ostringstream sql;
        sql << "CREATE TABLE " << table
            << " (id int PRIMARY KEY, sepal_length float8, sepal_width float8, petal_length "
               "float8, petal_width float8, label text); INSERT INTO "
            << table << " VALUES ";
        for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
            sql << (i == 0 ? "" : ",") << "(" << i + 1;
            for (Eigen::Index j = 0; j < 4; ++j)
                sql << "," << data.features()(i, j);
            sql << ",'" << data.classes().name(static_cast<std::size_t>(data.targets()[i])) << "')";
        }
        std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(warehouse.c_str()),
                                                          &PQfinish);
        std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), sql.str().c_str()),
                                                        &PQclear);
        INFO(PQresultErrorMessage(r.get()));
        REQUIRE(PQresultStatus(r.get()) == PGRES_COMMAND_OK);
    }

    const auto fauxqs = mlpipe::test::aws_server_setting("MLPIPE_TEST_FAUXQS_ENDPOINT").value();
    const auto queue_url =
        mlpipe::test::create_sqs_queue(fauxqs, mlpipe::test::unique_name("ec2"), 3);
    const auto queue_uri = "sqs://" + fauxqs.substr(fauxqs.find("://") + 3) +
                           queue_url.substr(queue_url.find('/', 8)) +
                           "?scheme=http&region=us-east-1";
    const auto rgw = mlpipe::test::aws_server_setting("MLPIPE_TEST_RGW_ENDPOINT").value();
    const auto bucket = mlpipe::test::unique_name("ec2-models");
    mlpipe::test::rgw_bucket(bucket);
    const auto store_uri =
        "s3://" + bucket + "?endpoint=" + rgw + "&path_style=1&if_match=unquoted&region=us-east-1";
    // The workers inherit the keys (the default credential chain reads the environment).
    mlpipe::test::use_test_keys_from_environment(
        mlpipe::test::aws_server_setting("MLPIPE_TEST_RGW_ACCESS_KEY").value(),
        mlpipe::test::aws_server_setting("MLPIPE_TEST_RGW_SECRET_KEY").value());

    const nlohmann::json config = {
        {"queue", queue_uri},
        {"warehouse", warehouse},
        {"store", store_uri},
        {"datasets",
         {{{"name", "iris"},
           {"source", "SELECT t.* FROM " + table + " AS t, pg_sleep(0.5) ORDER BY id"},
           {"label_column", "label"},
           {"watermark_column", "id"}}}},
        {"workers", 1},
        {"lease_seconds", 2},
        {"poll_seconds", 1},
        {"idle_exit_seconds", 4}};
    const auto config_path = dir / "worker.json";
    std::ofstream(config_path) << config.dump(2);

    auto queue = mlpipe::open_message_queue(queue_uri);
    const auto request = mlpipe::test::iris_request("killed-1");
    queue.send(mlpipe::to_json(request).dump());

    const auto first_log = dir / "first.log";
    const pid_t first = start_worker(config_path, first_log);
    wait_for(first_log, "received killed-1 attempt=1");
    ::kill(first, SIGKILL);
    CHECK(mlpipe::test::wait_exit(first) == 128 + SIGKILL);
    INFO("first worker:\n" << read_file(first_log));
    CHECK(read_file(first_log).find("published") == std::string::npos);

    const auto second_log = dir / "second.log";
    const pid_t second = start_worker(config_path, second_log);
    const int rc = mlpipe::test::wait_exit(second);
    const auto output = read_file(second_log);
    INFO("second worker:\n" << output);
    CHECK(rc == 0);
    CHECK(output.find("received killed-1 attempt=2") != std::string::npos);
    CHECK(output.find("published killed-1") != std::string::npos);
    CHECK(output.find("1 requests: 1 published, 0 rejected, 0 failed") != std::string::npos);

    auto store = mlpipe::open_blob_store(store_uri);
    mlpipe::model_registry registry(store);
    CHECK(registry.versions("iris").size() == 1);
    const auto version = registry.published_version("iris", "killed-1");
    REQUIRE(version.has_value());
    const auto fetched = registry.fetch("iris", *version);  // verifies the digest
    CHECK(mlpipe::load_any(std::as_bytes(std::span(fetched.bytes))).n_features() == 4);
    const auto stats = queue.stats();
    CHECK(stats.visible == 0);
    CHECK(stats.in_flight == 0);
    CHECK(stats.dead == 0);
}

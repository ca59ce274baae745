// SPDX-License-Identifier: Apache-2.0
// The README's main job (examples/pipeline_demo.hpp) run twice: on the embedded defaults (SQLite
// warehouse, SQLite queue, file store) and on the AWS wing opened from URIs (postgresql://
// warehouse on PostgreSQL 15, sqs:// queue on fauxqs, s3:// store on Ceph radosgw), with the same
// result: the same production estimator and the same accuracy on the served rows in both rounds.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <memory>
#include <string>

#include <mlpipe/aws.hpp>

#include "aws_test_support.hpp"
#include "pipeline_demo.hpp"
#include "test_support.hpp"

namespace {

struct pg_connection {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn;
    explicit pg_connection(const std::string& uri) : conn(PQconnectdb(uri.c_str()), &PQfinish) {
        if (PQstatus(conn.get()) != CONNECTION_OK)
            throw std::runtime_error(std::string("connect: ") + PQerrorMessage(conn.get()));
    }
    void exec(const std::string& sql, const std::vector<std::string>& params = {}) {
        std::vector<const char*> values;
        for (const auto& p : params)
            values.push_back(p.c_str());
        std::unique_ptr<PGresult, decltype(&PQclear)> r(
            PQexecParams(conn.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                         values.data(), nullptr, nullptr, 0),
            &PQclear);
        const auto status = PQresultStatus(r.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
    }
};

/// The AWS wing's backends from URIs: a fresh database, queue and bucket.
pipeline_example::demo_backends aws_backends() {
    const auto base = mlpipe::test::aws_server_setting("MLPIPE_TEST_POSTGRES_URI").value_or("");
    auto database = mlpipe::test::unique_name("demo");
    std::replace(database.begin(), database.end(), '-', '_');
    pg_connection(base).exec("CREATE DATABASE " + database);
    const auto warehouse = base.substr(0, base.rfind('/') + 1) + database;

    const auto fauxqs = mlpipe::test::aws_server_setting("MLPIPE_TEST_FAUXQS_ENDPOINT").value();
    const auto queue_url =
        mlpipe::test::create_sqs_queue(fauxqs, mlpipe::test::unique_name("training"), 3);
    const auto queue = "sqs://" + fauxqs.substr(fauxqs.find("://") + 3) +
                       queue_url.substr(queue_url.find('/', 8)) + "?scheme=http&region=us-east-1";

    const auto rgw = mlpipe::test::aws_server_setting("MLPIPE_TEST_RGW_ENDPOINT").value();
    const auto bucket = mlpipe::test::unique_name("models");
    mlpipe::test::rgw_bucket(bucket);
    // fauxqs takes any key; radosgw checks them: the radosgw user's keys serve both.
    mlpipe::test::use_test_keys_from_environment(
        mlpipe::test::aws_server_setting("MLPIPE_TEST_RGW_ACCESS_KEY").value(),
        mlpipe::test::aws_server_setting("MLPIPE_TEST_RGW_SECRET_KEY").value());
    const auto store = "s3://" + bucket + "/registry-root?endpoint=" + rgw +
                       "&path_style=1&if_match=unquoted&region=us-east-1";

    const auto load_batch = [warehouse](const mlpipe::dataset<double>& data,
                                        const std::vector<Eigen::Index>& rows, std::size_t begin,
                                        std::size_t end) {
        pg_connection db(warehouse);
        std::string create = "CREATE TABLE IF NOT EXISTS observations (id bigint PRIMARY KEY";
        std::string insert = "INSERT INTO observations VALUES ($1";
        int n = 1;
        for (const auto& name : data.feature_names()) {
            create += ", \"" + name + "\" double precision";
            insert += ", $" + std::to_string(++n);
        }
        create += ", label text)";
        insert += ", $" + std::to_string(++n) + ")";
        db.exec(create);
        db.exec("BEGIN");
        for (std::size_t k = begin; k < end; ++k) {
            const Eigen::Index i = rows[k];
            std::vector<std::string> values{std::to_string(k + 1)};
            for (Eigen::Index j = 0; j < data.n_features(); ++j) {
                char buffer[32];
                const auto r = std::to_chars(buffer, buffer + sizeof buffer, data.features()(i, j));
                values.emplace_back(buffer, r.ptr);
            }
            values.emplace_back(data.classes().name(static_cast<std::size_t>(data.targets()[i])));
            db.exec(insert, values);
        }
        db.exec("COMMIT");
    };
    const auto open_warehouse = [warehouse] {
        return mlpipe::open_data_source(warehouse, {pipeline_example::observations()});
    };
    return {"AWS wing",
            "store " + store + "\nqueue " + queue + "\nwarehouse " + warehouse,
            warehouse,
            mlpipe::open_blob_store(store),
            mlpipe::open_message_queue(queue),
            load_batch,
            open_warehouse};
}

}  // namespace

TEST_CASE(
    "the main job gives the same result on S3, SQS and PostgreSQL as on the embedded "
    "defaults",
    "[aws][pipeline]") {
    MLPIPE_REQUIRE_SERVER("POSTGRES");
    MLPIPE_REQUIRE_SERVER("FAUXQS");
    MLPIPE_REQUIRE_SERVER("RGW");
    const std::filesystem::path data = MLPIPE_TEST_DATA_DIR "/digits.csv";

    mlpipe::test::temp_dir dir;
    pipeline_example::pipeline_demo embedded(data, dir.path());
    REQUIRE(embedded.run() == 0);
    const auto expected = embedded.result();

    pipeline_example::pipeline_demo on_aws(data, aws_backends());
    REQUIRE(on_aws.run() == 0);
    const auto got = on_aws.result();

    REQUIRE(expected.served_kind.size() == 2);
    CHECK(got.served_kind == expected.served_kind);
    CHECK(got.served_accuracy == expected.served_accuracy);
    CHECK(got.published >= 2);
    CHECK(expected.served_accuracy[1] > 0.9);
}

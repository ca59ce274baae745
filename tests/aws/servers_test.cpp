// SPDX-License-Identifier: Apache-2.0
// The loopback servers started by tests/aws/servers/servers.sh answer as the other AWS tests
// expect: fauxqs speaks S3 and SQS (JSON 1.0), radosgw verifies SigV4 (the right secret works, a
// wrong one gets 403), PostgreSQL accepts a connection and runs a query.
#include <chrono>
#include <memory>
#include <string>

#include <libpq-fe.h>

#include <mlpipe/aws/http.hpp>
#include <mlpipe/detail/sha256.hpp>

#include "aws_servers.hpp"

namespace {

using mlpipe::aws::http_client;
using mlpipe::aws::http_request;
using mlpipe::aws::signing;

std::string setting(const std::string& key) {
    const auto value = mlpipe::test::aws_server_setting(key);
    REQUIRE(value.has_value());
    return *value;
}

/// A name no earlier run used (the servers keep state only while they run, but tests may repeat).
std::string unique_name(const std::string& prefix) {
    const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
    return prefix + "-" + std::to_string(ticks);
}

signing rgw_signing(const std::string& secret) {
    return signing{{setting("MLPIPE_TEST_RGW_ACCESS_KEY"), secret}, "us-east-1", "s3"};
}

/// A request to radosgw carrying the payload hash S3 wants (libcurl 7.88 does not add it).
http_request rgw_request(std::string method, const std::string& path, std::string_view body = {}) {
    http_request request;
    request.method = std::move(method);
    request.url = setting("MLPIPE_TEST_RGW_ENDPOINT") + path;
    request.headers.emplace_back("x-amz-content-sha256", mlpipe::detail::sha256_hex(body));
    request.body = body;
    return request;
}

struct pg_deleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct pg_result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};

}  // namespace

TEST_CASE("Every endpoint the servers script wrote is on loopback", "[aws][servers]") {
    for (const char* name : {"FAUXQS", "RGW"}) {
        if (!mlpipe::test::aws_server_missing(name).empty()) continue;
        const auto endpoint = setting(std::string("MLPIPE_TEST_") + name + "_ENDPOINT");
        CHECK(endpoint.starts_with("http://127.0.0.1:"));
    }
    if (mlpipe::test::aws_server_missing("POSTGRES").empty())
        CHECK(setting("MLPIPE_TEST_POSTGRES_URI").find("@127.0.0.1:") != std::string::npos);
}

TEST_CASE("fauxqs answers an S3 bucket listing and creates a bucket", "[aws][servers][fauxqs]") {
    MLPIPE_REQUIRE_SERVER("FAUXQS");
    const std::string endpoint = setting("MLPIPE_TEST_FAUXQS_ENDPOINT");
    http_client client("s3");
    const std::string bucket = unique_name("servers-test");
    const auto created = client.perform({"PUT", endpoint + "/" + bucket});
    CHECK(created.status == 200);
    const auto listing = client.perform({"GET", endpoint + "/"});
    CHECK(listing.status == 200);
    CHECK(listing.body.find("<Name>" + bucket + "</Name>") != std::string::npos);
}

TEST_CASE("fauxqs answers SQS over the JSON 1.0 protocol", "[aws][servers][fauxqs]") {
    MLPIPE_REQUIRE_SERVER("FAUXQS");
    const std::string endpoint = setting("MLPIPE_TEST_FAUXQS_ENDPOINT");
    http_client client("sqs");
    const std::string queue = unique_name("servers-test");
    const std::string body = R"({"QueueName":")" + queue + R"("})";
    http_request request{
        "POST",
        endpoint + "/",
        {{"X-Amz-Target", "AmazonSQS.CreateQueue"}, {"Content-Type", "application/x-amz-json-1.0"}},
        body};
    const auto response = client.perform(request);
    CHECK(response.status == 200);
    CHECK(response.body.find("\"QueueUrl\"") != std::string::npos);
    CHECK(response.body.find(queue) != std::string::npos);
}

TEST_CASE("radosgw stores and returns an object signed with the right secret",
          "[aws][servers][rgw]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    const auto sign = rgw_signing(setting("MLPIPE_TEST_RGW_SECRET_KEY"));
    http_client client("s3");
    const std::string bucket = unique_name("servers-test");
    CHECK(client.perform(rgw_request("PUT", "/" + bucket), &sign).status == 200);
    const std::string content = "hello from the servers test";
    const auto put = client.perform(rgw_request("PUT", "/" + bucket + "/greeting", content), &sign);
    CHECK(put.status == 200);
    CHECK_FALSE(put.header("etag").empty());
    const auto got = client.perform(rgw_request("GET", "/" + bucket + "/greeting"), &sign);
    CHECK(got.status == 200);
    CHECK(got.body == content);
}

TEST_CASE("radosgw accepts a signed upload of several megabytes", "[aws][servers][rgw]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    const auto sign = rgw_signing(setting("MLPIPE_TEST_RGW_SECRET_KEY"));
    http_client client("s3");
    const std::string bucket = unique_name("servers-test");
    REQUIRE(client.perform(rgw_request("PUT", "/" + bucket), &sign).status == 200);
    std::string content(3 * 1024 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < content.size(); ++i)
        content[i] = static_cast<char>('a' + i % 26);
    CHECK(client.perform(rgw_request("PUT", "/" + bucket + "/big", content), &sign).status == 200);
    const auto got = client.perform(rgw_request("GET", "/" + bucket + "/big"), &sign);
    CHECK(got.status == 200);
    CHECK(got.body == content);
}

TEST_CASE("radosgw rejects a request signed with a wrong secret", "[aws][servers][rgw]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    const auto right = rgw_signing(setting("MLPIPE_TEST_RGW_SECRET_KEY"));
    const auto wrong = rgw_signing(setting("MLPIPE_TEST_RGW_SECRET_KEY") + "x");
    http_client client("s3");
    const std::string bucket = unique_name("servers-test");
    REQUIRE(client.perform(rgw_request("PUT", "/" + bucket), &right).status == 200);

    const auto listing = client.perform(rgw_request("GET", "/" + bucket), &wrong);
    CHECK(listing.status == 403);
    CHECK(listing.body.find("SignatureDoesNotMatch") != std::string::npos);
    const auto put = client.perform(rgw_request("PUT", "/" + bucket + "/intruder", "x"), &wrong);
    CHECK(put.status == 403);
    // Nothing was written: the object is not there for the rightful owner either.
    CHECK(client.perform(rgw_request("GET", "/" + bucket + "/intruder"), &right).status == 404);
}

TEST_CASE("radosgw rejects an unsigned request for a private bucket", "[aws][servers][rgw]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    const auto sign = rgw_signing(setting("MLPIPE_TEST_RGW_SECRET_KEY"));
    http_client client("s3");
    const std::string bucket = unique_name("servers-test");
    REQUIRE(client.perform(rgw_request("PUT", "/" + bucket), &sign).status == 200);
    CHECK(client.perform(rgw_request("GET", "/" + bucket)).status == 403);
}

TEST_CASE("PostgreSQL accepts a connection and runs a query", "[aws][servers][postgres]") {
    MLPIPE_REQUIRE_SERVER("POSTGRES");
    const std::string uri = setting("MLPIPE_TEST_POSTGRES_URI");
    std::unique_ptr<PGconn, pg_deleter> conn(PQconnectdb(uri.c_str()));
    REQUIRE(conn != nullptr);
    INFO(PQerrorMessage(conn.get()));
    REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
    CHECK(PQserverVersion(conn.get()) / 10000 == 15);
    std::unique_ptr<PGresult, pg_result_deleter> result(
        PQexec(conn.get(), "SELECT current_database(), 6 * 7"));
    REQUIRE(PQresultStatus(result.get()) == PGRES_TUPLES_OK);
    CHECK(std::string(PQgetvalue(result.get(), 0, 0)) == "mlpipe");
    CHECK(std::string(PQgetvalue(result.get(), 0, 1)) == "42");
}

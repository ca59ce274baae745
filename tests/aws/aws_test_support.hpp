// SPDX-License-Identifier: Apache-2.0
// Helpers of the AWS wing's tests: fresh buckets and queues on the loopback servers, with names
// unique per test, and the credentials the servers expect.
#pragma once

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include <mlpipe/aws.hpp>
#include <mlpipe/detail/sha256.hpp>

#include "aws_servers.hpp"

namespace mlpipe::test {

/// A name no other test of this run uses: "<stem>-<pid>-<counter>".
inline std::string unique_name(const std::string& stem) {
    static std::atomic<int> counter{0};
    return stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

/// Keys for servers that do not check them (fauxqs).
inline std::shared_ptr<aws::credentials_provider> test_keys() {
    return std::make_shared<aws::static_credentials>(
        aws::credentials{"AKIDTESTEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", {}});
}

/// Puts the test keys into the environment for the default credential chain (URIs), and turns
/// the instance metadata lookup off (it would leave loopback).
inline void use_test_keys_from_environment(const std::string& id = "AKIDTESTEXAMPLE",
                                           const std::string& secret = "test-secret") {
    ::setenv("AWS_ACCESS_KEY_ID", id.c_str(), 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
    ::unsetenv("AWS_SESSION_TOKEN");
    ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

/// The radosgw user's keys.
inline std::shared_ptr<aws::credentials_provider> rgw_keys() {
    return std::make_shared<aws::static_credentials>(
        aws::credentials{aws_server_setting("MLPIPE_TEST_RGW_ACCESS_KEY").value_or(""),
                         aws_server_setting("MLPIPE_TEST_RGW_SECRET_KEY").value_or(""),
                         "",
                         {}});
}

/// A signed S3 request to `endpoint` + `path` (path style); returns the answer.
inline aws::http_response s3_request(
    const std::string& endpoint, const std::shared_ptr<aws::credentials_provider>& keys,
    const std::string& method, const std::string& path, std::string_view body = {},
    std::vector<std::pair<std::string, std::string>> headers = {}) {
    aws::http_client client("s3-test");
    aws::http_request request;
    request.method = method;
    request.url = endpoint + path;
    request.body = body;
    request.headers = std::move(headers);
    request.headers.emplace_back("x-amz-content-sha256", mlpipe::detail::sha256_hex(body));
    const aws::signing sign{keys->get(), "us-east-1", "s3"};
    return client.perform(request, &sign);
}

/// Creates bucket `name` on the server at `endpoint` and returns options for a store in it.
inline aws::s3_options make_bucket(const std::string& endpoint,
                                   const std::shared_ptr<aws::credentials_provider>& keys,
                                   const std::string& name) {
    const auto response = s3_request(endpoint, keys, "PUT", "/" + name);
    if (response.status >= 300)
        throw std::runtime_error("creating bucket " + name + " failed: " +
                                 std::to_string(response.status) + " " + response.body);
    aws::s3_options o;
    o.bucket = name;
    o.region = "us-east-1";
    o.endpoint = endpoint;
    o.path_style = true;
    o.credentials = keys;
    return o;
}

/// A fresh bucket on radosgw (its If-Match wants unquoted etags).
inline aws::s3_options rgw_bucket(const std::string& name) {
    auto o =
        make_bucket(aws_server_setting("MLPIPE_TEST_RGW_ENDPOINT").value_or(""), rgw_keys(), name);
    o.quote_if_match = false;
    return o;
}

/// A fresh bucket on fauxqs.
inline aws::s3_options fauxqs_bucket(const std::string& name) {
    return make_bucket(aws_server_setting("MLPIPE_TEST_FAUXQS_ENDPOINT").value_or(""), test_keys(),
                       name);
}

/// PUTs an object directly (bypassing s3_blob_store), with extra headers.
inline void raw_s3_put(const aws::s3_options& o, const std::string& key, std::string_view bytes,
                       std::vector<std::pair<std::string, std::string>> headers) {
    const std::string prefix = o.prefix.empty() ? "" : o.prefix + "/";
    const auto response = s3_request(o.endpoint, o.credentials, "PUT",
                                     "/" + o.bucket + "/" + aws::percent_encode(prefix + key, true),
                                     bytes, std::move(headers));
    if (response.status >= 300)
        throw std::runtime_error("raw put failed: " + std::to_string(response.status));
}

/// Calls an SQS action on `endpoint` (JSON 1.0); throws when it fails.
inline nlohmann::json sqs_call(const std::string& endpoint, const std::string& action,
                               const nlohmann::json& body) {
    aws::http_client client("sqs-test");
    aws::http_request request;
    request.method = "POST";
    request.url = endpoint + "/";
    const std::string payload = body.dump();
    request.body = payload;
    request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                       {"X-Amz-Target", "AmazonSQS." + action}};
    const aws::signing sign{test_keys()->get(), "us-east-1", "sqs"};
    const auto response = client.perform(request, &sign);
    if (response.status >= 300)
        throw std::runtime_error(action + " failed: " + std::to_string(response.status) + " " +
                                 response.body);
    return response.body.empty() ? nlohmann::json::object() : nlohmann::json::parse(response.body);
}

/// Creates queue `name` (with a dead-letter queue "<name>-dlq" after `max_receives` receives when
/// it is not 0) and returns its URL.
inline std::string create_sqs_queue(const std::string& endpoint, const std::string& name,
                                    int max_receives = 3) {
    const bool fifo = name.ends_with(".fifo");
    nlohmann::json attributes = nlohmann::json::object();
    if (fifo) attributes["FifoQueue"] = "true";
    if (max_receives > 0) {
        const auto dlq_name = fifo ? name.substr(0, name.size() - 5) + "-dlq.fifo" : name + "-dlq";
        nlohmann::json dlq_attributes = nlohmann::json::object();
        if (fifo) dlq_attributes["FifoQueue"] = "true";
        const auto dlq = sqs_call(endpoint, "CreateQueue",
                                  {{"QueueName", dlq_name}, {"Attributes", dlq_attributes}});
        const auto arn =
            sqs_call(endpoint, "GetQueueAttributes",
                     {{"QueueUrl", dlq.at("QueueUrl")}, {"AttributeNames", {"QueueArn"}}})
                .at("Attributes")
                .at("QueueArn")
                .get<std::string>();
        attributes["RedrivePolicy"] =
            nlohmann::json{{"deadLetterTargetArn", arn},
                           {"maxReceiveCount", std::to_string(max_receives)}}
                .dump();
    }
    return sqs_call(endpoint, "CreateQueue", {{"QueueName", name}, {"Attributes", attributes}})
        .at("QueueUrl")
        .get<std::string>();
}

/// Options for a queue on the fauxqs server.
inline aws::sqs_options fauxqs_queue_options(const std::string& queue_url) {
    aws::sqs_options o;
    o.queue_url = queue_url;
    o.region = "us-east-1";
    o.endpoint = aws_server_setting("MLPIPE_TEST_FAUXQS_ENDPOINT").value_or("");
    o.credentials = test_keys();
    return o;
}

}  // namespace mlpipe::test

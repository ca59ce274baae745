// SPDX-License-Identifier: Apache-2.0
// Helpers of the AWS wing's tests: fresh buckets and queues on the loopback servers, with names
// unique per test, and the credentials the servers expect.
#pragma once

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include <mlpipe/aws.hpp>

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

/// The radosgw user's keys.
inline std::shared_ptr<aws::credentials_provider> rgw_keys() {
    return std::make_shared<aws::static_credentials>(
        aws::credentials{aws_server_setting("MLPIPE_TEST_RGW_ACCESS_KEY").value_or(""),
                         aws_server_setting("MLPIPE_TEST_RGW_SECRET_KEY").value_or(""),
                         "",
                         {}});
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

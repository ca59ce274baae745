// SPDX-License-Identifier: Apache-2.0
/// @file aws/sqs_message_queue.hpp `sqs_message_queue`: the message_queue concept on Amazon SQS
/// (or an SQS-compatible endpoint), over the AWS JSON 1.0 protocol
/// (`X-Amz-Target: AmazonSQS.<Action>`), through libcurl with SigV4 signing.
///
/// Mapping: send is SendMessage (send_batch: SendMessageBatch, ten at a time); receive is
/// ReceiveMessage with long polling (`wait`, rounded up to whole seconds, at most SQS's 20 s) and
/// the lease as VisibilityTimeout (rounded up to whole seconds); extend and release are
/// ChangeMessageVisibility; ack is DeleteMessage (ack_batch: DeleteMessageBatch); the receive
/// count is ApproximateReceiveCount. Dead letters are SQS's own: the queue's redrive policy
/// (maxReceiveCount, deadLetterTargetArn) moves a message after that many receives; stats and
/// dead_letters read the dead-letter queue named by the policy.
///
/// FIFO queues (names ending in ".fifo") deduplicate: `send(body, dedup_id)` passes
/// MessageDeduplicationId, and SQS drops a repeat within its 5-minute window. Each message gets its
/// own MessageGroupId (the dedup id, or a fresh one) unless `message_group` fixes one, so workers
/// still take messages in parallel. Standard queues do not deduplicate; the dedup id is then only
/// passed along (mlpipe's retraining check records queued ids itself, and training is idempotent by
/// request id, so a duplicate costs a redundant check, never a second version).
///
/// Differences from the embedded queues, all SQS's own: counts in stats are approximate; a stale
/// receipt (from an earlier receive) may still be accepted by DeleteMessage without deleting
/// anything; message bodies must be text SQS accepts (no NUL or other control characters but tab,
/// CR, LF), at most 256 KiB.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../detail/text_codec.hpp"
#include "../error.hpp"
#include "../storage/message_queue.hpp"
#include "credentials.hpp"
#include "http.hpp"
#include "service.hpp"

namespace mlpipe::aws {

/// Where the queue lives and how to talk to it.
struct sqs_options {
    /// The queue URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/training-requests.
    std::string queue_url;
    std::string region = {};    ///< empty: from the URL's host (sqs.<region>...), else default
    std::string endpoint = {};  ///< empty: the queue URL's scheme and host
    /// FIFO queues: a fixed MessageGroupId for every message (strict order, one at a time);
    /// empty: each message its own group.
    std::string message_group = {};
    /// The dead-letter queue's URL; empty: found from the queue's RedrivePolicy.
    std::string dead_letter_queue_url = {};
    /// nullptr: default_credentials (environment, profile, container, instance metadata).
    std::shared_ptr<credentials_provider> credentials = {};
    retry_policy retry = {};
    /// Long polls hold a request open up to 20 s: the timeout must stay above that.
    http_options http = {std::chrono::seconds(5), std::chrono::seconds(40)};
    std::function<void(int, const std::string&)> on_retry = {};
};

/// Largest SQS message body.
inline constexpr std::size_t max_sqs_message_size = 256 * 1024;

namespace detail {

inline service_error_info decode_sqs_error(const http_response& response) {
    service_error_info info;
    info.request_id = response.header("x-amzn-requestid");
    try {
        const auto doc = nlohmann::json::parse(response.body);
        auto type = doc.value("__type", std::string{});
        if (const auto hash = type.rfind('#'); hash != std::string::npos)
            type = type.substr(hash + 1);
        info.code = type;
        info.message = doc.value("message", doc.value("Message", std::string{}));
    } catch (const nlohmann::json::exception&) {
        info.message = response.body.substr(0, 200);
    }
    // The legacy query error code, when the service sends it ("AWS.SimpleQueueService.X;Sender").
    if (const auto query = response.header("x-amzn-query-error"); !query.empty())
        info.code = query.substr(0, query.find(';'));
    return info;
}

inline bool receipt_gone(const service_error_info& info) {
    for (const char* code : {"ReceiptHandleIsInvalid", "InvalidParameterValue",
                             "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
                             "AWS.SimpleQueueService.ReceiptHandleIsInvalid"}) {
        if (info.code == code) return true;
    }
    return false;
}

/// A random 32-hex-digit id (deduplication and group ids of sends without one).
inline std::string random_id() {
    thread_local std::mt19937_64 rng(std::random_device{}());
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(32, '0');
    for (std::size_t i = 0; i < id.size(); i += 16) {
        auto v = rng();
        for (std::size_t j = 0; j < 16; ++j, v >>= 4)
            id[i + j] = hex[v & 15];
    }
    return id;
}

inline std::uint64_t to_u64(const nlohmann::json& attributes, const char* name) {
    const auto it = attributes.find(name);
    if (it == attributes.end() || !it->is_string()) return 0;
    try {
        return std::stoull(it->get<std::string>());
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace detail

/// The message_queue concept on SQS (see the file comment).
/// Thread safety: every member may be called concurrently (connections are pooled).
class sqs_message_queue {
  public:
    /// @throws configuration_error for a missing or malformed queue URL, no region
    explicit sqs_message_queue(sqs_options options) : options_(std::move(options)) {
        const auto& url = options_.queue_url;
        const auto scheme_end = url.find("://");
        const auto path =
            scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
        if (path == std::string::npos || path + 1 >= url.size()) {
            throw configuration_error("\"" + url + "\" is not an SQS queue URL",
                                      "write https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE",
                                      "queue_url");
        }
        service_config config;
        config.service = "sqs";
        const std::string host = url.substr(scheme_end + 3, path - scheme_end - 3);
        config.region = options_.region;
        if (config.region.empty() && host.starts_with("sqs.")) {
            const auto dot = host.find('.', 4);
            if (dot != std::string::npos) config.region = host.substr(4, dot - 4);
        }
        if (config.region.empty()) config.region = default_region();
        config.endpoint = options_.endpoint.empty() ? url.substr(0, path) : options_.endpoint;
        config.credentials =
            options_.credentials ? options_.credentials : std::make_shared<default_credentials>();
        config.retry = options_.retry;
        config.http = options_.http;
        config.on_retry = options_.on_retry;
        fifo_ = url.ends_with(".fifo");
        client_ = std::make_unique<service_client>(std::move(config), &detail::decode_sqs_error);
    }

    /// Enqueues `body`; returns the message id.
    std::string send(std::string_view body) { return send(body, {}); }

    /// Enqueues `body` with a deduplication id (FIFO queues drop a repeat within 5 minutes and
    /// return the first message's id; standard queues enqueue it).
    std::string send(std::string_view body, std::string_view dedup_id) {
        check_body(body);
        nlohmann::json request = entry(body, dedup_id);
        request["QueueUrl"] = options_.queue_url;
        const auto answer = call("SendMessage", request);
        return answer.value("MessageId", std::string{});
    }

    /// Enqueues many bodies, ten per request (SendMessageBatch); returns their ids in order.
    /// @throws sqs_error naming the first entry SQS refused (the ones before it were sent)
    std::vector<std::string> send_batch(const std::vector<std::string>& bodies) {
        std::vector<std::string> ids(bodies.size());
        for (std::size_t start = 0; start < bodies.size(); start += 10) {
            nlohmann::json request{{"QueueUrl", options_.queue_url},
                                   {"Entries", nlohmann::json::array()}};
            const std::size_t end = std::min(bodies.size(), start + 10);
            for (std::size_t i = start; i < end; ++i) {
                check_body(bodies[i]);
                auto e = entry(bodies[i], {});
                e["Id"] = std::to_string(i);
                request["Entries"].push_back(std::move(e));
            }
            const auto answer = call("SendMessageBatch", request);
            for (const auto& ok : answer.value("Successful", nlohmann::json::array()))
                ids[std::stoul(ok.at("Id").get<std::string>())] = ok.value("MessageId", "");
            for (const auto& failed : answer.value("Failed", nlohmann::json::array())) {
                service_error_info info;
                info.code = failed.value("Code", "");
                info.message = failed.value("Message", "");
                throw sqs_error("SQS refused message " + failed.value("Id", std::string("?")) +
                                    " of a batch: " + info.code + " " + info.message,
                                "send it again (messages before it were sent)", info);
            }
        }
        return ids;
    }

    /// Leases up to `options.max_messages` messages, long-polling up to `options.wait`.
    std::vector<queue_message> receive(const receive_options& options) {
        using std::chrono::ceil;
        using std::chrono::seconds;
        const auto wait = ceil<seconds>(mlpipe::detail::clamp_duration(options.wait, seconds(20)));
        const auto visibility =
            ceil<seconds>(mlpipe::detail::clamp_duration(options.visibility, max_visibility));
        nlohmann::json request{
            {"QueueUrl", options_.queue_url},
            {"MaxNumberOfMessages",
             std::clamp<std::size_t>(options.max_messages, 1, max_receive_batch)},
            {"WaitTimeSeconds", wait.count()},
            {"VisibilityTimeout", visibility.count()},
            {"AttributeNames", nlohmann::json::array({"ApproximateReceiveCount", "SentTimestamp"})},
            {"MessageSystemAttributeNames",
             nlohmann::json::array({"ApproximateReceiveCount", "SentTimestamp"})},
            {"MessageAttributeNames", nlohmann::json::array({encoding_attribute})}};
        return parse_messages(call("ReceiveMessage", request), 0);
    }

    /// The lease now ends `d` from now; false when the receipt no longer names a lease.
    bool extend(std::string_view receipt, std::chrono::milliseconds d) {
        const auto seconds = std::chrono::ceil<std::chrono::seconds>(
            mlpipe::detail::clamp_duration(d, max_visibility));
        return change_visibility(receipt, seconds.count());
    }

    /// Deletes the message; false when SQS says the receipt is no longer valid.
    bool ack(std::string_view receipt) {
        check_receipt(receipt);
        service_error_info info;
        const auto ok = try_call(
            "DeleteMessage", {{"QueueUrl", options_.queue_url}, {"ReceiptHandle", receipt}}, info);
        if (ok) return true;
        if (detail::receipt_gone(info)) return false;
        fail("DeleteMessage", info);
    }

    /// Deletes many messages (DeleteMessageBatch, ten per request); element i tells whether
    /// receipt i was accepted.
    std::vector<bool> ack_batch(const std::vector<std::string>& receipts) {
        std::vector<bool> done(receipts.size(), false);
        for (std::size_t start = 0; start < receipts.size(); start += 10) {
            nlohmann::json request{{"QueueUrl", options_.queue_url},
                                   {"Entries", nlohmann::json::array()}};
            for (std::size_t i = start; i < std::min(receipts.size(), start + 10); ++i) {
                check_receipt(receipts[i]);
                request["Entries"].push_back(
                    {{"Id", std::to_string(i)}, {"ReceiptHandle", receipts[i]}});
            }
            const auto answer = call("DeleteMessageBatch", request);
            for (const auto& ok : answer.value("Successful", nlohmann::json::array()))
                done[std::stoul(ok.at("Id").get<std::string>())] = true;
        }
        return done;
    }

    /// Makes the message visible again at once.
    bool release(std::string_view receipt) { return change_visibility(receipt, 0); }

    /// Approximate counts (SQS's ApproximateNumberOf... attributes; dead from the dead-letter
    /// queue, 0 when the queue has no redrive policy).
    queue_stats stats() {
        queue_stats s;
        const auto attributes =
            queue_attributes(options_.queue_url, {"ApproximateNumberOfMessages",
                                                  "ApproximateNumberOfMessagesNotVisible",
                                                  "ApproximateNumberOfMessagesDelayed"});
        s.visible = detail::to_u64(attributes, "ApproximateNumberOfMessages") +
                    detail::to_u64(attributes, "ApproximateNumberOfMessagesDelayed");
        s.in_flight = detail::to_u64(attributes, "ApproximateNumberOfMessagesNotVisible");
        if (const auto dlq = dead_letter_queue(); !dlq.empty()) {
            const auto dead = queue_attributes(
                dlq, {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"});
            s.dead = detail::to_u64(dead, "ApproximateNumberOfMessages") +
                     detail::to_u64(dead, "ApproximateNumberOfMessagesNotVisible");
        }
        return s;
    }

    /// Up to `n` dead-lettered messages, left in place. They are read from the dead-letter queue
    /// with a zero visibility timeout, which SQS counts as one more receive: receive_count is
    /// reported without that read, and at most the redrive policy's maxReceiveCount.
    std::vector<queue_message> dead_letters(std::size_t n) {
        std::vector<queue_message> out;
        const auto dlq = dead_letter_queue();
        if (dlq.empty()) return out;
        while (out.size() < n) {
            nlohmann::json request{
                {"QueueUrl", dlq},
                {"MaxNumberOfMessages", std::min<std::size_t>(n - out.size(), 10)},
                {"WaitTimeSeconds", 0},
                {"VisibilityTimeout", 0},
                {"AttributeNames",
                 nlohmann::json::array({"ApproximateReceiveCount", "SentTimestamp"})},
                {"MessageSystemAttributeNames",
                 nlohmann::json::array({"ApproximateReceiveCount", "SentTimestamp"})},
                {"MessageAttributeNames", nlohmann::json::array({encoding_attribute})}};
            auto got = parse_messages(call("ReceiveMessage", request), 1);
            if (got.empty()) break;
            for (auto& m : got) {
                m.receipt.clear();
                // Redrive moved it after max_receives deliveries; servers differ in whether the
                // receive that triggered the move is counted.
                if (max_receives_ > 0) m.receive_count = std::min(m.receive_count, max_receives_);
                out.push_back(std::move(m));
            }
            if (got.size() < 10) break;
        }
        return out;
    }

    [[nodiscard]] const sqs_options& options() const noexcept { return options_; }
    [[nodiscard]] bool fifo() const noexcept { return fifo_; }

    /// The dead-letter queue's URL (options, else the redrive policy); "" when there is none.
    std::string dead_letter_queue() {
        std::lock_guard lock(mutex_);
        if (dlq_) return *dlq_;
        std::string url = options_.dead_letter_queue_url;
        if (url.empty()) {
            const auto attributes = queue_attributes(options_.queue_url, {"RedrivePolicy"});
            if (const auto it = attributes.find("RedrivePolicy"); it != attributes.end()) {
                const auto policy = nlohmann::json::parse(it->get<std::string>(), nullptr, false);
                const std::string arn =
                    policy.is_object() ? policy.value("deadLetterTargetArn", "") : "";
                if (policy.is_object() && policy.contains("maxReceiveCount")) {
                    const auto& m = policy["maxReceiveCount"];
                    max_receives_ = static_cast<std::uint32_t>(
                        m.is_string() ? std::stoul(m.get<std::string>()) : m.get<std::uint64_t>());
                }
                // arn:aws:sqs:REGION:ACCOUNT:NAME
                const auto last = arn.rfind(':');
                const auto account_at = last == std::string::npos ? last : arn.rfind(':', last - 1);
                if (last != std::string::npos && account_at != std::string::npos) {
                    const auto answer =
                        call("GetQueueUrl", {{"QueueName", arn.substr(last + 1)},
                                             {"QueueOwnerAWSAccountId",
                                              arn.substr(account_at + 1, last - account_at - 1)}});
                    url = answer.value("QueueUrl", "");
                }
            }
        }
        dlq_ = url;
        return url;
    }

  private:
    nlohmann::json entry(std::string_view body, std::string_view dedup_id) const {
        nlohmann::json e;
        if (is_sqs_text(body)) {
            e["MessageBody"] = body;
        } else {
            // SQS carries text only: binary bodies travel as base64, marked by an attribute.
            e["MessageBody"] = mlpipe::detail::base64_encode(body);
            e["MessageAttributes"] = {
                {encoding_attribute, {{"DataType", "String"}, {"StringValue", "base64"}}}};
        }
        if (fifo_) {
            const std::string dedup =
                dedup_id.empty() ? detail::random_id() : std::string(dedup_id);
            e["MessageDeduplicationId"] = dedup;
            e["MessageGroupId"] = options_.message_group.empty() ? dedup : options_.message_group;
        }
        return e;
    }

    static constexpr const char* encoding_attribute = "mlpipe-encoding";

    /// True when SQS accepts `body` as it is: valid UTF-8 without control characters but tab, CR
    /// and LF (SQS's allowed characters).
    static bool is_sqs_text(std::string_view body) {
        for (std::size_t i = 0; i < body.size();) {
            const auto c = static_cast<unsigned char>(body[i]);
            if (c < 0x80) {
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
                ++i;
                continue;
            }
            const std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
            if (n == 0 || c > 0xF4 || i + n > body.size()) return false;
            for (std::size_t k = 1; k < n; ++k) {
                if ((static_cast<unsigned char>(body[i + k]) & 0xC0) != 0x80) return false;
            }
            i += n;
        }
        return true;
    }

    static void check_body(std::string_view body) {
        const std::size_t size = is_sqs_text(body) ? body.size() : (body.size() + 2) / 3 * 4;
        if (size > max_sqs_message_size) {
            throw invalid_input_error("an SQS message body holds at most 256 KiB; this one needs " +
                                          std::to_string(size) + " bytes",
                                      "send a reference (e.g. an S3 key) instead", "body");
        }
    }

    /// SQS receipt handles are long base64-like tokens.
    static void check_receipt(std::string_view receipt) {
        const bool ok = !receipt.empty() && receipt.size() <= 4096 &&
                        std::all_of(receipt.begin(), receipt.end(), [](char ch) {
                            const auto c = static_cast<unsigned char>(ch);
                            return std::isalnum(c) != 0 || c == '+' || c == '/' || c == '=' ||
                                   c == '-' || c == '_';
                        });
        if (!ok) {
            throw invalid_input_error(
                "\"" + std::string(receipt.substr(0, 40)) + "\" is not an SQS receipt handle",
                "pass the receipt of a received message", "receipt");
        }
    }

    bool change_visibility(std::string_view receipt, std::int64_t seconds) {
        check_receipt(receipt);
        service_error_info info;
        if (try_call("ChangeMessageVisibility",
                     {{"QueueUrl", options_.queue_url},
                      {"ReceiptHandle", receipt},
                      {"VisibilityTimeout", seconds}},
                     info)) {
            return true;
        }
        if (detail::receipt_gone(info)) return false;
        fail("ChangeMessageVisibility", info);
    }

    std::vector<queue_message> parse_messages(const nlohmann::json& answer,
                                              std::uint32_t reads_to_discount) const {
        std::vector<queue_message> out;
        for (const auto& m : answer.value("Messages", nlohmann::json::array())) {
            queue_message message;
            message.id = m.value("MessageId", "");
            message.body = m.value("Body", "");
            const auto encoding = m.value("MessageAttributes", nlohmann::json::object())
                                      .value(encoding_attribute, nlohmann::json::object())
                                      .value("StringValue", "");
            if (encoding == "base64") {
                auto decoded = mlpipe::detail::base64_decode(message.body);
                if (!decoded) {
                    throw queue_error(
                        "message " + message.id + " is marked base64 but its body is not base64",
                        "something other than mlpipe sent it; remove it", "sqs");
                }
                message.body = std::move(*decoded);
            }
            message.receipt = m.value("ReceiptHandle", "");
            const auto attributes = m.value("Attributes", nlohmann::json::object());
            const auto count = detail::to_u64(attributes, "ApproximateReceiveCount");
            message.receive_count = static_cast<std::uint32_t>(
                count > reads_to_discount ? count - reads_to_discount : 0);
            message.sent_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(
                static_cast<std::int64_t>(detail::to_u64(attributes, "SentTimestamp"))));
            out.push_back(std::move(message));
        }
        return out;
    }

    nlohmann::json queue_attributes(const std::string& url, const std::vector<std::string>& names) {
        return call("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", names}})
            .value("Attributes", nlohmann::json::object());
    }

    /// One action; false (and `info` set) when SQS refused it.
    bool try_call(const char* action, const nlohmann::json& body, service_error_info& info,
                  nlohmann::json* answer = nullptr) {
        const std::string payload = body.dump();
        http_request request;
        request.method = "POST";
        request.url = client_->config().endpoint + "/";
        request.body = payload;
        request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                           {"X-Amz-Target", std::string("AmazonSQS.") + action}};
        const auto response = client_->send(request, &info);
        if (response.status >= 300) return false;
        if (answer != nullptr) {
            *answer = response.body.empty() ? nlohmann::json::object()
                                            : nlohmann::json::parse(response.body, nullptr, false);
            if (answer->is_discarded()) {
                info.http_status = response.status;
                info.code = "MalformedResponse";
                info.request_id = response.header("x-amzn-requestid");
                fail(action, info);
            }
        }
        return true;
    }

    nlohmann::json call(const char* action, const nlohmann::json& body) {
        service_error_info info;
        nlohmann::json answer;
        if (!try_call(action, body, info, &answer)) fail(action, info);
        return answer;
    }

    [[noreturn]] void fail(const char* action, const service_error_info& info) const {
        auto [problem, remedy] = service_client::explain(
            std::string("SQS ") + action + " on " + options_.queue_url, info);
        throw sqs_error(std::move(problem), std::move(remedy), info);
    }

    sqs_options options_;
    bool fifo_ = false;
    std::unique_ptr<service_client> client_;
    std::mutex mutex_;
    std::optional<std::string> dlq_;
    std::uint32_t max_receives_ = 0;
};

static_assert(message_queue<sqs_message_queue>);

}  // namespace mlpipe::aws

// SPDX-License-Identifier: Apache-2.0
/// @file aws/service.hpp What every AWS adapter shares: the service errors (code, request id,
/// HTTP status), the retry policy (capped, jittered exponential backoff), and `service_client`,
/// which signs, sends and retries requests over a small pool of kept-alive connections.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../error.hpp"
#include "credentials.hpp"
#include "http.hpp"

namespace mlpipe::aws {

/// What an AWS service said when it refused a request.
struct service_error_info {
    long http_status = 0;
    std::string code;        ///< the service's error code: "NoSuchBucket", "QueueDoesNotExist"...
    std::string message;     ///< the service's message (may be empty: radosgw sends none)
    std::string request_id;  ///< x-amz-request-id / x-amzn-RequestId, for AWS support
};

namespace detail {
inline std::string describe(const service_error_info& info) {
    std::string s = "HTTP " + std::to_string(info.http_status);
    if (!info.code.empty()) s += " " + info.code;
    if (!info.message.empty()) s += ": " + info.message;
    if (!info.request_id.empty()) s += " (request id " + info.request_id + ")";
    return s;
}
}  // namespace detail

/// S3 refused or failed an operation. `native_code()` is the HTTP status.
class s3_error : public storage_error {
  public:
    s3_error(std::string problem, std::string remedy, service_error_info info)
        : storage_error(std::move(problem), std::move(remedy), "s3", info.http_status),
          info_(std::move(info)) {}
    [[nodiscard]] const service_error_info& info() const noexcept { return info_; }
    [[nodiscard]] const std::string& code() const noexcept { return info_.code; }
    [[nodiscard]] const std::string& request_id() const noexcept { return info_.request_id; }

  private:
    service_error_info info_;
};

/// SQS refused or failed an operation. `native_code()` is the HTTP status.
class sqs_error : public queue_error {
  public:
    sqs_error(std::string problem, std::string remedy, service_error_info info)
        : queue_error(std::move(problem), std::move(remedy), "sqs", info.http_status),
          info_(std::move(info)) {}
    [[nodiscard]] const service_error_info& info() const noexcept { return info_; }
    [[nodiscard]] const std::string& code() const noexcept { return info_.code; }
    [[nodiscard]] const std::string& request_id() const noexcept { return info_.request_id; }

  private:
    service_error_info info_;
};

/// How often and how patiently to retry.
struct retry_policy {
    /// Attempts in all, the first included (1: never retry).
    int max_attempts = 3;
    /// Backoff before retry n (1-based) is uniform in [0, min(max_delay, base_delay * 2^(n-1))]
    /// ("full jitter").
    std::chrono::milliseconds base_delay{100};
    std::chrono::milliseconds max_delay{std::chrono::seconds(5)};
};

namespace detail {

/// Throttling codes across S3 and SQS (retried whatever their HTTP status).
inline bool is_throttling(const std::string& code) {
    static const char* const codes[] = {"Throttling",
                                        "ThrottlingException",
                                        "ThrottledException",
                                        "RequestThrottled",
                                        "TooManyRequestsException",
                                        "ProvisionedThroughputExceeded",
                                        "SlowDown",
                                        "RequestLimitExceeded",
                                        "RequestThrottledException",
                                        "BandwidthLimitExceeded",
                                        "EC2ThrottledException",
                                        "PriorRequestNotComplete",
                                        "RequestTimeout",
                                        "RequestTimeoutException",
                                        "InternalError",
                                        "ServiceUnavailable",
                                        "OverLimit"};
    const auto bare = code.substr(code.rfind('#') == std::string::npos ? 0 : code.rfind('#') + 1);
    return std::any_of(std::begin(codes), std::end(codes),
                       [&](const char* c) { return bare == c; });
}

inline bool is_clock_skew(const service_error_info& info) {
    return info.code == "RequestTimeTooSkewed" || info.code == "RequestExpired" ||
           (info.code == "InvalidSignatureException" &&
            info.message.find("expired") != std::string::npos) ||
           (info.code.find("SignatureDoesNotMatch") != std::string::npos &&
            info.message.find("Signature expired") != std::string::npos);
}

inline std::chrono::milliseconds backoff(const retry_policy& policy, int retry) {
    thread_local std::minstd_rand rng(std::random_device{}());
    const auto shift = std::min(retry - 1, 20);
    const auto cap = std::min<std::int64_t>(policy.max_delay.count(),
                                            policy.base_delay.count() * (std::int64_t{1} << shift));
    if (cap <= 0) return std::chrono::milliseconds(0);
    std::uniform_int_distribution<std::int64_t> pick(0, cap);
    return std::chrono::milliseconds(pick(rng));
}

}  // namespace detail

/// Where and how a service client connects.
struct service_config {
    std::string service;   ///< "s3", "sqs": the SigV4 service name
    std::string region;    ///< SigV4 region
    std::string endpoint;  ///< "https://s3.us-east-1.amazonaws.com" or an override
    std::shared_ptr<credentials_provider> credentials;  ///< nullptr: send unsigned requests
    retry_policy retry = {};
    http_options http = {};
    /// Called before each retry (attempt number, the reason) — tests and progress displays.
    std::function<void(int, const std::string&)> on_retry = {};
};

/// Decodes a service's error answer (S3 XML, SQS JSON) into its code and message.
using error_decoder = std::function<service_error_info(const http_response&)>;

/// Sends requests to one AWS service: signs them, retries what is retryable (connection errors,
/// 5xx, 429, throttling codes) with capped jittered backoff up to `retry.max_attempts` in all,
/// and returns the final answer. Non-retryable answers (4xx) return at once for the adapter to map.
/// Thread safety: `send` may be called concurrently (each call takes a connection from the pool).
class service_client {
  public:
    service_client(service_config config, error_decoder decode)
        : config_(std::move(config)), decode_(std::move(decode)) {
        if (config_.retry.max_attempts < 1) {
            throw configuration_error("retry.max_attempts must be at least 1 (it is " +
                                          std::to_string(config_.retry.max_attempts) + ")",
                                      "use 1 to never retry", "max_attempts");
        }
    }

    [[nodiscard]] const service_config& config() const noexcept { return config_; }

    /// Sends `request` with retries. Returns the last answer (2xx, or a non-retryable status, or
    /// the last retryable one when attempts ran out); sets `info` when the answer is an error.
    /// @throws transport_error when the last attempt got no answer at all
    http_response send(const http_request& request, service_error_info* info = nullptr) {
        auto connection = acquire();
        for (int attempt = 1;; ++attempt) {
            std::string reason;
            try {
                const auto keys = config_.credentials ? config_.credentials->get() : credentials{};
                const signing sign{keys, config_.region, config_.service};
                http_response response =
                    connection->perform(request, config_.credentials ? &sign : nullptr);
                if (response.status < 300) {
                    release(std::move(connection));
                    return response;
                }
                service_error_info decoded = decode_(response);
                decoded.http_status = response.status;
                const bool retryable = response.status >= 500 || response.status == 429 ||
                                       detail::is_throttling(decoded.code);
                if (!retryable || attempt >= config_.retry.max_attempts) {
                    if (info != nullptr) *info = std::move(decoded);
                    release(std::move(connection));
                    return response;
                }
                reason = detail::describe(decoded);
            } catch (const transport_error& e) {
                if (attempt >= config_.retry.max_attempts) throw;
                reason = e.problem();
            }
            if (config_.on_retry) config_.on_retry(attempt, reason);
            std::this_thread::sleep_for(detail::backoff(config_.retry, attempt));
        }
    }

    /// The problem and remedy for an error answer, with clock skew explained.
    [[nodiscard]] static std::pair<std::string, std::string> explain(
        const std::string& what, const service_error_info& info) {
        if (detail::is_clock_skew(info)) {
            return {what +
                        " was refused because this machine's clock is off by more than AWS "
                        "allows (15 minutes): " +
                        detail::describe(info),
                    "synchronise the clock (e.g. systemd-timesyncd or chrony) and retry"};
        }
        std::string remedy;
        if (info.http_status == 403) {
            remedy = "check the credentials and that the IAM policy allows this action";
        } else if (info.http_status == 404) {
            remedy = "check the bucket or queue name, region and endpoint";
        } else if (info.http_status >= 500 || info.http_status == 429) {
            remedy = "the service is failing or throttling; retried " +
                     std::string("the configured number of times; try again later");
        } else {
            remedy = "see the service's error code";
        }
        return {what + " failed: " + detail::describe(info), remedy};
    }

  private:
    std::unique_ptr<http_client> acquire() {
        {
            std::lock_guard lock(mutex_);
            if (!pool_.empty()) {
                auto c = std::move(pool_.back());
                pool_.pop_back();
                return c;
            }
        }
        return std::make_unique<http_client>(config_.service, config_.http);
    }
    void release(std::unique_ptr<http_client> c) {
        std::lock_guard lock(mutex_);
        if (pool_.size() < 16) pool_.push_back(std::move(c));
    }

    service_config config_;
    error_decoder decode_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<http_client>> pool_;
};

}  // namespace mlpipe::aws

// SPDX-License-Identifier: Apache-2.0
// A fault-injecting HTTP proxy on loopback for the AWS wing's resilience tests: it forwards every
// request to a real server (radosgw, fauxqs) unchanged, Host header included so signatures still
// verify, except the ones it is told to fail: those get a canned answer (503 SlowDown, a throttling
// error, a clock-skew refusal) either instead of reaching the server ("before") or after the server
// processed them ("after": the answer is lost, so the client's retry repeats a request that took
// effect, as when a connection drops mid-answer).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <httplib.h>

namespace mlpipe::test {

/// One canned failure.
struct injected_fault {
    int status = 503;
    std::string body;
    std::string content_type = "application/xml";
    std::vector<std::pair<std::string, std::string>> headers = {};
    bool after_forwarding = false;  ///< let the server process the request, then lose its answer
};

class fault_proxy {
  public:
    /// Proxies to `upstream` ("http://127.0.0.1:PORT").
    explicit fault_proxy(const std::string& upstream) : upstream_(upstream) {
        server_.set_payload_max_length(std::size_t{64} << 20);
        const auto handle = [this](const httplib::Request& req, httplib::Response& res) {
            forward(req, res);
        };
        server_.Get(".*", handle);
        server_.Put(".*", handle);
        server_.Post(".*", handle);
        server_.Delete(".*", handle);
        server_.Options(".*", handle);
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~fault_proxy() {
        server_.stop();
        if (thread_.joinable()) thread_.join();
    }
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;

    /// "http://127.0.0.1:PORT"
    [[nodiscard]] std::string endpoint() const {
        return "http://127.0.0.1:" + std::to_string(port_);
    }

    /// Fails the next `n` requests with `fault`.
    void fail_next(int n, injected_fault fault) {
        std::lock_guard lock(mutex_);
        remaining_ = n;
        every_ = 0;
        fault_ = std::move(fault);
    }
    /// Fails every `k`-th request (k >= 2) from now on with `fault`.
    void fail_every(int k, injected_fault fault) {
        std::lock_guard lock(mutex_);
        remaining_ = 0;
        every_ = k;
        fault_ = std::move(fault);
    }
    /// Requests seen, and requests failed on purpose.
    [[nodiscard]] int requests() const { return requests_.load(); }
    [[nodiscard]] int injected() const { return injected_.load(); }

    /// A 503 SlowDown as S3 sends it.
    static injected_fault s3_slow_down(bool after = false) {
        return {503,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>"
                "Please reduce your request rate.</Message><RequestId>FAULT1</RequestId></Error>",
                "application/xml",
                {{"x-amz-request-id", "FAULT1"}},
                after};
    }
    /// A throttling refusal as SQS sends it over JSON 1.0 (HTTP 400).
    static injected_fault sqs_throttling(bool after = false) {
        return {
            400,
            R"({"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"})",
            "application/x-amz-json-1.0",
            {{"x-amzn-RequestId", "FAULT2"}, {"x-amzn-query-error", "ThrottlingException;Sender"}},
            after};
    }

  private:
    void forward(const httplib::Request& req, httplib::Response& res) {
        ++requests_;
        std::optional<injected_fault> fault;
        {
            std::lock_guard lock(mutex_);
            ++count_;
            if (remaining_ > 0) {
                --remaining_;
                fault = fault_;
            } else if (every_ >= 2 && count_ % every_ == 0) {
                fault = fault_;
            }
        }
        if (fault && !fault->after_forwarding) {
            answer(*fault, res);
            return;
        }
        httplib::Client client(upstream_);
        client.set_read_timeout(60, 0);
        httplib::Headers headers;
        for (const auto& [name, value] : req.headers) {
            if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
                name == "LOCAL_PORT" || name == "Content-Length" || name == "Content-Type")
                continue;
            headers.emplace(name, value);
        }
        std::string target = req.target;
        const std::string type = req.get_header_value("Content-Type");
        httplib::Result result = [&] {
            if (req.method == "GET") return client.Get(target, headers);
            if (req.method == "DELETE") return client.Delete(target, headers, req.body, type);
            if (req.method == "PUT") return client.Put(target, headers, req.body, type);
            if (req.method == "POST") return client.Post(target, headers, req.body, type);
            return client.Options(target, headers);
        }();
        if (!result) {
            res.status = 502;
            return;
        }
        if (fault) {
            answer(*fault, res);
            return;
        }
        res.status = result->status;
        for (const auto& [name, value] : result->headers) {
            if (name == "Content-Length" || name == "Transfer-Encoding" || name == "Connection")
                continue;
            res.set_header(name, value);
        }
        res.set_content(result->body, result->get_header_value("Content-Type"));
    }

    void answer(const injected_fault& fault, httplib::Response& res) {
        ++injected_;
        res.status = fault.status;
        for (const auto& [name, value] : fault.headers)
            res.set_header(name, value);
        res.set_content(fault.body, fault.content_type);
    }

    std::string upstream_;
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    int remaining_ = 0;
    int every_ = 0;
    long count_ = 0;
    injected_fault fault_;
    std::atomic<int> requests_{0};
    std::atomic<int> injected_{0};
};

}  // namespace mlpipe::test

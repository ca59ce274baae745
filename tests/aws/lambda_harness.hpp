// SPDX-License-Identifier: Apache-2.0
// A Lambda Runtime API harness on loopback, written from the published API
// (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), to drive a custom runtime (the real
// `bootstrap` executable, or run_lambda in a thread) in tests:
//   GET  /2018-06-01/runtime/invocation/next           blocks until invoke() queues an event
//   POST /2018-06-01/runtime/invocation/{id}/response  202; 400 unknown or repeated id; 413 > 6 MB
//   POST /2018-06-01/runtime/invocation/{id}/error     202 (error type from the header)
//   POST /2018-06-01/runtime/init/error                202
// invoke() is the synchronous call a test makes; stop() closes every connection and the listening
// socket, which is how a runtime sees the API go away. Plain sockets, so closing is exact.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace mlpipe::test {

class lambda_harness {
  public:
    /// What the runtime answered to one invocation.
    struct result {
        bool answered = false;   ///< false: no answer within the timeout
        bool ok = false;         ///< response (true) or error (false)
        std::string body;        ///< the response, or the error document
        std::string error_type;  ///< Lambda-Runtime-Function-Error-Type of an error
    };
    struct init_error {
        std::string type;
        std::string body;
    };

    lambda_harness() {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listener_, 16) != 0) {
            throw std::runtime_error("lambda_harness: cannot listen on 127.0.0.1");
        }
        socklen_t size = sizeof address;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
        port_ = ntohs(address.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~lambda_harness() { stop(); }
    lambda_harness(const lambda_harness&) = delete;
    lambda_harness& operator=(const lambda_harness&) = delete;

    /// host:port, the value of AWS_LAMBDA_RUNTIME_API.
    [[nodiscard]] std::string api() const { return "127.0.0.1:" + std::to_string(port_); }

    /// Queues `event` and waits for the runtime's answer.
    result invoke(const std::string& event,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
        std::unique_lock lock(mutex_);
        const std::string id = "req-" + std::to_string(++next_id_);
        pending_.push_back({id, event});
        changed_.notify_all();
        changed_.wait_for(lock, timeout, [&] { return results_.count(id) > 0 || stopping_; });
        const auto it = results_.find(id);
        return it == results_.end() ? result{} : it->second;
    }

    /// Waits until the runtime reported an init error (or `timeout`).
    std::optional<init_error> wait_init_error(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return !init_errors_.empty(); });
        if (init_errors_.empty()) return std::nullopt;
        return init_errors_.front();
    }

    /// Answers a repeated response for `id` would get: for tests of the API's own checks.
    [[nodiscard]] int next_calls() const { return next_calls_.load(); }

    /// Closes the listening socket and every connection: the API is gone.
    void stop() {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            stopping_ = true;
            changed_.notify_all();
            ::shutdown(listener_, SHUT_RDWR);
            ::close(listener_);
            for (const int fd : connections_)
                ::shutdown(fd, SHUT_RDWR);
        }
        if (acceptor_.joinable()) acceptor_.join();
        for (auto& t : workers_)
            if (t.joinable()) t.join();
    }

  private:
    struct request {
        std::string method, path, body;
        std::map<std::string, std::string> headers;  // lower-case names
    };

    void accept_loop() {
        while (true) {
            const int fd = ::accept(listener_, nullptr, nullptr);
            std::lock_guard lock(mutex_);
            if (fd < 0 || stopping_) {
                if (fd >= 0) ::close(fd);
                return;
            }
            connections_.insert(fd);
            workers_.emplace_back([this, fd] { serve(fd); });
        }
    }

    static bool read_request(int fd, std::string& buffer, request& r) {
        std::size_t end;
        while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
            char chunk[4096];
            const auto n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) return false;
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        const std::string head = buffer.substr(0, end);
        buffer.erase(0, end + 4);
        const auto line_end = head.find("\r\n");
        const std::string line = head.substr(0, line_end);
        const auto sp1 = line.find(' ');
        const auto sp2 = line.find(' ', sp1 + 1);
        r.method = line.substr(0, sp1);
        r.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
        std::size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
        while (at < head.size()) {
            auto next = head.find("\r\n", at);
            if (next == std::string::npos) next = head.size();
            const std::string h = head.substr(at, next - at);
            const auto colon = h.find(':');
            if (colon != std::string::npos) {
                std::string name = h.substr(0, colon);
                for (auto& c : name)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                auto value = h.substr(colon + 1);
                while (!value.empty() && value.front() == ' ')
                    value.erase(0, 1);
                r.headers[name] = value;
            }
            at = next + 2;
        }
        const auto length =
            r.headers.count("content-length") != 0 ? std::stoul(r.headers["content-length"]) : 0;
        while (buffer.size() < length) {
            char chunk[65536];
            const auto n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) return false;
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        r.body = buffer.substr(0, length);
        buffer.erase(0, length);
        return true;
    }

    static void write_response(
        int fd, int status, const std::string& body,
        const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        std::string out = "HTTP/1.1 " + std::to_string(status) +
                          " X\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\nContent-Type: application/json\r\n";
        for (const auto& [name, value] : headers)
            out += name + ": " + value + "\r\n";
        out += "\r\n" + body;
        std::size_t sent = 0;
        while (sent < out.size()) {
            const auto n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<std::size_t>(n);
        }
    }

    void serve(int fd) {
        std::string buffer;
        const std::string base = "/2018-06-01/runtime";
        for (request r; read_request(fd, buffer, r); r = request{}) {
            if (r.method == "GET" && r.path == base + "/invocation/next") {
                ++next_calls_;
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return !pending_.empty() || stopping_; });
                if (stopping_) break;
                auto [id, event] = pending_.front();
                pending_.pop_front();
                in_flight_.insert(id);
                lock.unlock();
                const auto deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch() +
                                          std::chrono::seconds(30))
                                          .count();
                write_response(fd, 200, event,
                               {{"Lambda-Runtime-Aws-Request-Id", id},
                                {"Lambda-Runtime-Deadline-Ms", std::to_string(deadline)},
                                {"Lambda-Runtime-Invoked-Function-Arn",
                                 "arn:aws:lambda:us-east-1:000000000000:function:test"},
                                {"Lambda-Runtime-Trace-Id", "Root=1-test"}});
                continue;
            }
            if (r.method == "POST" && r.path == base + "/init/error") {
                std::lock_guard lock(mutex_);
                init_errors_.push_back({r.headers["lambda-runtime-function-error-type"], r.body});
                changed_.notify_all();
                write_response(fd, 202, R"({"status":"OK"})");
                continue;
            }
            const std::string prefix = base + "/invocation/";
            if (r.method == "POST" && r.path.starts_with(prefix)) {
                const auto rest = r.path.substr(prefix.size());
                const auto slash = rest.find('/');
                const auto id = rest.substr(0, slash);
                const auto kind = slash == std::string::npos ? "" : rest.substr(slash + 1);
                std::lock_guard lock(mutex_);
                if (in_flight_.count(id) == 0 || (kind != "response" && kind != "error")) {
                    write_response(fd, 400, R"({"errorType":"InvalidRequestID"})");
                    continue;
                }
                if (kind == "response" && r.body.size() > 6 * 1024 * 1024) {
                    write_response(fd, 413, R"({"errorType":"RequestEntityTooLarge"})");
                    continue;
                }
                in_flight_.erase(id);
                result out;
                out.answered = true;
                out.ok = kind == "response";
                out.body = r.body;
                out.error_type = r.headers["lambda-runtime-function-error-type"];
                results_[id] = std::move(out);
                changed_.notify_all();
                write_response(fd, 202, R"({"status":"OK"})");
                continue;
            }
            write_response(fd, 404, R"({"errorType":"NotFound"})");
        }
        std::lock_guard lock(mutex_);
        connections_.erase(fd);
        ::close(fd);
    }

    int listener_ = -1;
    int port_ = 0;
    std::thread acceptor_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool stopping_ = false;
    std::set<int> connections_;
    std::deque<std::pair<std::string, std::string>> pending_;
    std::set<std::string> in_flight_;
    std::map<std::string, result> results_;
    std::vector<init_error> init_errors_;
    std::atomic<int> next_calls_{0};
    long next_id_ = 0;
};

}  // namespace mlpipe::test

// SPDX-License-Identifier: Apache-2.0
/// @file aws/http.hpp A small HTTP client over libcurl for the AWS wing: one request at a time,
/// connections kept alive, optional AWS Signature Version 4 signing by libcurl itself
/// (CURLOPT_AWS_SIGV4).
///
/// Every AWS adapter (S3, SQS, the credential providers, the Lambda runtime) talks HTTP through
/// this one class, so timeouts, signing and transport errors behave the same everywhere.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <curl/curl.h>

#include "../error.hpp"

namespace mlpipe::aws {

/// A transport failure: the connection could not be made, broke, or timed out (no HTTP answer).
/// `native_code()` is libcurl's CURLcode. Retryable.
class transport_error : public storage_error {
  public:
    transport_error(std::string problem, std::string remedy, std::string backend, long curl_code)
        : storage_error(std::move(problem), std::move(remedy), std::move(backend), curl_code) {}
};

/// Keys for SigV4 signing. `session_token` is empty for long-term keys.
/// Never logged: only the key id's first four characters ever appear in messages.
struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token = {};
    /// When temporary credentials stop working; the epoch for keys that do not expire.
    std::chrono::system_clock::time_point expiration = {};
};

/// How to sign a request (AWS Signature Version 4).
struct signing {
    credentials keys;
    std::string region;   ///< e.g. "us-east-1"
    std::string service;  ///< "s3", "sqs", ...
};

/// One HTTP request. `url` must already be canonical (see percent_encode): libcurl signs the path
/// and query exactly as written.
struct http_request {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers = {};
    std::string_view body = {};
};

/// One HTTP answer.
struct http_response {
    long status = 0;
    std::map<std::string, std::string> headers;  ///< names in lower case
    std::string body;

    /// The value of header `name` (lower case), or "".
    [[nodiscard]] std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string{} : it->second;
    }
};

/// Timeouts of an http_client.
struct http_options {
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
    /// The whole request, transfer included; 0: no limit (the Lambda runtime's long `next` call).
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
};

/// Percent-encodes `text` as AWS canonical requests want it: everything but `A-Za-z0-9-_.~` (and
/// `/` when `keep_slash`) becomes `%XX` with upper-case hex.
[[nodiscard]] inline std::string percent_encode(std::string_view text, bool keep_slash = false) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() + text.size() / 2);
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~' ||
            (keep_slash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

/// `?k1=v1&k2=v2` from `params`, keys in byte order (std::map), each key and value
/// percent-encoded; a valueless sub-resource is written `key=`. Empty when `params` is.
[[nodiscard]] inline std::string canonical_query(const std::map<std::string, std::string>& params) {
    std::string out;
    for (const auto& [key, value] : params) {
        out += out.empty() ? '?' : '&';
        out += percent_encode(key);
        out += '=';
        out += percent_encode(value);
    }
    return out;
}

namespace detail {

inline void curl_global() {
    // curl_global_init is not thread-safe; a function-local static is initialised once.
    static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        throw transport_error(
            "libcurl failed to initialise: " + std::string(curl_easy_strerror(code)),
            "check the TLS library installation", "http", code);
    }
}

struct curl_deleter {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct slist_deleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

inline std::size_t write_body(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

inline std::size_t write_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto& headers = *static_cast<std::map<std::string, std::string>*>(user);
    std::string_view line(data, size * n);
    if (line.starts_with("HTTP/")) headers.clear();  // a new response (after 100-continue)
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.remove_prefix(1);
        while (!value.empty() &&
               (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
            value.remove_suffix(1);
        headers[std::move(name)] = std::string(value);
    }
    return size * n;
}

struct upload_state {
    std::string_view body;
    std::size_t offset = 0;
};

inline std::size_t read_body(char* buffer, std::size_t size, std::size_t n, void* user) {
    auto& state = *static_cast<upload_state*>(user);
    const std::size_t count = std::min(size * n, state.body.size() - state.offset);
    std::copy_n(state.body.data() + state.offset, count, buffer);
    state.offset += count;
    return count;
}

}  // namespace detail

/// An HTTP/1.1 client with one kept-alive connection pool.
/// Thread safety: none; use one client per thread (the adapters keep one per thread themselves).
class http_client {
  public:
    /// @param backend names the service in errors ("s3", "sqs", "imds", "lambda-runtime")
    explicit http_client(std::string backend, http_options options = {})
        : backend_(std::move(backend)), options_(options) {
        detail::curl_global();
        curl_.reset(curl_easy_init());
        if (!curl_) {
            throw transport_error("libcurl could not create a handle", "check available memory",
                                  backend_, CURLE_FAILED_INIT);
        }
    }

    /// Sends `request` (signed when `sign` is given) and returns the answer, whatever its status.
    /// @throws transport_error when no HTTP answer came (refused, reset, timed out, DNS)
    http_response perform(const http_request& request, const signing* sign = nullptr) {
        CURL* c = curl_.get();
        curl_easy_reset(c);
        http_response response;
        detail::upload_state upload{request.body, 0};
        std::unique_ptr<curl_slist, detail::slist_deleter> headers;
        const auto add_header = [&](const std::string& line) {
            curl_slist* next = curl_slist_append(headers.get(), line.c_str());
            if (next == nullptr) {
                throw transport_error("out of memory building request headers", "", backend_,
                                      CURLE_OUT_OF_MEMORY);
            }
            (void)headers.release();
            headers.reset(next);
        };
        for (const auto& [name, value] : request.headers)
            add_header(name + ": " + value);
        // libcurl 7.88 signs a removal line such as "Expect:" as a header with an empty value
        // (SignedHeaders=expect;...) without sending it, so every signature would mismatch
        // (radosgw: 403 SignatureDoesNotMatch). Signed requests therefore keep libcurl's own
        // "Expect: 100-continue" on uploads (not signed), which also keeps an early error answer
        // (403, 412) from leaving an unread body on a kept-alive connection: libcurl then does
        // not send the body and closes the connection. Unsigned requests skip the round trip.
        if (sign == nullptr) add_header("Expect:");
        std::string sigv4;
        if (sign != nullptr) {
            sigv4 = "aws:amz:" + sign->region + ":" + sign->service;
            if (!sign->keys.session_token.empty())
                add_header("x-amz-security-token: " + sign->keys.session_token);
            curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
            curl_easy_setopt(c, CURLOPT_USERNAME, sign->keys.access_key_id.c_str());
            curl_easy_setopt(c, CURLOPT_PASSWORD, sign->keys.secret_access_key.c_str());
        }
        curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(options_.connect_timeout.count()));
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &detail::write_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &detail::write_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
        if (request.method == "GET") {
            curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        } else if (request.method == "HEAD") {
            curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (request.method == "POST") {
            // From the caller's buffer (no copy); libcurl hashes it for the SigV4 payload hash.
            curl_easy_setopt(c, CURLOPT_POST, 1L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(request.body.size()));
            curl_easy_setopt(c, CURLOPT_POSTFIELDS,
                             request.body.empty() ? "" : request.body.data());
        } else if (request.method == "PUT") {
            // Streamed from the caller's buffer (no copy); the length is known, so no chunking.
            // libcurl cannot hash a streamed body: S3 callers send x-amz-content-sha256 themselves.
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(c, CURLOPT_READFUNCTION, &detail::read_body);
            curl_easy_setopt(c, CURLOPT_READDATA, &upload);
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                             static_cast<curl_off_t>(request.body.size()));
        } else {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        }
        const CURLcode code = curl_easy_perform(c);
        if (code != CURLE_OK) {
            throw transport_error(
                request.method + " " + redact(request.url) + " failed: " + curl_easy_strerror(code),
                "check that the endpoint is reachable and the network is up", backend_, code);
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
        return response;
    }

    [[nodiscard]] const std::string& backend() const noexcept { return backend_; }

    /// `url` without its query (which may carry tokens) for messages.
    [[nodiscard]] static std::string redact(std::string_view url) {
        return std::string(url.substr(0, url.find('?')));
    }

  private:
    std::string backend_;
    http_options options_;
    std::unique_ptr<CURL, detail::curl_deleter> curl_;
};

}  // namespace mlpipe::aws

// SPDX-License-Identifier: Apache-2.0
/// @file aws/s3_blob_store.hpp `s3_blob_store`: the blob_store concept on Amazon S3 or any
/// S3-compatible endpoint (Ceph radosgw, MinIO, ...), through libcurl with SigV4 signing.
///
/// Mapping: key `k` is object `<prefix>/k` in the bucket. put is a PUT (a multipart upload above
/// `multipart_threshold`); put_if_absent is a PUT with `If-None-Match: *` (412: the key was
/// taken); compare_and_swap a PUT with `If-Match: <etag>` (412 or 404: the blob changed); get a
/// GET (404: absent); list is ListObjectsV2 with continuation tokens; remove a DELETE.
///
/// Integrity: every upload is signed with its SHA-256 (`x-amz-content-sha256`, which S3 checks
/// against the bytes it received) and carries `x-amz-checksum-sha256`; the SHA-256 is also stored
/// as object metadata (`x-amz-meta-mlpipe-sha256`) and every get checks the bytes against it, so a
/// blob corrupted at rest or in transit is an s3_error, never wrong bytes.
///
/// Keys are percent-encoded segment by segment (`/` kept, upper-case hex), so spaces, `+` and UTF-8
/// are stored under exactly the key given. Conditional multipart uploads are not used: blobs
/// written with put_if_absent or compare_and_swap go in one PUT (up to S3's 5 GiB).
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../detail/sha256.hpp"
#include "../detail/text_codec.hpp"
#include "../error.hpp"
#include "../storage/blob_store.hpp"
#include "../storage/key.hpp"
#include "credentials.hpp"
#include "http.hpp"
#include "service.hpp"

namespace mlpipe::aws {

/// Where the store lives and how it talks to it.
struct s3_options {
    std::string bucket;         ///< required
    std::string prefix = {};    ///< key prefix inside the bucket ("" or "models/prod")
    std::string region = {};    ///< empty: default_region()
    std::string endpoint = {};  ///< empty: https://s3.<region>.amazonaws.com; else an override
    /// Path-style URLs (endpoint/bucket/key) instead of virtual-hosted ones (bucket.endpoint/key).
    /// S3-compatible servers on an IP address need path style.
    bool path_style = false;
    /// Blobs larger than this go up in parts (put only); parts are `part_size` bytes (S3's
    /// minimum part is 5 MiB).
    std::size_t multipart_threshold = std::size_t{16} << 20;
    std::size_t part_size = std::size_t{8} << 20;
    /// Send `If-Match` etags quoted (RFC 9110, AWS). Ceph radosgw 16 matches only unquoted ones.
    bool quote_if_match = true;
    /// nullptr: default_credentials (environment, profile, container, instance metadata).
    std::shared_ptr<credentials_provider> credentials = {};
    retry_policy retry = {};
    http_options http = {};
    std::function<void(int, const std::string&)> on_retry = {};
};

namespace detail {

/// The text of every `<tag>...</tag>` in `xml`, entities decoded (S3's answers are flat enough
/// for this: no attributes on the elements read, no CDATA).
inline std::vector<std::string> xml_values(std::string_view xml, std::string_view tag) {
    std::vector<std::string> out;
    const std::string open = "<" + std::string(tag) + ">";
    const std::string close = "</" + std::string(tag) + ">";
    std::size_t at = 0;
    while ((at = xml.find(open, at)) != std::string_view::npos) {
        const auto begin = at + open.size();
        const auto end = xml.find(close, begin);
        if (end == std::string_view::npos) break;
        std::string value;
        const std::string_view raw = xml.substr(begin, end - begin);
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '&') {
                value += raw[i];
                continue;
            }
            const auto semi = raw.find(';', i);
            if (semi == std::string_view::npos) {
                value += raw[i];
                continue;
            }
            const std::string_view entity = raw.substr(i + 1, semi - i - 1);
            if (entity == "amp")
                value += '&';
            else if (entity == "lt")
                value += '<';
            else if (entity == "gt")
                value += '>';
            else if (entity == "quot")
                value += '"';
            else if (entity == "apos")
                value += '\'';
            else if (!entity.empty() && entity[0] == '#') {
                const bool hex = entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X');
                const unsigned long code =
                    std::stoul(std::string(entity.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10);
                // UTF-8 encode the code point.
                if (code < 0x80) {
                    value += static_cast<char>(code);
                } else if (code < 0x800) {
                    value += static_cast<char>(0xC0 | (code >> 6));
                    value += static_cast<char>(0x80 | (code & 0x3F));
                } else if (code < 0x10000) {
                    value += static_cast<char>(0xE0 | (code >> 12));
                    value += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                    value += static_cast<char>(0x80 | (code & 0x3F));
                } else {
                    value += static_cast<char>(0xF0 | (code >> 18));
                    value += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
                    value += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                    value += static_cast<char>(0x80 | (code & 0x3F));
                }
            } else {
                value += '&';
                value += entity;
                value += ';';
            }
            i = semi;
        }
        out.push_back(std::move(value));
        at = end + close.size();
    }
    return out;
}

inline std::string xml_value(std::string_view xml, std::string_view tag) {
    auto values = xml_values(xml, tag);
    return values.empty() ? std::string{} : std::move(values.front());
}

inline service_error_info decode_s3_error(const http_response& response) {
    service_error_info info;
    info.code = xml_value(response.body, "Code");
    info.message = xml_value(response.body, "Message");
    info.request_id = response.header("x-amz-request-id");
    if (info.request_id.empty()) info.request_id = xml_value(response.body, "RequestId");
    if (info.code.empty()) {
        // HEAD and some proxies answer without a body.
        if (response.status == 404)
            info.code = "NotFound";
        else if (response.status == 412)
            info.code = "PreconditionFailed";
        else if (response.status == 503)
            info.code = "ServiceUnavailable";
    }
    return info;
}

inline std::string strip_quotes(std::string etag) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
        etag = etag.substr(1, etag.size() - 2);
    return etag;
}

}  // namespace detail

/// The blob_store concept on S3 (see the file comment).
/// Thread safety: every member may be called concurrently (connections are pooled).
class s3_blob_store {
  public:
    /// @throws configuration_error for a missing bucket, a bad prefix, no region
    explicit s3_blob_store(s3_options options) : options_(std::move(options)) {
        if (options_.bucket.empty()) {
            throw configuration_error("no S3 bucket given", "set s3_options::bucket", "bucket");
        }
        while (!options_.prefix.empty() && options_.prefix.back() == '/')
            options_.prefix.pop_back();
        if (!options_.prefix.empty()) validate_prefix(options_.prefix);
        if (options_.part_size < (std::size_t{5} << 20) || options_.multipart_threshold < 1) {
            throw configuration_error("S3 multipart parts must be at least 5 MiB",
                                      "raise part_size", "part_size");
        }
        service_config config;
        config.service = "s3";
        config.region = options_.region.empty() ? default_region() : options_.region;
        config.endpoint = options_.endpoint.empty()
                              ? "https://s3." + config.region + ".amazonaws.com"
                              : options_.endpoint;
        while (!config.endpoint.empty() && config.endpoint.back() == '/')
            config.endpoint.pop_back();
        config.credentials =
            options_.credentials ? options_.credentials : std::make_shared<default_credentials>();
        config.retry = options_.retry;
        config.http = options_.http;
        config.on_retry = options_.on_retry;
        const auto scheme_end = config.endpoint.find("://");
        if (scheme_end == std::string::npos) {
            throw configuration_error("S3 endpoint \"" + config.endpoint + "\" has no scheme",
                                      "write https://host[:port]", "endpoint");
        }
        base_ = options_.path_style ? config.endpoint + "/" + percent_encode(options_.bucket)
                                    : config.endpoint.substr(0, scheme_end + 3) + options_.bucket +
                                          "." + config.endpoint.substr(scheme_end + 3);
        client_ = std::make_unique<service_client>(std::move(config), &detail::decode_s3_error);
    }

    /// Creates or replaces the blob; returns its new etag.
    std::string put(std::string_view key, std::string_view bytes) {
        validate_key(key);
        if (bytes.size() > options_.multipart_threshold) return put_multipart(key, bytes);
        return *put_object(key, bytes, {}, "put");
    }

    /// Creates the blob only if the key is free; nullopt when it was taken.
    std::optional<std::string> put_if_absent(std::string_view key, std::string_view bytes) {
        validate_key(key);
        return put_object(key, bytes, {"If-None-Match", "*"}, "put_if_absent");
    }

    /// Replaces the blob only if its etag is `etag`; nullopt when it changed or is absent.
    std::optional<std::string> compare_and_swap(std::string_view key, std::string_view etag,
                                                std::string_view bytes) {
        validate_key(key);
        const std::string bare = detail::strip_quotes(std::string(etag));
        return put_object(key, bytes,
                          {"If-Match", options_.quote_if_match ? "\"" + bare + "\"" : bare},
                          "compare_and_swap");
    }

    /// The blob's bytes and etag, or nullopt when absent.
    /// @throws s3_error when the bytes do not match their stored SHA-256
    std::optional<blob> get(std::string_view key) {
        validate_key(key);
        http_request request;
        request.url = object_url(key);
        service_error_info info;
        auto response = send(request, &info);
        if (response.status == 404) return std::nullopt;
        if (response.status >= 300) fail("get \"" + std::string(key) + "\"", info);
        const auto expected = response.header("x-amz-meta-mlpipe-sha256");
        if (!expected.empty() && mlpipe::detail::sha256_hex(response.body) != expected) {
            info.http_status = response.status;
            info.code = "ChecksumMismatch";
            info.request_id = response.header("x-amz-request-id");
            throw s3_error("the bytes of \"" + std::string(key) +
                               "\" do not match their stored SHA-256 (corrupted in storage or "
                               "in transit)",
                           "read it again; if it persists, restore the object", info);
        }
        return blob{std::move(response.body), detail::strip_quotes(response.header("etag"))};
    }

    /// Up to `n` keys under `prefix` after page `token`, in ascending order.
    blob_page list(std::string_view prefix, std::string_view token, std::size_t n) {
        validate_prefix(prefix);
        if (n == 0) {
            throw invalid_input_error("a listing page of 0 keys", "ask for 1 to 1000 keys",
                                      "max_keys");
        }
        n = std::min(n, max_list_page);
        std::map<std::string, std::string> query{{"list-type", "2"},
                                                 {"encoding-type", "url"},
                                                 {"max-keys", std::to_string(n)},
                                                 {"prefix", object_key(prefix)}};
        if (!token.empty()) query["continuation-token"] = std::string(token);
        http_request request;
        request.url = base_ + "/" + canonical_query(query);
        service_error_info info;
        const auto response = send(request, &info);
        if (response.status >= 300) fail("list \"" + std::string(prefix) + "\"", info);
        blob_page page;
        const std::size_t strip = options_.prefix.empty() ? 0 : options_.prefix.size() + 1;
        // Keys come URL-encoded only when the server says so (some S3-compatible servers ignore
        // encoding-type and send them as they are).
        const bool encoded = detail::xml_value(response.body, "EncodingType") == "url";
        for (const auto& raw : detail::xml_values(response.body, "Key")) {
            auto key = encoded ? mlpipe::detail::url_decode(raw, true) : raw;
            if (key.size() >= strip) page.keys.push_back(key.substr(strip));
        }
        if (detail::xml_value(response.body, "IsTruncated") == "true")
            page.next_token = detail::xml_value(response.body, "NextContinuationToken");
        return page;
    }

    /// Deletes the blob; an absent key is not an error.
    void remove(std::string_view key) {
        validate_key(key);
        http_request request;
        request.method = "DELETE";
        request.url = object_url(key);
        service_error_info info;
        const auto response = send(request, &info);
        if (response.status >= 300 && response.status != 404)
            fail("remove \"" + std::string(key) + "\"", info);
    }

    [[nodiscard]] const s3_options& options() const noexcept { return options_; }

  private:
    /// Sends with the payload hash S3 requires on every request (libcurl 7.88 does not add it).
    http_response send(http_request request, service_error_info* info = nullptr) {
        const bool has_hash =
            std::any_of(request.headers.begin(), request.headers.end(),
                        [](const auto& h) { return h.first == "x-amz-content-sha256"; });
        if (!has_hash)
            request.headers.emplace_back("x-amz-content-sha256",
                                         mlpipe::detail::sha256_hex(request.body));
        return client_->send(request, info);
    }

    [[noreturn]] static void fail(const std::string& what, const service_error_info& info) {
        auto [problem, remedy] = service_client::explain("S3 " + what, info);
        throw s3_error(std::move(problem), std::move(remedy), info);
    }

    [[nodiscard]] std::string object_key(std::string_view key) const {
        return options_.prefix.empty() ? std::string(key)
                                       : options_.prefix + "/" + std::string(key);
    }
    [[nodiscard]] std::string object_url(
        std::string_view key, const std::map<std::string, std::string>& query = {}) const {
        return base_ + "/" + percent_encode(object_key(key), true) + canonical_query(query);
    }

    /// One PUT; nullopt when a precondition failed (412, or 404/409 for If-Match).
    std::optional<std::string> put_object(std::string_view key, std::string_view bytes,
                                          std::pair<std::string, std::string> condition,
                                          const char* what) {
        const auto digest = mlpipe::detail::sha256(bytes);
        const std::string hex = mlpipe::detail::to_hex(digest);
        http_request request;
        request.method = "PUT";
        request.url = object_url(key);
        request.body = bytes;
        request.headers = {{"x-amz-content-sha256", hex},
                           {"x-amz-checksum-sha256",
                            mlpipe::detail::base64_encode(std::string_view(
                                reinterpret_cast<const char*>(digest.data()), digest.size()))},
                           {"x-amz-meta-mlpipe-sha256", hex},
                           {"Content-Type", "application/octet-stream"}};
        if (!condition.first.empty()) request.headers.push_back(std::move(condition));
        service_error_info info;
        const auto response = send(request, &info);
        if (response.status == 412) return std::nullopt;
        if (std::string_view(what) == "compare_and_swap" &&
            (response.status == 404 || response.status == 409)) {
            return std::nullopt;
        }
        if (std::string_view(what) == "put_if_absent" && response.status == 409) {
            return std::nullopt;  // ConditionalRequestConflict: a concurrent writer won
        }
        if (response.status >= 300) fail(std::string(what) + " \"" + std::string(key) + "\"", info);
        auto etag = detail::strip_quotes(response.header("etag"));
        if (etag.empty()) etag = head_etag(key);
        return etag;
    }

    std::string head_etag(std::string_view key) {
        http_request request;
        request.method = "HEAD";
        request.url = object_url(key);
        service_error_info info;
        const auto response = send(request, &info);
        if (response.status >= 300) fail("head \"" + std::string(key) + "\"", info);
        return detail::strip_quotes(response.header("etag"));
    }

    std::string put_multipart(std::string_view key, std::string_view bytes) {
        const std::string what = "multipart upload of \"" + std::string(key) + "\"";
        const std::string hex = mlpipe::detail::sha256_hex(bytes);
        http_request create;
        create.method = "POST";
        create.url = object_url(key, {{"uploads", ""}});
        create.headers = {{"x-amz-content-sha256", mlpipe::detail::sha256_hex("")},
                          {"x-amz-meta-mlpipe-sha256", hex},
                          {"Content-Type", "application/octet-stream"}};
        service_error_info info;
        const auto created = send(create, &info);
        if (created.status >= 300) fail(what, info);
        const std::string upload_id = detail::xml_value(created.body, "UploadId");
        if (upload_id.empty()) {
            info.http_status = created.status;
            fail(what + " (no UploadId in the answer)", info);
        }
        try {
            std::string complete = "<CompleteMultipartUpload>";
            int number = 1;
            for (std::size_t offset = 0; offset < bytes.size();
                 offset += options_.part_size, ++number) {
                const auto part = bytes.substr(offset, options_.part_size);
                http_request put;
                put.method = "PUT";
                put.url = object_url(
                    key, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}});
                put.body = part;
                put.headers = {{"x-amz-content-sha256", mlpipe::detail::sha256_hex(part)}};
                const auto answer = send(put, &info);
                if (answer.status >= 300) fail(what + ", part " + std::to_string(number), info);
                complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
                            answer.header("etag") + "</ETag></Part>";
            }
            complete += "</CompleteMultipartUpload>";
            http_request finish;
            finish.method = "POST";
            finish.url = object_url(key, {{"uploadId", upload_id}});
            finish.body = complete;
            finish.headers = {{"x-amz-content-sha256", mlpipe::detail::sha256_hex(complete)},
                              {"Content-Type", "application/xml"}};
            const auto done = send(finish, &info);
            // S3 may answer 200 with an error document inside.
            if (done.status >= 300 || !detail::xml_value(done.body, "Code").empty()) {
                if (info.code.empty()) info = detail::decode_s3_error(done);
                info.http_status = done.status;
                fail(what + " (complete)", info);
            }
            auto etag = detail::strip_quotes(detail::xml_value(done.body, "ETag"));
            return etag.empty() ? head_etag(key) : etag;
        } catch (...) {
            abort_upload(key, upload_id);
            throw;
        }
    }

    void abort_upload(std::string_view key, const std::string& upload_id) noexcept {
        try {
            http_request abort;
            abort.method = "DELETE";
            abort.url = object_url(key, {{"uploadId", upload_id}});
            (void)send(std::move(abort));
        } catch (...) {  // NOLINT(bugprone-empty-catch): best effort; S3 lifecycle rules clean up
        }
    }

    s3_options options_;
    std::string base_;
    std::unique_ptr<service_client> client_;
};

static_assert(blob_store<s3_blob_store>);

}  // namespace mlpipe::aws

// SPDX-License-Identifier: Apache-2.0
/// @file aws.hpp The AWS wing (target mlpipe::aws): S3 blob store, SQS message queue, PostgreSQL
/// (RDS) data source, credentials, and the Lambda runtime; registers the `s3://`, `sqs://` and
/// `postgresql://` URI schemes with open_blob_store, open_message_queue and open_data_source.
///
/// URIs (query parameters optional):
/// - `s3://BUCKET/PREFIX?region=R&endpoint=URL&path_style=1&if_match=unquoted&profile=P`
///   (endpoint for S3-compatible servers; path_style for servers on an IP address)
/// - `sqs://HOST[:PORT]/ACCOUNT/QUEUE?region=R&scheme=http&profile=P` (the queue URL with its
///   scheme moved to `scheme=`, https by default), e.g.
///   `sqs://sqs.eu-west-1.amazonaws.com/123456789012/training-requests`
/// - `postgresql://USER@HOST:PORT/DB?sslmode=verify-full&sslrootcert=...` (libpq's own URI)
#pragma once

#if defined(MLPIPE_SEPARATE_COMPILATION) && !defined(MLPIPE_COMPILING_WING) && \
    !defined(MLPIPE_COMPILED_AWS)
#error \
    "mlpipe's compiled library was made without the aws wing: call find_package(mlpipe COMPONENTS aws) (or add the aws wing) before mlpipe_add_compiled_library()"
#endif

#include <memory>
#include <string>

#include "storage/any_blob_store.hpp"
#include "storage/any_data_source.hpp"
#include "storage/any_message_queue.hpp"
#include "storage/uri.hpp"

#include "aws/credentials.hpp"
#include "aws/http.hpp"
#include "aws/lambda_runtime.hpp"
#include "aws/postgres_data_source.hpp"
#include "aws/s3_blob_store.hpp"
#include "aws/service.hpp"
#include "aws/sqs_message_queue.hpp"

namespace mlpipe::aws {

namespace detail {

inline bool uri_flag(const storage_uri& uri, const std::string& key) {
    const auto v = uri.get(key);
    if (v.empty() || v == "0" || v == "false" || v == "no") return false;
    if (v == "1" || v == "true" || v == "yes") return true;
    throw configuration_error("\"" + key + "=" + v + "\" in \"" + uri.text + "\" is not a flag",
                              "write " + key + "=1 or " + key + "=0", "uri");
}

inline std::shared_ptr<credentials_provider> uri_credentials(const storage_uri& uri) {
    credentials_options options;
    options.profile = uri.get("profile");
    return std::make_shared<default_credentials>(std::move(options));
}

inline std::string uri_region(const storage_uri& uri) {
    auto region = uri.get("region");
    return region.empty() ? default_region(uri.get("profile")) : region;
}

}  // namespace detail

/// s3_options from `s3://bucket/prefix?...` (see the file comment).
/// @throws configuration_error for a URI without a bucket or with an unknown parameter
[[nodiscard]] inline s3_options s3_options_from_uri(const storage_uri& uri) {
    for (const auto& [key, value] : uri.query) {
        if (key != "region" && key != "endpoint" && key != "path_style" && key != "if_match" &&
            key != "profile") {
            throw configuration_error("unknown parameter \"" + key + "\" in \"" + uri.text + "\"",
                                      "use region, endpoint, path_style, if_match or profile",
                                      "uri");
        }
    }
    if (uri.authority.empty()) {
        throw configuration_error("S3 URI \"" + uri.text + "\" has no bucket",
                                  "write s3://BUCKET/PREFIX", "uri");
    }
    s3_options o;
    o.bucket = uri.authority;
    o.prefix = uri.path.empty() ? std::string{} : uri.path.substr(1);
    o.region = detail::uri_region(uri);
    o.endpoint = uri.get("endpoint");
    o.path_style = detail::uri_flag(uri, "path_style");
    const auto if_match = uri.get("if_match", "quoted");
    if (if_match != "quoted" && if_match != "unquoted") {
        throw configuration_error("if_match must be quoted or unquoted in \"" + uri.text + "\"",
                                  "write if_match=unquoted for Ceph radosgw", "uri");
    }
    o.quote_if_match = if_match == "quoted";
    o.credentials = detail::uri_credentials(uri);
    return o;
}

/// sqs_options from `sqs://host/account/queue?...` (see the file comment).
/// @throws configuration_error for a URI without a queue path or with an unknown parameter
[[nodiscard]] inline sqs_options sqs_options_from_uri(const storage_uri& uri) {
    for (const auto& [key, value] : uri.query) {
        if (key != "region" && key != "scheme" && key != "profile" && key != "group") {
            throw configuration_error("unknown parameter \"" + key + "\" in \"" + uri.text + "\"",
                                      "use region, scheme, profile or group", "uri");
        }
    }
    const auto scheme = uri.get("scheme", "https");
    if (scheme != "https" && scheme != "http") {
        throw configuration_error("scheme must be https or http in \"" + uri.text + "\"",
                                  "write scheme=http only for a local SQS-compatible server",
                                  "uri");
    }
    if (uri.authority.empty() || uri.path.size() < 2) {
        throw configuration_error("SQS URI \"" + uri.text + "\" has no queue",
                                  "write sqs://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE", "uri");
    }
    sqs_options o;
    o.queue_url = scheme + "://" + uri.authority + uri.path;
    o.region = uri.get("region");
    if (o.region.empty() && !uri.authority.starts_with("sqs.")) o.region = detail::uri_region(uri);
    o.message_group = uri.get("group");
    o.credentials = detail::uri_credentials(uri);
    return o;
}

/// Registers `s3://` (open_blob_store), `sqs://` (open_message_queue) and `postgresql://` /
/// `postgres://` (open_data_source; the URI goes to libpq unchanged). Including this header
/// does it once at start-up; calling it again is harmless.
/// Thread safety: may be called from any thread.
MLPIPE_WING_DECL void register_backends();

namespace detail {
/// Registers the backends during static initialisation of any program that includes this header.
inline const bool backends_registered = (register_backends(), true);
}  // namespace detail

#if MLPIPE_DEFINE_WING_FUNCTIONS
MLPIPE_WING_DECL void register_backends() {
    register_blob_store_scheme("s3", [](const storage_uri& uri) {
        return any_blob_store::make<s3_blob_store>(s3_options_from_uri(uri));
    });
    register_message_queue_scheme("sqs", [](const storage_uri& uri) {
        return any_message_queue::make<sqs_message_queue>(sqs_options_from_uri(uri));
    });
    for (const char* scheme : {"postgresql", "postgres"}) {
        register_data_source_scheme(scheme, [](const storage_uri& uri,
                                               std::vector<dataset_definition> definitions) {
            return any_data_source::make<postgres_data_source>(uri.text, std::move(definitions));
        });
    }
}
#endif

}  // namespace mlpipe::aws

// SPDX-License-Identifier: Apache-2.0
// s3_blob_store against real S3 implementations on loopback: the blob_store conformance suite on
// Ceph radosgw (verifies SigV4 and conditional writes); keys that need encoding, multipart
// uploads, paged listings, integrity checks and signing failures on radosgw and fauxqs.
#include <optional>
#include <string>
#include <tuple>

#include <mlpipe/aws.hpp>

#include "aws_test_support.hpp"

namespace {

using mlpipe::test::aws_server_setting;

/// A fresh bucket on radosgw (strict: signatures, conditional writes).
struct rgw_fixture {
    static constexpr const char* server = "RGW";
    std::unique_ptr<mlpipe::aws::s3_blob_store> s;
    explicit rgw_fixture(std::string prefix = "models", std::size_t threshold = 16u << 20) {
        auto options = mlpipe::test::rgw_bucket(mlpipe::test::unique_name("conformance"));
        options.prefix = std::move(prefix);
        options.multipart_threshold = threshold;
        s = std::make_unique<mlpipe::aws::s3_blob_store>(std::move(options));
    }
    mlpipe::aws::s3_blob_store& store() { return *s; }
};

/// A fresh bucket on fauxqs (no authentication, ignores conditional headers).
struct fauxqs_fixture {
    static constexpr const char* server = "FAUXQS";
    std::unique_ptr<mlpipe::aws::s3_blob_store> s;
    explicit fauxqs_fixture(std::string prefix = "models", std::size_t threshold = 16u << 20) {
        auto options = mlpipe::test::fauxqs_bucket(mlpipe::test::unique_name("fast"));
        options.prefix = std::move(prefix);
        options.multipart_threshold = threshold;
        s = std::make_unique<mlpipe::aws::s3_blob_store>(std::move(options));
    }
    mlpipe::aws::s3_blob_store& store() { return *s; }
};

/// The same, opened through open_blob_store("s3://...") with keys from the environment.
struct any_rgw_fixture {
    std::optional<mlpipe::any_blob_store> s;
    any_rgw_fixture() {
        const auto bucket = mlpipe::test::unique_name("uri");
        const auto options = mlpipe::test::rgw_bucket(bucket);
        mlpipe::test::use_test_keys_from_environment(
            aws_server_setting("MLPIPE_TEST_RGW_ACCESS_KEY").value_or(""),
            aws_server_setting("MLPIPE_TEST_RGW_SECRET_KEY").value_or(""));
        s.emplace(mlpipe::open_blob_store("s3://" + bucket +
                                          "/registry?endpoint=" + options.endpoint +
                                          "&path_style=1&if_match=unquoted&region=us-east-1"));
    }
    mlpipe::any_blob_store& store() { return *s; }
};

}  // namespace

using mlpipe_blob_store_fixtures = std::tuple<rgw_fixture, any_rgw_fixture>;
#define MLPIPE_CONFORMANCE_PRECONDITION MLPIPE_REQUIRE_SERVER("RGW")
#include "blob_store_conformance.hpp"
#undef MLPIPE_CONFORMANCE_PRECONDITION  // expanded by the include above; the next file of a unity
                                        // build sets its own

TEMPLATE_TEST_CASE("keys with spaces, plus signs and UTF-8 are stored under exactly that key",
                   "[aws][s3]", rgw_fixture, fauxqs_fixture) {
    MLPIPE_REQUIRE_SERVER(TestType::server);
    TestType fixture;
    auto& store = fixture.store();
    const std::vector<std::string> keys = {"a b/c+d.bin", "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac",
                                           "x%20y/=&?#", "tilde~and-dash_and.dot"};
    for (const auto& key : keys)
        store.put(key, "bytes of " + key);
    for (const auto& key : keys) {
        const auto got = store.get(key);
        REQUIRE(got.has_value());
        CHECK(got->bytes == "bytes of " + key);
    }
    auto listed = mlpipe::list_all(store, "");
    std::sort(listed.begin(), listed.end());
    auto expected = keys;
    std::sort(expected.begin(), expected.end());
    CHECK(listed == expected);
    // "a b" and "a+b" are different keys.
    CHECK_FALSE(store.get("a+b/c+d.bin").has_value());
}

TEMPLATE_TEST_CASE("blobs above the threshold go up in parts and come back whole", "[aws][s3]",
                   rgw_fixture, fauxqs_fixture) {
    MLPIPE_REQUIRE_SERVER(TestType::server);
    TestType fixture("big", 6u << 20);
    auto& store = fixture.store();
    const std::string bytes = mlpipe::test::binary_bytes((13u << 20) + 12345, 7);  // 3 parts
    const auto etag = store.put("artifact.mlp", bytes);
    CHECK_FALSE(etag.empty());
    const auto got = store.get("artifact.mlp");
    REQUIRE(got.has_value());
    CHECK(got->bytes.size() == bytes.size());
    CHECK(got->bytes == bytes);
    CHECK(got->etag == etag);
}

TEMPLATE_TEST_CASE("listings page with continuation tokens", "[aws][s3]", rgw_fixture,
                   fauxqs_fixture) {
    MLPIPE_REQUIRE_SERVER(TestType::server);
    TestType fixture;
    auto& store = fixture.store();
    for (int i = 0; i < 25; ++i)
        store.put("runs/" + std::to_string(100 + i), "x");
    store.put("other/1", "y");
    std::vector<std::string> seen;
    std::string token;
    int pages = 0;
    do {
        const auto page = store.list("runs/", token, 7);
        CHECK(page.keys.size() <= 7);
        seen.insert(seen.end(), page.keys.begin(), page.keys.end());
        token = page.next_token;
        ++pages;
    } while (!token.empty());
    CHECK(pages == 4);
    REQUIRE(seen.size() == 25);
    CHECK(seen.front() == "runs/100");
    CHECK(seen.back() == "runs/124");
    CHECK(std::is_sorted(seen.begin(), seen.end()));
}

TEST_CASE("a blob whose bytes do not match their stored SHA-256 is refused", "[aws][s3]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    rgw_fixture fixture("");
    auto& store = fixture.store();
    store.put("good", "the real bytes");
    // Write an object whose checksum metadata lies, as corruption at rest would look.
    mlpipe::test::raw_s3_put(
        fixture.store().options(), "bad", "tampered bytes",
        {{"x-amz-meta-mlpipe-sha256", mlpipe::detail::sha256_hex("original")}});
    CHECK(store.get("good")->bytes == "the real bytes");
    try {
        (void)store.get("bad");
        FAIL("a corrupted blob was returned");
    } catch (const mlpipe::aws::s3_error& e) {
        CHECK(e.code() == "ChecksumMismatch");
        CHECK_THAT(e.what(), Catch::Contains("do not match their stored SHA-256"));
    }
}

TEST_CASE("a request signed with a wrong secret is refused and not retried", "[aws][s3]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    auto options = mlpipe::test::rgw_bucket(mlpipe::test::unique_name("signing"));
    int retries = 0;
    options.on_retry = [&](int, const std::string&) { ++retries; };
    options
        .credentials = std::make_shared<mlpipe::aws::static_credentials>(mlpipe::aws::credentials{
        aws_server_setting("MLPIPE_TEST_RGW_ACCESS_KEY").value_or(""), "not-the-secret", "", {}});
    mlpipe::aws::s3_blob_store store(options);
    try {
        store.put("k", "v");
        FAIL("a wrongly signed put succeeded");
    } catch (const mlpipe::aws::s3_error& e) {
        CHECK(e.info().http_status == 403);
        CHECK(e.code() == "SignatureDoesNotMatch");
        CHECK(e.native_code() == 403);
        CHECK_THAT(e.what(), Catch::Contains("check the credentials"));
        CHECK_THAT(e.what(), !Catch::Contains("not-the-secret"));
    }
    CHECK(retries == 0);
}

TEST_CASE("an unknown bucket is a typed error with the service's code", "[aws][s3]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    auto options = mlpipe::test::rgw_bucket(mlpipe::test::unique_name("signing"));
    options.bucket = "no-such-bucket-" + mlpipe::test::unique_name("x");
    mlpipe::aws::s3_blob_store store(options);
    CHECK_THROWS_AS(store.put("k", "v"), mlpipe::aws::s3_error);
    try {
        store.put("k", "v");
    } catch (const mlpipe::aws::s3_error& e) {
        CHECK(e.code() == "NoSuchBucket");
        CHECK(e.info().http_status == 404);
        CHECK_FALSE(e.request_id().empty());
    }
}

TEST_CASE("s3 URIs give bucket, prefix, endpoint and addressing", "[aws][s3][uri]") {
    const auto o = mlpipe::aws::s3_options_from_uri(mlpipe::parse_storage_uri(
        "s3://models-bucket/prod/registry?region=eu-west-1&endpoint=http://"
        "127.0.0.1:7480&path_style=1"));
    CHECK(o.bucket == "models-bucket");
    CHECK(o.prefix == "prod/registry");
    CHECK(o.region == "eu-west-1");
    CHECK(o.endpoint == "http://127.0.0.1:7480");
    CHECK(o.path_style);
    CHECK(o.quote_if_match);
    CHECK_THROWS_AS(mlpipe::aws::s3_options_from_uri(
                        mlpipe::parse_storage_uri("s3://b/p?region=x&pathstyle=1")),
                    mlpipe::configuration_error);
    CHECK_THROWS_AS(mlpipe::aws::s3_options_from_uri(mlpipe::parse_storage_uri("s3:///p?region=x")),
                    mlpipe::configuration_error);
    CHECK_THROWS_AS(mlpipe::aws::s3_options_from_uri(
                        mlpipe::parse_storage_uri("s3://b/p?region=x&path_style=maybe")),
                    mlpipe::configuration_error);
}

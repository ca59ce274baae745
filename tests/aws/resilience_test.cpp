// SPDX-License-Identifier: Apache-2.0
// Retries against real servers behind a fault-injecting proxy (fault_proxy.hpp): throttling and
// 503s are retried within the configured attempts and nothing is lost; non-retryable errors are
// not retried; connection failures and clock skew surface as clear typed errors.
#include <set>
#include <string>

#include <mlpipe/aws.hpp>

#include "aws_test_support.hpp"
#include "fault_proxy.hpp"

using mlpipe::test::aws_server_setting;
using mlpipe::test::fault_proxy;

namespace {
/// Fast backoff for tests: the policy's shape, not its patience, is under test.
mlpipe::aws::retry_policy quick_retries(int attempts) {
    return {attempts, std::chrono::milliseconds(5), std::chrono::milliseconds(50)};
}
}  // namespace

TEST_CASE("S3 503 SlowDown answers are retried within the limit", "[aws][resilience]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    auto options = mlpipe::test::rgw_bucket(mlpipe::test::unique_name("retry"));
    fault_proxy proxy(options.endpoint);
    options.endpoint = proxy.endpoint();
    options.retry = quick_retries(3);
    std::vector<std::string> reasons;
    options.on_retry = [&](int, const std::string& why) { reasons.push_back(why); };
    mlpipe::aws::s3_blob_store store(options);

    proxy.fail_next(2, fault_proxy::s3_slow_down());
    const auto etag = store.put("model.bin", "weights");
    CHECK(reasons.size() == 2);
    CHECK_THAT(reasons.front(), Catch::Contains("503 SlowDown"));
    CHECK(store.get("model.bin")->etag == etag);

    // Three failures with three attempts: the error carries the service's code and request id.
    reasons.clear();
    proxy.fail_next(3, fault_proxy::s3_slow_down());
    try {
        store.put("model.bin", "weights 2");
        FAIL("put succeeded through three 503s with three attempts");
    } catch (const mlpipe::aws::s3_error& e) {
        CHECK(e.code() == "SlowDown");
        CHECK(e.request_id() == "FAULT1");
        CHECK(e.native_code() == 503);
    }
    CHECK(reasons.size() == 2);
    CHECK(store.get("model.bin")->bytes == "weights");
}

TEST_CASE("a compare-and-swap whose answer was lost is not applied twice", "[aws][resilience]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    auto options = mlpipe::test::rgw_bucket(mlpipe::test::unique_name("lost"));
    fault_proxy proxy(options.endpoint);
    options.endpoint = proxy.endpoint();
    options.retry = quick_retries(3);
    mlpipe::aws::s3_blob_store store(options);
    const auto v1 = store.put("alias", "v1");
    // The server applies the swap, the answer is lost, the retry finds the etag changed.
    proxy.fail_next(1, fault_proxy::s3_slow_down(/*after=*/true));
    const auto swapped = store.compare_and_swap("alias", v1, "v2");
    CHECK_FALSE(swapped.has_value());  // reported as lost: the caller re-reads, as after a race
    CHECK(store.get("alias")->bytes == "v2");
}

TEST_CASE("non-retryable S3 errors are not retried", "[aws][resilience]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    auto options = mlpipe::test::rgw_bucket(mlpipe::test::unique_name("noretry"));
    fault_proxy proxy(options.endpoint);
    options.endpoint = proxy.endpoint();
    options.retry = quick_retries(3);
    int retries = 0;
    options.on_retry = [&](int, const std::string&) { ++retries; };
    mlpipe::aws::s3_blob_store store(options);
    proxy.fail_next(1, {403,
                        "<Error><Code>AccessDenied</Code><Message>Access Denied</Message>"
                        "<RequestId>R403</RequestId></Error>"});
    CHECK_THROWS_AS(store.put("k", "v"), mlpipe::aws::s3_error);
    CHECK(retries == 0);
    CHECK(proxy.requests() == 1);
}

TEST_CASE("clock skew is reported as such", "[aws][resilience]") {
    MLPIPE_REQUIRE_SERVER("RGW");
    auto options = mlpipe::test::rgw_bucket(mlpipe::test::unique_name("skew"));
    fault_proxy proxy(options.endpoint);
    options.endpoint = proxy.endpoint();
    mlpipe::aws::s3_blob_store store(options);
    proxy.fail_next(1, {403,
                        "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between "
                        "the request time and the current time is too large.</Message>"
                        "<RequestId>SKEW</RequestId></Error>"});
    try {
        (void)store.get("k");
        FAIL("a skewed request succeeded");
    } catch (const mlpipe::aws::s3_error& e) {
        CHECK(e.code() == "RequestTimeTooSkewed");
        CHECK_THAT(e.what(), Catch::Contains("clock"));
        CHECK_THAT(e.remedy(), Catch::Contains("synchronise the clock"));
    }
}

TEST_CASE("a refused connection is retried, then a transport error", "[aws][resilience]") {
    // A port nobody listens on: bind one and close it.
    std::string endpoint;
    {
        fault_proxy closed("http://127.0.0.1:9");
        endpoint = closed.endpoint();
    }
    mlpipe::aws::sqs_options options =
        mlpipe::test::fauxqs_queue_options(endpoint + "/000000000000/q");
    options.endpoint = endpoint;
    options.retry = quick_retries(3);
    int retries = 0;
    options.on_retry = [&](int, const std::string&) { ++retries; };
    mlpipe::aws::sqs_message_queue q(options);
    CHECK_THROWS_AS(q.send("x"), mlpipe::aws::transport_error);
    CHECK(retries == 2);
    try {
        q.send("x");
    } catch (const mlpipe::storage_error& e) {
        CHECK(e.backend() == "sqs");
        CHECK_THAT(e.what(), Catch::Contains("reachable"));
    }
}

TEST_CASE("SQS throttling is retried and no message is lost", "[aws][resilience]") {
    MLPIPE_REQUIRE_SERVER("FAUXQS");
    const auto upstream = *aws_server_setting("MLPIPE_TEST_FAUXQS_ENDPOINT");
    fault_proxy proxy(upstream);
    auto options = mlpipe::test::fauxqs_queue_options(
        mlpipe::test::create_sqs_queue(upstream, mlpipe::test::unique_name("throttled"), 0));
    options.endpoint = proxy.endpoint();
    options.retry = quick_retries(4);
    int retries = 0;
    options.on_retry = [&](int, const std::string&) { ++retries; };
    mlpipe::aws::sqs_message_queue q(options);

    // Every third request is refused before it reaches the server.
    proxy.fail_every(3, fault_proxy::sqs_throttling());
    constexpr int messages = 60;
    for (int i = 0; i < messages; ++i)
        q.send("request " + std::to_string(i));
    std::multiset<std::string> received;
    while (received.size() < static_cast<std::size_t>(messages)) {
        const auto got = q.receive({10, std::chrono::seconds(1), std::chrono::seconds(60)});
        REQUIRE_FALSE(got.empty());
        for (const auto& m : got) {
            received.insert(m.body);
            CHECK(q.ack(m.receipt));
        }
    }
    CHECK(proxy.injected() > 20);
    CHECK(retries == proxy.injected());
    for (int i = 0; i < messages; ++i)
        CHECK(received.count("request " + std::to_string(i)) == 1);
    proxy.fail_next(0, {});
    CHECK(q.receive({10, std::chrono::milliseconds(0), std::chrono::seconds(60)}).empty());
}

TEST_CASE("a FIFO send whose answer was lost is deduplicated on retry", "[aws][resilience]") {
    MLPIPE_REQUIRE_SERVER("FAUXQS");
    const auto upstream = *aws_server_setting("MLPIPE_TEST_FAUXQS_ENDPOINT");
    fault_proxy proxy(upstream);
    auto options = mlpipe::test::fauxqs_queue_options(mlpipe::test::create_sqs_queue(
        upstream, mlpipe::test::unique_name("lostanswer") + ".fifo", 0));
    options.endpoint = proxy.endpoint();
    options.retry = quick_retries(3);
    mlpipe::aws::sqs_message_queue q(options);
    // The server enqueues, the answer is lost; the retry repeats the same deduplication id.
    proxy.fail_next(1, fault_proxy::sqs_throttling(/*after=*/true));
    q.send("train once");
    CHECK(proxy.injected() == 1);
    const auto got = q.receive({10, std::chrono::seconds(1), std::chrono::seconds(60)});
    REQUIRE(got.size() == 1);
    CHECK(got[0].body == "train once");
}

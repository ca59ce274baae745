// SPDX-License-Identifier: Apache-2.0
// sqs_message_queue against fauxqs (AWS JSON 1.0) on loopback: the message_queue conformance suite
// on a standard and a FIFO queue, batches, FIFO deduplication, errors.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include <mlpipe/aws.hpp>

#include "aws_test_support.hpp"

namespace {

template <bool Fifo>
struct sqs_fixture {
    // SQS accepts a stale receipt handle without deleting anything (its documented behaviour).
    static constexpr bool detects_stale_receipts = false;
    // Standard queues do not deduplicate; FIFO queues do.
    static constexpr bool deduplicates = Fifo;
    // fauxqs does not delete with the receipt after ChangeMessageVisibility(0) (real SQS does).
    static constexpr bool acks_after_zero_extend = false;
    std::unique_ptr<mlpipe::aws::sqs_message_queue> q;
    sqs_fixture() {
        const auto endpoint = mlpipe::test::aws_server_setting("MLPIPE_TEST_FAUXQS_ENDPOINT");
        if (!endpoint) return;
        const auto name = mlpipe::test::unique_name("conformance") + (Fifo ? ".fifo" : "");
        q = std::make_unique<mlpipe::aws::sqs_message_queue>(
            mlpipe::test::fauxqs_queue_options(mlpipe::test::create_sqs_queue(*endpoint, name, 3)));
    }
    mlpipe::aws::sqs_message_queue& queue() { return *q; }
};

/// The same, opened through open_message_queue("sqs://...") with keys from the environment.
struct any_sqs_fixture {
    static constexpr bool detects_stale_receipts = false;
    static constexpr bool deduplicates = true;
    static constexpr bool acks_after_zero_extend = false;
    std::optional<mlpipe::any_message_queue> q;
    any_sqs_fixture() {
        const auto endpoint = mlpipe::test::aws_server_setting("MLPIPE_TEST_FAUXQS_ENDPOINT");
        if (!endpoint) return;
        const auto name = mlpipe::test::unique_name("uri") + ".fifo";
        const auto url = mlpipe::test::create_sqs_queue(*endpoint, name, 3);
        mlpipe::test::use_test_keys_from_environment();
        const auto host = endpoint->substr(endpoint->find("://") + 3);
        q.emplace(mlpipe::open_message_queue("sqs://" + host + url.substr(url.find('/', 8)) +
                                             "?scheme=http&region=us-east-1"));
    }
    mlpipe::any_message_queue& queue() { return *q; }
};

}  // namespace

using mlpipe_message_queue_fixtures =
    std::tuple<sqs_fixture<false>, sqs_fixture<true>, any_sqs_fixture>;
#define MLPIPE_CONFORMANCE_PRECONDITION MLPIPE_REQUIRE_SERVER("FAUXQS")
#include "message_queue_conformance.hpp"
#undef MLPIPE_CONFORMANCE_PRECONDITION  // expanded by the include above; the next file of a unity
                                        // build sets its own

TEST_CASE("batches send and ack up to ten messages per request", "[aws][sqs]") {
    MLPIPE_REQUIRE_SERVER("FAUXQS");
    sqs_fixture<false> fixture;
    auto& q = fixture.queue();
    std::vector<std::string> bodies;
    for (int i = 0; i < 23; ++i)
        bodies.push_back("request " + std::to_string(i));
    const auto ids = q.send_batch(bodies);
    REQUIRE(ids.size() == 23);
    CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 23);
    std::vector<std::string> receipts;
    std::set<std::string> received;
    while (received.size() < 23) {
        const auto got = q.receive(
            mlpipe::receive_options{10, std::chrono::seconds(1), std::chrono::seconds(60)});
        REQUIRE_FALSE(got.empty());
        for (const auto& m : got) {
            received.insert(m.body);
            receipts.push_back(m.receipt);
        }
    }
    const auto acked = q.ack_batch(receipts);
    CHECK(std::count(acked.begin(), acked.end(), true) == 23);
    const auto s = q.stats();
    CHECK(s.visible + s.in_flight == 0);
}

TEST_CASE("a FIFO queue drops a repeated deduplication id and keeps distinct sends", "[aws][sqs]") {
    MLPIPE_REQUIRE_SERVER("FAUXQS");
    sqs_fixture<true> fixture;
    auto& q = fixture.queue();
    CHECK(q.fifo());
    // Two sends of the same body without a dedup id are two messages.
    q.send("same body");
    q.send("same body");
    q.send("other", "dedup-1");
    q.send("other again", "dedup-1");
    CHECK(q.stats().visible == 3);
}

TEST_CASE("an unknown queue is a typed error carrying the service's code", "[aws][sqs]") {
    MLPIPE_REQUIRE_SERVER("FAUXQS");
    const auto endpoint = *mlpipe::test::aws_server_setting("MLPIPE_TEST_FAUXQS_ENDPOINT");
    mlpipe::aws::sqs_message_queue q(
        mlpipe::test::fauxqs_queue_options(endpoint + "/000000000000/no-such-queue"));
    try {
        q.send("x");
        FAIL("sent to a queue that does not exist");
    } catch (const mlpipe::aws::sqs_error& e) {
        CHECK(e.info().http_status == 400);
        CHECK_THAT(e.code(),
                   Catch::Contains("NonExistentQueue") || Catch::Contains("QueueDoesNotExist"));
        CHECK_THAT(e.what(), Catch::Contains("no-such-queue"));
    }
}

TEST_CASE("sqs URIs name the queue URL and refuse unknown parameters", "[aws][sqs][uri]") {
    const auto o = mlpipe::aws::sqs_options_from_uri(mlpipe::parse_storage_uri(
        "sqs://sqs.eu-west-1.amazonaws.com/123456789012/training-requests"));
    CHECK(o.queue_url == "https://sqs.eu-west-1.amazonaws.com/123456789012/training-requests");
    CHECK(o.region.empty());  // taken from the host by the queue
    const auto local = mlpipe::aws::sqs_options_from_uri(mlpipe::parse_storage_uri(
        "sqs://127.0.0.1:4566/000000000000/jobs.fifo?scheme=http&region=us-east-1&group=g"));
    CHECK(local.queue_url == "http://127.0.0.1:4566/000000000000/jobs.fifo");
    CHECK(local.region == "us-east-1");
    CHECK(local.message_group == "g");
    CHECK_THROWS_AS(mlpipe::aws::sqs_options_from_uri(mlpipe::parse_storage_uri(
                        "sqs://sqs.eu-west-1.amazonaws.com/1/q?visibility=3")),
                    mlpipe::configuration_error);
    CHECK_THROWS_AS(mlpipe::aws::sqs_options_from_uri(
                        mlpipe::parse_storage_uri("sqs://sqs.eu-west-1.amazonaws.com/")),
                    mlpipe::configuration_error);
    CHECK_THROWS_AS(mlpipe::aws::sqs_options_from_uri(mlpipe::parse_storage_uri(
                        "sqs://sqs.eu-west-1.amazonaws.com/1/q?scheme=ftp")),
                    mlpipe::configuration_error);
}

// SPDX-License-Identifier: Apache-2.0
// sqs_message_queue against fauxqs (AWS JSON 1.0) on loopback: the message_queue conformance suite
// on a standard and a FIFO queue, batches, FIFO deduplication, errors.
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

}  // namespace

using mlpipe_message_queue_fixtures = std::tuple<sqs_fixture<false>, sqs_fixture<true>>;
#define MLPIPE_CONFORMANCE_PRECONDITION MLPIPE_REQUIRE_SERVER("FAUXQS")
#include "message_queue_conformance.hpp"

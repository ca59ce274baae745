// SPDX-License-Identifier: Apache-2.0
// The message_queue conformance suite: every backend (memory, SQLite, SQS later) must pass it.
//
// Before including this header, define the type list `mlpipe_message_queue_fixtures`, a std::tuple
// of fixture types. A fixture is default-constructible and has `queue()` returning a reference to a
// fresh, empty queue satisfying mlpipe::message_queue, configured with max_receives = 3 and a
// deduplication window of at least a minute. No test asserts timing: waits are generous upper
// bounds, and short visibility timeouts are only ever waited out.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

// A statement run first in every test, e.g. to skip when a backend's server is not running.
#ifndef MLPIPE_CONFORMANCE_PRECONDITION
#define MLPIPE_CONFORMANCE_PRECONDITION static_cast<void>(0)
#endif

#include <mlpipe/error.hpp>
#include <mlpipe/storage/message_queue.hpp>

namespace mlpipe::test {
using namespace std::chrono_literals;
/// What a fixture's queue guarantees beyond the common core. A fixture opts out by declaring the
/// flag false, e.g. `static constexpr bool deduplicates = false;` (SQS standard queues):
///   detects_stale_receipts: ack/extend/release with a receipt from an earlier receive return false
///   deduplicates: a repeated deduplication id enqueues nothing
///   acks_after_zero_extend: a receipt whose lease was ended by extend(receipt, 0) can still ack
#define MLPIPE_QUEUE_CAPABILITY(flag)          \
    template <class F>                         \
    constexpr bool flag = [] {                 \
        if constexpr (requires { F::flag; }) { \
            return static_cast<bool>(F::flag); \
        } else {                               \
            return true;                       \
        }                                      \
    }();
MLPIPE_QUEUE_CAPABILITY(detects_stale_receipts)
MLPIPE_QUEUE_CAPABILITY(deduplicates)
MLPIPE_QUEUE_CAPABILITY(acks_after_zero_extend)
#undef MLPIPE_QUEUE_CAPABILITY

inline mlpipe::receive_options receive_now(std::size_t n = 1,
                                           std::chrono::milliseconds visibility = 60s) {
    return mlpipe::receive_options{n, 0ms, visibility};
}
}  // namespace mlpipe::test

TEMPLATE_LIST_TEST_CASE("a message is received once, leased, and gone after its ack",
                        "[storage][message_queue][conformance]", mlpipe_message_queue_fixtures) {
    using namespace std::chrono_literals;
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& q = fixture.queue();
    STATIC_REQUIRE(mlpipe::message_queue<std::remove_reference_t<decltype(q)>>);
    CHECK(q.receive(mlpipe::test::receive_now()).empty());
    const std::string body("train \0 iris", 12);
    const auto id = q.send(body);
    CHECK_FALSE(id.empty());
    auto got = q.receive(mlpipe::test::receive_now());
    REQUIRE(got.size() == 1);
    CHECK(got[0].id == id);
    CHECK(got[0].body == body);
    CHECK(got[0].receive_count == 1);
    CHECK_FALSE(got[0].receipt.empty());
    // While leased, nobody else receives it.
    CHECK(q.receive(mlpipe::test::receive_now()).empty());
    CHECK(q.stats().in_flight == 1);
    CHECK(q.stats().visible == 0);
    CHECK(q.ack(got[0].receipt));
    if constexpr (mlpipe::test::detects_stale_receipts<TestType>) {
        CHECK_FALSE(q.ack(got[0].receipt));  // already gone
    }
    const auto s = q.stats();
    CHECK(s.visible + s.in_flight + s.dead == 0);
}

TEMPLATE_LIST_TEST_CASE("receive returns up to max_messages, oldest first",
                        "[storage][message_queue][conformance]", mlpipe_message_queue_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& q = fixture.queue();
    for (int i = 0; i < 5; ++i)
        q.send("m" + std::to_string(i));
    CHECK(q.stats().visible == 5);
    auto first = q.receive(mlpipe::test::receive_now(3));
    REQUIRE(first.size() == 3);
    CHECK(first[0].body == "m0");
    CHECK(first[1].body == "m1");
    CHECK(first[2].body == "m2");
    auto rest = q.receive(mlpipe::test::receive_now(10));
    REQUIRE(rest.size() == 2);
    CHECK(rest[0].body == "m3");
    CHECK(q.stats().in_flight == 5);
    for (const auto& m : first)
        CHECK(q.ack(m.receipt));
    for (const auto& m : rest)
        CHECK(q.ack(m.receipt));
    CHECK(q.stats().in_flight == 0);
}

TEMPLATE_LIST_TEST_CASE("release makes a message visible again and retires its receipt",
                        "[storage][message_queue][conformance]", mlpipe_message_queue_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& q = fixture.queue();
    q.send("job");
    const auto first = q.receive(mlpipe::test::receive_now());
    REQUIRE(first.size() == 1);
    CHECK(q.release(first[0].receipt));
    const auto second = q.receive(mlpipe::test::receive_now());
    REQUIRE(second.size() == 1);
    CHECK(second[0].id == first[0].id);
    CHECK(second[0].receive_count == 2);
    CHECK(second[0].receipt != first[0].receipt);
    if constexpr (mlpipe::test::detects_stale_receipts<TestType>) {
        CHECK_FALSE(q.ack(first[0].receipt));  // a stale lease
        CHECK_FALSE(q.extend(first[0].receipt, std::chrono::seconds(1)));
        CHECK_FALSE(q.release(first[0].receipt));
    }
    CHECK(q.ack(second[0].receipt));
}

TEMPLATE_LIST_TEST_CASE("a message whose lease runs out is delivered again",
                        "[storage][message_queue][conformance]", mlpipe_message_queue_fixtures) {
    using namespace std::chrono_literals;
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& q = fixture.queue();
    q.send("slow job");
    const auto first = q.receive(mlpipe::test::receive_now(1, 50ms));
    REQUIRE(first.size() == 1);
    // Long poll until the lease ends (a generous bound, not a timing assertion).
    const auto again = q.receive(mlpipe::receive_options{1, 20s, 60s});
    REQUIRE(again.size() == 1);
    CHECK(again[0].id == first[0].id);
    CHECK(again[0].receive_count == 2);
    if constexpr (mlpipe::test::detects_stale_receipts<TestType>) {
        CHECK_FALSE(q.ack(first[0].receipt));
    }
    CHECK(q.ack(again[0].receipt));
}

TEMPLATE_LIST_TEST_CASE("extend keeps a lease alive and an expired, unclaimed lease can still ack",
                        "[storage][message_queue][conformance]", mlpipe_message_queue_fixtures) {
    using namespace std::chrono_literals;
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& q = fixture.queue();
    q.send("long training");
    const auto got = q.receive(mlpipe::test::receive_now(1, 100ms));
    REQUIRE(got.size() == 1);
    CHECK(q.extend(got[0].receipt, 10min));
    CHECK(q.receive(mlpipe::receive_options{1, 300ms, 60s}).empty());
    CHECK(q.stats().in_flight == 1);
    if constexpr (mlpipe::test::acks_after_zero_extend<TestType>) {
        CHECK(q.extend(got[0].receipt, 0ms));  // lease over now, but nobody has taken it
        CHECK(q.ack(got[0].receipt));
        CHECK(q.receive(mlpipe::test::receive_now()).empty());
    }
}

TEMPLATE_LIST_TEST_CASE("a message received max_receives times is dead-lettered",
                        "[storage][message_queue][conformance]", mlpipe_message_queue_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& q = fixture.queue();
    q.send("poison");
    q.send("fine");
    for (std::uint32_t round = 1; round <= 3; ++round) {
        auto got = q.receive(mlpipe::test::receive_now(10));
        REQUIRE_FALSE(got.empty());
        CHECK(got[0].body == "poison");
        CHECK(got[0].receive_count == round);
        CHECK(q.release(got[0].receipt));
        if (got.size() > 1) CHECK(q.ack(got[1].receipt));
    }
    CHECK(q.receive(mlpipe::test::receive_now(10)).empty());
    const auto stats = q.stats();
    CHECK(stats.dead == 1);
    CHECK(stats.visible == 0);
    const auto dead = q.dead_letters(10);
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].body == "poison");
    CHECK(dead[0].receive_count == 3);
    // Where the queue can delete a dead letter, it deletes that one only, once (any_message_queue
    // answers std::optional<bool>: nullopt over a queue that cannot, such as SQS).
    if constexpr (requires { q.remove_dead_letter(dead[0].id); }) {
        bool can = true;
        if constexpr (std::is_same_v<decltype(q.remove_dead_letter(dead[0].id)),
                                     std::optional<bool>>)
            can = q.remove_dead_letter("not-an-id").has_value();
        if (can) {
            CHECK(q.remove_dead_letter("not-an-id") == false);
            CHECK(q.remove_dead_letter(dead[0].id) == true);
            CHECK(q.remove_dead_letter(dead[0].id) == false);
            CHECK(q.stats().dead == 0);
            CHECK(q.dead_letters(10).empty());
        }
    }
}

TEMPLATE_LIST_TEST_CASE("a repeated deduplication id enqueues nothing",
                        "[storage][message_queue][conformance]", mlpipe_message_queue_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    if constexpr (!mlpipe::test::deduplicates<TestType>) return;
    TestType fixture;
    auto& q = fixture.queue();
    const auto a = q.send("request 7", "req-7");
    const auto b = q.send("request 7 again", "req-7");
    const auto c = q.send("request 8", "req-8");
    CHECK(a == b);
    CHECK(a != c);
    CHECK(q.stats().visible == 2);
    const auto got = q.receive(mlpipe::test::receive_now(10));
    REQUIRE(got.size() == 2);
    CHECK(got[0].body == "request 7");
    CHECK(q.send("request 7, later", "req-7") == a);  // still deduplicated while in flight
    CHECK(q.stats().visible == 0);
}

TEMPLATE_LIST_TEST_CASE("a long poll is woken by a send", "[storage][message_queue][conformance]",
                        mlpipe_message_queue_fixtures) {
    using namespace std::chrono_literals;
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& q = fixture.queue();
    std::vector<mlpipe::queue_message> got;
    std::thread consumer([&] { got = q.receive(mlpipe::receive_options{1, 20s, 60s}); });
    std::this_thread::sleep_for(30ms);
    q.send("wake up");
    consumer.join();
    REQUIRE(got.size() == 1);
    CHECK(got[0].body == "wake up");
}

TEMPLATE_LIST_TEST_CASE("concurrent consumers ack every message exactly once",
                        "[storage][message_queue][conformance][concurrency]",
                        mlpipe_message_queue_fixtures) {
    using namespace std::chrono_literals;
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& q = fixture.queue();
    constexpr int messages = 200;
    std::thread producer([&] {
        for (int i = 0; i < messages; ++i)
            q.send(std::to_string(i));
    });
    std::mutex mutex;
    std::multiset<std::string> acked;
    std::atomic<int> remaining{messages};
    std::vector<std::thread> consumers;
    for (int c = 0; c < 3; ++c) {
        consumers.emplace_back([&] {
            while (remaining.load() > 0) {
                for (const auto& m : q.receive(mlpipe::receive_options{4, 100ms, 60s})) {
                    if (q.ack(m.receipt)) {
                        std::lock_guard lock(mutex);
                        acked.insert(m.body);
                        --remaining;
                    }
                }
            }
        });
    }
    producer.join();
    for (auto& th : consumers)
        th.join();
    CHECK(acked.size() == static_cast<std::size_t>(messages));
    for (int i = 0; i < messages; ++i)
        CHECK(acked.count(std::to_string(i)) == 1);
    const auto s = q.stats();
    CHECK(s.visible + s.in_flight == 0);
}

TEMPLATE_LIST_TEST_CASE("a malformed receipt is refused", "[storage][message_queue][conformance]",
                        mlpipe_message_queue_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& q = fixture.queue();
    CHECK_THROWS_AS(q.ack("not a receipt"), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(q.release(""), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(q.extend("12:x", std::chrono::seconds(1)), mlpipe::invalid_input_error);
}

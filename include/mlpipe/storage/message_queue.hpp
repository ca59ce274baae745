// SPDX-License-Identifier: Apache-2.0
/// @file storage/message_queue.hpp The `message_queue` concept: at-least-once delivery with leases
/// (visibility timeouts), designed against Amazon SQS's semantics.
///
/// The life of a message: `send` makes it visible. `receive` leases it to one consumer for the
/// visibility timeout and counts the receive; while leased it is "in flight" and no other receive
/// returns it. The consumer then either `ack`s it (gone for good), `release`s it (visible again at
/// once), or `extend`s the lease (a heartbeat during long work). When a lease runs out the message
/// becomes visible again and will be redelivered. A message that was received `max_receives` times
/// and comes back once more is moved to the dead letters instead of being delivered (SQS's
/// redrive policy with maxReceiveCount).
///
/// Delivery is **at least once**: a consumer that dies, stalls past its lease or loses an ack
/// gets its message redelivered, so everything downstream must be idempotent (the registry's
/// publish is, by request id). Order is best effort (oldest first), as in an SQS standard queue.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlpipe {

/// A received message.
struct queue_message {
    std::string id;       ///< the queue's id for the message, stable across redeliveries
    std::string body;     ///< the bytes that were sent
    std::string receipt;  ///< names this lease: pass it to ack, extend and release
    std::uint32_t receive_count = 0;  ///< 1 on the first delivery, 2 on the second, ...
    std::chrono::system_clock::time_point sent_at{};  ///< when it was sent
};

/// What `receive` asks for.
struct receive_options {
    /// At most this many messages (1..10, as SQS); larger values are clamped to 10.
    std::size_t max_messages = 1;
    /// Long polling: how long to wait for a first message when none is visible (0: answer at
    /// once). SQS allows up to 20 s; the embedded queues clamp to [0, max_receive_wait].
    std::chrono::milliseconds wait{0};
    /// The lease: how long the messages stay invisible to other consumers. SQS rounds up to
    /// whole seconds; every backend clamps to [0, max_visibility] (SQS's 12 h).
    std::chrono::milliseconds visibility{std::chrono::seconds(30)};
};

/// Largest batch one receive returns.
inline constexpr std::size_t max_receive_batch = 10;
/// Longest lease (SQS's limit); longer visibility timeouts are clamped to it.
inline constexpr std::chrono::milliseconds max_visibility{std::chrono::hours(12)};
/// Longest long poll of the embedded queues (SQS's own limit is 20 s).
inline constexpr std::chrono::milliseconds max_receive_wait{std::chrono::hours(1)};

namespace detail {
/// `d` clamped to [0, limit].
[[nodiscard]] constexpr std::chrono::milliseconds clamp_duration(
    std::chrono::milliseconds d, std::chrono::milliseconds limit) noexcept {
    return d < std::chrono::milliseconds(0) ? std::chrono::milliseconds(0)
                                            : (d > limit ? limit : d);
}
}  // namespace detail

/// Counts of messages by state (approximate on SQS, exact on the embedded backends).
struct queue_stats {
    std::uint64_t visible = 0;    ///< waiting to be received (including expired leases)
    std::uint64_t in_flight = 0;  ///< leased to a consumer
    std::uint64_t dead = 0;       ///< dead-lettered
};

/// A queue of byte messages with leases and dead letters.
///
/// Required expressions, for `q` a `Queue&`, `body`, `dedup_id` and `receipt` `std::string_view`s,
/// `options` a `const receive_options&`, `d` a `std::chrono::milliseconds`, `n` a `std::size_t`:
///
/// - `q.send(body)` -> `std::string`: enqueues a message; returns its id
/// - `q.send(body, dedup_id)` -> `std::string`: as above, but a send whose non-empty `dedup_id` was
///   already seen within the queue's deduplication window enqueues nothing and returns the first
///   message's id
/// - `q.receive(options)` -> `std::vector<queue_message>`: leases up to `options.max_messages`
///   visible messages, waiting up to `options.wait` for the first; empty when none came; increments
///   each message's receive count
/// - `q.extend(receipt, d)` -> `bool`: the lease now ends `d` from now; false when the receipt no
///   longer names the message's latest lease (it was acked, dead-lettered or received again)
/// - `q.ack(receipt)` -> `bool`: deletes the message; false (and nothing deleted) when the receipt
///   no longer names the latest lease
/// - `q.release(receipt)` -> `bool`: makes the message visible again at once; false as for extend
/// - `q.stats()` -> `queue_stats`: counts of visible, in-flight and dead messages
/// - `q.dead_letters(n)` -> `std::vector<queue_message>`: up to `n` dead-lettered messages, oldest
///   first, left in place (their receipts are empty)
///
/// Optional: `q.remove_dead_letter(id)` -> `bool` deletes a dead letter where the backend can (the
/// memory and SQLite queues; any_message_queue says nullopt for the others).
///
/// A receipt stays valid after its lease ran out, as long as no one received the message again
/// (as on SQS, where the latest receipt handle can still delete the message). Operations throw
/// queue_error when the backend fails and invalid_input_error for a malformed receipt.
template <class Queue>
concept message_queue = requires(Queue& q, std::string_view text, const receive_options& options,
                                 std::chrono::milliseconds d, std::size_t n) {
    { q.send(text) } -> std::same_as<std::string>;
    { q.send(text, text) } -> std::same_as<std::string>;
    { q.receive(options) } -> std::same_as<std::vector<queue_message>>;
    { q.extend(text, d) } -> std::same_as<bool>;
    { q.ack(text) } -> std::same_as<bool>;
    { q.release(text) } -> std::same_as<bool>;
    { q.stats() } -> std::same_as<queue_stats>;
    { q.dead_letters(n) } -> std::same_as<std::vector<queue_message>>;
};

/// Settings shared by the embedded queues.
struct queue_options {
    /// Dead-letter a message that comes back after this many receives; 0 never dead-letters.
    std::uint32_t max_receives = 5;
    /// How long a deduplication id is remembered (SQS FIFO queues: 5 minutes).
    std::chrono::milliseconds dedup_window{std::chrono::minutes(5)};
};

namespace detail {
/// Splits a receipt "<id>:<receive count>" of the embedded queues; false when malformed.
inline bool parse_receipt(std::string_view receipt, std::uint64_t& id,
                          std::uint32_t& count) noexcept {
    const auto colon = receipt.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == receipt.size()) return false;
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    for (std::size_t i = 0; i < receipt.size(); ++i) {
        if (i == colon) continue;
        const char c = receipt[i];
        if (c < '0' || c > '9') return false;
        auto& v = i < colon ? a : b;
        if (v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (b > UINT32_MAX) return false;
    id = a;
    count = static_cast<std::uint32_t>(b);
    return true;
}
}  // namespace detail

}  // namespace mlpipe

// SPDX-License-Identifier: Apache-2.0
/// @file storage/memory_message_queue.hpp `memory_message_queue`: a message_queue in process
/// memory for tests and threads (nothing survives the process).
#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../error.hpp"
#include "message_queue.hpp"

namespace mlpipe {

/// A message_queue in memory (see message_queue.hpp for the semantics).
/// Long polling blocks on a condition variable, woken by a send, a release or the end of the
/// nearest lease; nothing spins.
/// Thread safety: every member may be called concurrently.
/// Complexity: send O(log n); receive O(n) in the worst case (it scans for visible messages in
/// send order); ack, extend, release O(log n).
class memory_message_queue {
  public:
    using clock = std::chrono::steady_clock;

    explicit memory_message_queue(queue_options options = {}) : options_(options) {}
    memory_message_queue(const memory_message_queue&) = delete;
    memory_message_queue& operator=(const memory_message_queue&) = delete;

    /// See message_queue.
    std::string send(std::string_view body) { return send(body, {}); }

    /// See message_queue.
    std::string send(std::string_view body, std::string_view dedup_id) {
        std::lock_guard lock(mutex_);
        const auto now = clock::now();
        if (!dedup_id.empty()) {
            prune_dedup(now);
            const auto it = dedup_.find(std::string(dedup_id));
            if (it != dedup_.end()) return std::to_string(it->second.id);
        }
        const std::uint64_t id = ++last_id_;
        auto& m = messages_[id];
        m.body.assign(body);
        m.sent_at = std::chrono::system_clock::now();
        m.visible_at = now;
        if (!dedup_id.empty()) dedup_.emplace(std::string(dedup_id), dedup_entry{id, now});
        changed_.notify_all();
        return std::to_string(id);
    }

    /// See message_queue.
    std::vector<queue_message> receive(const receive_options& options) {
        const std::size_t wanted =
            std::clamp<std::size_t>(options.max_messages, 1, max_receive_batch);
        const auto deadline = clock::now() + detail::clamp_duration(options.wait, max_receive_wait);
        std::unique_lock lock(mutex_);
        for (;;) {
            const auto now = clock::now();
            std::vector<queue_message> out;
            auto next_visible = clock::time_point::max();
            for (auto it = messages_.begin(); it != messages_.end() && out.size() < wanted;) {
                auto& m = it->second;
                if (m.visible_at > now) {
                    next_visible = std::min(next_visible, m.visible_at);
                    ++it;
                    continue;
                }
                if (options_.max_receives != 0 && m.receive_count >= options_.max_receives) {
                    dead_.emplace(it->first, std::move(m));
                    it = messages_.erase(it);
                    continue;
                }
                ++m.receive_count;
                m.visible_at = now + detail::clamp_duration(options.visibility, max_visibility);
                out.push_back(
                    queue_message{std::to_string(it->first), m.body,
                                  std::to_string(it->first) + ":" + std::to_string(m.receive_count),
                                  m.receive_count, m.sent_at});
                ++it;
            }
            if (!out.empty() || now >= deadline) return out;
            changed_.wait_until(lock, std::min(deadline, next_visible));
        }
    }

    /// See message_queue.
    bool extend(std::string_view receipt, std::chrono::milliseconds visibility) {
        std::lock_guard lock(mutex_);
        auto* m = leased(receipt);
        if (m == nullptr) return false;
        m->visible_at = clock::now() + detail::clamp_duration(visibility, max_visibility);
        changed_.notify_all();
        return true;
    }

    /// See message_queue.
    bool ack(std::string_view receipt) {
        std::lock_guard lock(mutex_);
        std::uint64_t id = 0;
        if (leased(receipt, &id) == nullptr) return false;
        messages_.erase(id);
        return true;
    }

    /// See message_queue.
    bool release(std::string_view receipt) {
        std::lock_guard lock(mutex_);
        auto* m = leased(receipt);
        if (m == nullptr) return false;
        m->visible_at = clock::now();
        changed_.notify_all();
        return true;
    }

    /// See message_queue.
    [[nodiscard]] queue_stats stats() const {
        std::lock_guard lock(mutex_);
        queue_stats s;
        const auto now = clock::now();
        for (const auto& [id, m] : messages_) {
            if (m.visible_at <= now) {
                ++s.visible;
            } else {
                ++s.in_flight;
            }
        }
        s.dead = dead_.size();
        return s;
    }

    /// See message_queue.
    [[nodiscard]] std::vector<queue_message> dead_letters(std::size_t max_messages) const {
        std::lock_guard lock(mutex_);
        std::vector<queue_message> out;
        for (auto it = dead_.begin(); it != dead_.end() && out.size() < max_messages; ++it) {
            out.push_back(queue_message{std::to_string(it->first),
                                        it->second.body,
                                        {},
                                        it->second.receive_count,
                                        it->second.sent_at});
        }
        return out;
    }

    /// Deletes the dead letter `message_id` (an id of dead_letters()).
    /// @returns whether it was a dead letter of this queue
    bool remove_dead_letter(std::string_view message_id) {
        std::uint64_t id = 0;
        const auto* end = message_id.data() + message_id.size();
        if (std::from_chars(message_id.data(), end, id).ptr != end || message_id.empty())
            return false;
        std::lock_guard lock(mutex_);
        return dead_.erase(id) == 1;
    }

  private:
    struct entry {
        std::string body;
        std::chrono::system_clock::time_point sent_at;
        clock::time_point visible_at;
        std::uint32_t receive_count = 0;
    };
    struct dedup_entry {
        std::uint64_t id;
        clock::time_point at;
    };

    entry* leased(std::string_view receipt, std::uint64_t* id_out = nullptr) {
        std::uint64_t id = 0;
        std::uint32_t count = 0;
        if (!detail::parse_receipt(receipt, id, count)) {
            throw invalid_input_error(
                "malformed receipt \"" + std::string(receipt.substr(0, 64)) + "\"",
                "pass the receipt of a message this queue returned", "receipt");
        }
        const auto it = messages_.find(id);
        if (it == messages_.end() || it->second.receive_count != count || count == 0)
            return nullptr;
        if (id_out != nullptr) *id_out = id;
        return &it->second;
    }

    void prune_dedup(clock::time_point now) {
        for (auto it = dedup_.begin(); it != dedup_.end();) {
            it = (now - it->second.at > options_.dedup_window) ? dedup_.erase(it) : std::next(it);
        }
    }

    queue_options options_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::uint64_t, entry> messages_;
    std::map<std::uint64_t, entry> dead_;
    std::unordered_map<std::string, dedup_entry> dedup_;
    std::uint64_t last_id_ = 0;
};

static_assert(message_queue<memory_message_queue>);

}  // namespace mlpipe

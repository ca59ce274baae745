// SPDX-License-Identifier: Apache-2.0
/// @file sqlite/sqlite_message_queue.hpp `sqlite_message_queue`: a durable message_queue in an
/// SQLite file that several processes may use at once.
///
/// Every state change is one SQLite transaction: WAL journal (readers never block the writer),
/// `BEGIN IMMEDIATE` for read-modify-write steps (two consumers never lease the same message), a
/// busy timeout instead of failing when another process holds the write lock. Several named queues
/// may share one file (`sqlite_queue_options::queue`).
///
/// Durability of each mode (`sqlite_durability`):
/// - `full` (PRAGMA synchronous FULL, an fsync at every commit): a send, receive or ack that
///   returned survives the process being killed, an OS crash and a power loss.
/// - `normal`, the default (PRAGMA synchronous NORMAL, an fsync at WAL checkpoints): it survives
///   the process being killed at any point; an OS crash or a power loss may roll back the last
///   commits (it never corrupts the file).
///
/// In both modes a consumer killed mid-lease loses nothing: its message reappears when the lease
/// ends. Delivery is at least once (see message_queue.hpp).
///
/// Long polling: a receive that finds nothing waits on a condition variable woken by sends and
/// releases of this object, and re-checks the file every `poll_interval` for other processes'
/// sends and for leases ending (a blocking wait, never a spin).
#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "../detail/clock.hpp"
#include "../error.hpp"
#include "../storage/message_queue.hpp"
#include "connection.hpp"

namespace mlpipe::sqlite {

/// How much a returned call is guaranteed to survive (see the table in the file comment).
enum class sqlite_durability {
    normal,  ///< WAL + synchronous=NORMAL: survives process crashes
    full     ///< WAL + synchronous=FULL: survives power loss
};

/// Options of sqlite_message_queue.
struct sqlite_queue_options : queue_options {
    /// The queue's name inside the file (several queues may share one file).
    std::string queue = "default";
    sqlite_durability durability = sqlite_durability::normal;
    /// How long to wait for another process's write lock before failing with queue_error.
    std::chrono::milliseconds busy_timeout{std::chrono::seconds(30)};
    /// How often a long poll re-checks the file for other processes' messages.
    std::chrono::milliseconds poll_interval{std::chrono::milliseconds(25)};
};

/// A durable message_queue in an SQLite file (see the file comment).
/// Open one object per process (never carry one across fork()); within a process the object may
/// be shared by any number of threads.
/// Thread safety: every member may be called concurrently (one connection behind a mutex; a long
/// poll releases it while it waits).
/// Complexity: each call is one or two small transactions on indexed tables.
class sqlite_message_queue {
  public:
    /// Opens (creating when needed) the queue `options.queue` in the file at `path`.
    /// @throws queue_error when the file cannot be opened or set up
    explicit sqlite_message_queue(const std::filesystem::path& path,
                                  sqlite_queue_options options = {})
        : options_(std::move(options)) {
        db_ = connection::open<queue_error>(
            path.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options_.busy_timeout);
        db_.exec<queue_error>("PRAGMA journal_mode=WAL");
        db_.exec<queue_error>(options_.durability == sqlite_durability::full
                                  ? "PRAGMA synchronous=FULL"
                                  : "PRAGMA synchronous=NORMAL");
        {
            immediate_transaction<queue_error> tx(db_);
            db_.exec<queue_error>(
                "CREATE TABLE IF NOT EXISTS mlpipe_queue ("
                " id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, body BLOB NOT NULL,"
                " sent_ms INTEGER NOT NULL, visible_ms INTEGER NOT NULL,"
                " receive_count INTEGER NOT NULL DEFAULT 0, dead INTEGER NOT NULL DEFAULT 0);"
                "CREATE INDEX IF NOT EXISTS mlpipe_queue_ready ON mlpipe_queue(queue, dead, "
                "visible_ms);"
                "CREATE TABLE IF NOT EXISTS mlpipe_queue_dedup ("
                " queue TEXT NOT NULL, dedup_id TEXT NOT NULL, message_id INTEGER NOT NULL,"
                " sent_ms INTEGER NOT NULL, PRIMARY KEY (queue, dedup_id)) WITHOUT ROWID;");
            tx.commit();
        }
        auto* db = db_.get();
        insert_ = statement(
            db,
            "INSERT INTO mlpipe_queue(queue, body, sent_ms, visible_ms) VALUES (?1, ?2, ?3, ?3)");
        dedup_prune_ =
            statement(db, "DELETE FROM mlpipe_queue_dedup WHERE queue = ?1 AND sent_ms < ?2");
        dedup_find_ = statement(
            db, "SELECT message_id FROM mlpipe_queue_dedup WHERE queue = ?1 AND dedup_id = ?2");
        dedup_add_ = statement(db,
                               "INSERT INTO mlpipe_queue_dedup(queue, dedup_id, message_id, "
                               "sent_ms) VALUES (?1, ?2, ?3, ?4)");
        peek_ =
            statement(db, "SELECT min(visible_ms) FROM mlpipe_queue WHERE queue = ?1 AND dead = 0");
        select_ready_ = statement(db,
                                  "SELECT id, receive_count FROM mlpipe_queue WHERE queue = ?1 AND "
                                  "dead = 0 AND visible_ms <= ?2 "
                                  "ORDER BY id LIMIT ?3");
        kill_ = statement(db, "UPDATE mlpipe_queue SET dead = 1 WHERE id = ?1");
        lease_ = statement(db,
                           "UPDATE mlpipe_queue SET receive_count = receive_count + 1, visible_ms "
                           "= ?2 WHERE id = ?1 "
                           "RETURNING body, sent_ms, receive_count");
        ack_ = statement(
            db, "DELETE FROM mlpipe_queue WHERE id = ?1 AND receive_count = ?2 AND dead = 0");
        move_ = statement(db,
                          "UPDATE mlpipe_queue SET visible_ms = ?3 WHERE id = ?1 AND receive_count "
                          "= ?2 AND dead = 0");
        stats_ = statement(db,
                           "SELECT coalesce(sum(dead = 0 AND visible_ms <= ?2), 0), "
                           "coalesce(sum(dead = 0 AND visible_ms > ?2), 0),"
                           " coalesce(sum(dead), 0) FROM mlpipe_queue WHERE queue = ?1");
        dead_ = statement(db,
                          "SELECT id, body, receive_count, sent_ms FROM mlpipe_queue WHERE queue = "
                          "?1 AND dead = 1 "
                          "ORDER BY id LIMIT ?2");
        drop_dead_ =
            statement(db, "DELETE FROM mlpipe_queue WHERE id = ?1 AND queue = ?2 AND dead = 1");
    }

    sqlite_message_queue(const sqlite_message_queue&) = delete;
    sqlite_message_queue& operator=(const sqlite_message_queue&) = delete;

    /// See message_queue.
    std::string send(std::string_view body) { return send(body, {}); }

    /// See message_queue. The deduplication ids live in the file: they hold across processes.
    std::string send(std::string_view body, std::string_view dedup_id) {
        std::unique_lock lock(mutex_);
        const std::int64_t now = now_ms();
        std::int64_t id = 0;
        if (dedup_id.empty()) {
            id = insert(body, now);
        } else {
            immediate_transaction<queue_error> tx(db_);
            run(dedup_prune_.reset()
                    .bind(1, std::string_view(options_.queue))
                    .bind(2, now - static_cast<std::int64_t>(options_.dedup_window.count())));
            dedup_find_.reset().bind(1, std::string_view(options_.queue)).bind(2, dedup_id);
            if (dedup_find_.step<queue_error>()) {
                id = dedup_find_.column_int64(0);
                dedup_find_.reset();
                tx.commit();
                return std::to_string(id);
            }
            dedup_find_.reset();
            id = insert(body, now);
            run(dedup_add_.reset()
                    .bind(1, std::string_view(options_.queue))
                    .bind(2, dedup_id)
                    .bind(3, id)
                    .bind(4, now));
            tx.commit();
        }
        lock.unlock();
        changed_.notify_all();
        return std::to_string(id);
    }

    /// See message_queue.
    std::vector<queue_message> receive(const receive_options& options) {
        const std::size_t wanted =
            std::clamp<std::size_t>(options.max_messages, 1, max_receive_batch);
        const auto deadline = std::chrono::steady_clock::now() +
                              mlpipe::detail::clamp_duration(options.wait, max_receive_wait);
        const auto visibility = mlpipe::detail::clamp_duration(options.visibility, max_visibility);
        std::unique_lock lock(mutex_);
        for (;;) {
            std::int64_t next_visible = 0;
            if (any_visible(next_visible)) {
                auto out = lease(wanted, visibility);
                if (!out.empty()) return out;
            }
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) return {};
            auto wake = std::min(deadline, now + options_.poll_interval);
            if (next_visible > 0) {
                const auto until_visible =
                    std::chrono::milliseconds(std::max<std::int64_t>(next_visible - now_ms(), 0));
                wake = std::min(wake, now + until_visible);
            }
            changed_.wait_until(lock, wake);
        }
    }

    /// See message_queue.
    bool extend(std::string_view receipt, std::chrono::milliseconds visibility) {
        std::lock_guard lock(mutex_);
        return move(receipt,
                    now_ms() + mlpipe::detail::clamp_duration(visibility, max_visibility).count());
    }

    /// See message_queue.
    bool ack(std::string_view receipt) {
        std::lock_guard lock(mutex_);
        const auto [id, count] = parse(receipt);
        run(ack_.reset().bind(1, id).bind(2, count));
        return sqlite3_changes(db_.get()) == 1;
    }

    /// See message_queue.
    bool release(std::string_view receipt) {
        bool moved = false;
        {
            std::lock_guard lock(mutex_);
            moved = move(receipt, now_ms());
        }
        if (moved) changed_.notify_all();
        return moved;
    }

    /// See message_queue.
    [[nodiscard]] queue_stats stats() {
        std::lock_guard lock(mutex_);
        stats_.reset().bind(1, std::string_view(options_.queue)).bind(2, now_ms());
        queue_stats s;
        if (stats_.step<queue_error>()) {
            s.visible = static_cast<std::uint64_t>(stats_.column_int64(0));
            s.in_flight = static_cast<std::uint64_t>(stats_.column_int64(1));
            s.dead = static_cast<std::uint64_t>(stats_.column_int64(2));
        }
        stats_.reset();
        return s;
    }

    /// See message_queue.
    [[nodiscard]] std::vector<queue_message> dead_letters(std::size_t max_messages) {
        std::lock_guard lock(mutex_);
        std::vector<queue_message> out;
        dead_.reset()
            .bind(1, std::string_view(options_.queue))
            .bind(2, static_cast<std::int64_t>(max_messages));
        while (dead_.step<queue_error>()) {
            out.push_back(queue_message{std::to_string(dead_.column_int64(0)),
                                        std::string(dead_.column_blob(1)),
                                        {},
                                        static_cast<std::uint32_t>(dead_.column_int64(2)),
                                        to_time_point(dead_.column_int64(3))});
        }
        dead_.reset();
        return out;
    }

    /// Deletes the dead letter `message_id` (an id of dead_letters()).
    /// @returns whether it was a dead letter of this queue
    bool remove_dead_letter(std::string_view message_id) {
        std::int64_t id = 0;
        const auto* end = message_id.data() + message_id.size();
        if (std::from_chars(message_id.data(), end, id).ptr != end || message_id.empty())
            return false;
        std::lock_guard lock(mutex_);
        run(drop_dead_.reset().bind(1, id).bind(2, std::string_view(options_.queue)));
        return sqlite3_changes(db_.get()) == 1;
    }

    /// The queue's options.
    [[nodiscard]] const sqlite_queue_options& options() const noexcept { return options_; }

  private:
    static std::int64_t now_ms() { return mlpipe::detail::unix_time_ms(); }
    static std::chrono::system_clock::time_point to_time_point(std::int64_t ms) {
        return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
    }

    static void run(statement& s) {
        while (s.step<queue_error>()) {
        }
        s.reset();
    }

    std::int64_t insert(std::string_view body, std::int64_t now) {
        run(insert_.reset()
                .bind(1, std::string_view(options_.queue))
                .bind_blob(2, body)
                .bind(3, now));
        return sqlite3_last_insert_rowid(db_.get());
    }

    static std::pair<std::int64_t, std::int64_t> parse(std::string_view receipt) {
        std::uint64_t id = 0;
        std::uint32_t count = 0;
        if (!mlpipe::detail::parse_receipt(receipt, id, count) || id > INT64_MAX) {
            throw invalid_input_error(
                "malformed receipt \"" + std::string(receipt.substr(0, 64)) + "\"",
                "pass the receipt of a message this queue returned", "receipt");
        }
        return {static_cast<std::int64_t>(id), static_cast<std::int64_t>(count)};
    }

    bool move(std::string_view receipt, std::int64_t visible_ms) {
        const auto [id, count] = parse(receipt);
        run(move_.reset().bind(1, id).bind(2, count).bind(3, visible_ms));
        return sqlite3_changes(db_.get()) == 1;
    }

    /// A read without the write lock: is anything visible now? Sets `next_visible` to the
    /// earliest visibility time of a live message (0 when there is none).
    bool any_visible(std::int64_t& next_visible) {
        peek_.reset().bind(1, std::string_view(options_.queue));
        next_visible = 0;
        if (peek_.step<queue_error>() && peek_.column_type(0) != SQLITE_NULL)
            next_visible = peek_.column_int64(0);
        peek_.reset();
        return next_visible != 0 && next_visible <= now_ms();
    }

    std::vector<queue_message> lease(std::size_t wanted, std::chrono::milliseconds visibility) {
        std::vector<queue_message> out;
        immediate_transaction<queue_error> tx(db_);
        const std::int64_t now = now_ms();
        std::vector<std::pair<std::int64_t, std::int64_t>> ready;
        while (out.size() < wanted) {
            ready.clear();
            select_ready_.reset()
                .bind(1, std::string_view(options_.queue))
                .bind(2, now)
                .bind(3, static_cast<std::int64_t>(wanted - out.size()));
            while (select_ready_.step<queue_error>()) {
                ready.emplace_back(select_ready_.column_int64(0), select_ready_.column_int64(1));
            }
            select_ready_.reset();
            if (ready.empty()) break;
            for (const auto& [id, count] : ready) {
                if (options_.max_receives != 0 &&
                    count >= static_cast<std::int64_t>(options_.max_receives)) {
                    run(kill_.reset().bind(1, id));
                    continue;
                }
                lease_.reset().bind(1, id).bind(
                    2, now + static_cast<std::int64_t>(visibility.count()));
                if (lease_.step<queue_error>()) {
                    const auto received = lease_.column_int64(2);
                    out.push_back(queue_message{std::to_string(id),
                                                std::string(lease_.column_blob(0)),
                                                std::to_string(id) + ":" + std::to_string(received),
                                                static_cast<std::uint32_t>(received),
                                                to_time_point(lease_.column_int64(1))});
                }
                run(lease_);
            }
        }
        tx.commit();
        return out;
    }

    sqlite_queue_options options_;
    connection db_;
    std::mutex mutex_;
    std::condition_variable changed_;
    statement insert_, dedup_prune_, dedup_find_, dedup_add_, peek_, select_ready_, kill_, lease_,
        ack_, move_, stats_, dead_, drop_dead_;
};

static_assert(message_queue<sqlite_message_queue>);

}  // namespace mlpipe::sqlite

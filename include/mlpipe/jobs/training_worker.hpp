// SPDX-License-Identifier: Apache-2.0
/// @file jobs/training_worker.hpp `training_worker` and `worker_pool`: the offline training fleet.
/// A worker pulls training requests from any message_queue, trains them against any data_source,
/// publishes to a model_registry on any blob_store, and acknowledges.
///
/// One request's life in a worker:
/// 1. receive one message with a lease (`worker_options::lease`);
/// 2. while it trains, a heartbeat thread extends the lease every `heartbeat`; if an extension
///    fails (the lease ran out and another worker received the message) the training is stopped
///    and nothing is acknowledged;
/// 3. publish (idempotent by request id: a redelivered request never creates a second version),
///    then acknowledge the message;
/// 4. on a failure the error is journaled and the message released (visible again after
///    `retry_delay`); the queue dead-letters it after its configured number of receives, so a
///    poison request stops circulating while healthy ones keep flowing.
///
/// Stopping: request_stop() (any thread), or SIGTERM / SIGINT once stop_on_signals() installed
/// the handlers. The current request is then released at once (the default) or finished first
/// (`stop_policy::finish`), and run() returns. With `idle_exit` set, run() also returns after that
/// long without a message (a cloud instance then terminates itself when the queue is empty).
/// Several workers, threads of one process (worker_pool) or separate processes, may share one
/// queue, data source and store.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <unistd.h>

#include "../detail/clock.hpp"
#include "../detail/host.hpp"
#include "../error.hpp"
#include "../log.hpp"
#include "../registry/model_registry.hpp"
#include "../storage/blob_store.hpp"
#include "../storage/data_source.hpp"
#include "../storage/message_queue.hpp"
#include "request_journal.hpp"
#include "trainer.hpp"
#include "training_request.hpp"

namespace mlpipe {

namespace detail {
inline volatile std::sig_atomic_t stop_signal = 0;
extern "C" inline void on_stop_signal(int signal_number) {
    stop_signal = signal_number;
}
}  // namespace detail

/// Installs handlers for SIGTERM and SIGINT that ask every worker of the process to stop (as
/// request_stop()). Call it once in a worker process's main(); the library never installs
/// handlers by itself.
inline void stop_on_signals() {
    struct sigaction action {};
    action.sa_handler = detail::on_stop_signal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
}

/// The signal that asked the process to stop (0: none).
[[nodiscard]] inline int stop_signal_received() noexcept {
    return detail::stop_signal;
}

/// What a worker does with its current request when asked to stop.
enum class stop_policy {
    release,  ///< stop training, make the message visible again at once, exit
    finish,   ///< finish (publish and acknowledge) the current request, then exit
};

/// What a worker reports to `worker_options::on_event`.
struct worker_event {
    enum class kind {
        received,   ///< a message was leased (attempt = its receive count)
        progress,   ///< training progress (see `progress`)
        published,  ///< published and acknowledged (outcome set)
        rejected,   ///< refused by the gate, acknowledged (outcome set)
        failed,     ///< failed: released for a retry or, past max receives, dead-lettered later
        cancelled,  ///< stopped (lease lost or stop requested): released / left to the lease
        idle,       ///< no message within the poll wait
        stopped,    ///< run() is returning (message says why)
    };
    kind type = kind::idle;
    std::string worker;
    std::string request_id;
    std::string model;
    std::string estimator;
    std::uint32_t attempt = 0;
    std::string message;                        ///< the error, the gate, or why the worker stopped
    const training_outcome* outcome = nullptr;  ///< published and rejected
    const progress* step = nullptr;             ///< progress
};

/// Options of a training worker.
struct worker_options {
    std::string name;  ///< names the worker in the journal and as publisher ("": host:pid)
    std::chrono::milliseconds lease{std::chrono::seconds(60)};  ///< visibility timeout
    std::chrono::milliseconds heartbeat{0};  ///< lease extension period (0: lease / 3)
    std::chrono::milliseconds poll_wait{std::chrono::seconds(1)};  ///< long poll of a receive
    /// Return from run() after this long without a message (none: wait forever).
    std::optional<std::chrono::milliseconds> idle_exit;
    /// Return from run() after this many requests handled (none: no limit).
    std::optional<std::uint64_t> max_requests;
    /// A failed request becomes visible again after this long (0: at once).
    std::chrono::milliseconds retry_delay{0};
    stop_policy on_stop = stop_policy::release;
    /// How often the worker journals that it is alive, while idle and while training (its state
    /// in the request journal's workers/, which `mlpipe status` and `train --wait` read). Each
    /// record is one store write.
    std::chrono::milliseconds journal_period{std::chrono::seconds(10)};
    std::function<void(const worker_event&)> on_event;  ///< called on the worker's thread
    std::string registry_prefix = "registry/";
    std::string journal_prefix = "jobs/";
};

/// What run() did.
struct worker_summary {
    std::uint64_t received = 0;
    std::uint64_t published = 0;
    std::uint64_t rejected = 0;
    std::uint64_t failed = 0;
    std::uint64_t cancelled = 0;
    std::string exit_reason;  ///< "idle", "stop requested", "signal 15", "max requests"
    worker_summary& operator+=(const worker_summary& o) {
        received += o.received;
        published += o.published;
        rejected += o.rejected;
        failed += o.failed;
        cancelled += o.cancelled;
        return *this;
    }
};

namespace detail {
[[nodiscard]] inline std::string error_type_of(const std::exception& e) {
    if (const auto* mlpipe_error = dynamic_cast<const error*>(&e))
        return std::string(to_string(mlpipe_error->kind()));
    return "internal";
}

/// Extends a lease every period on its own thread until stopped; remembers a lost lease.
template <class Queue>
class lease_keeper {
  public:
    lease_keeper(Queue& queue, std::string receipt, std::chrono::milliseconds lease,
                 std::chrono::milliseconds period)
        : thread_([this, &queue, receipt = std::move(receipt), lease, period] {
              std::unique_lock lock(mutex_);
              while (!done_) {
                  if (wake_.wait_for(lock, period, [this] { return done_; })) break;
                  lock.unlock();
                  bool kept = false;
                  try {
                      kept = queue.extend(receipt, lease);
                  } catch (const std::exception& e) {
                      log_message(log_level::warn, "worker",
                                  std::string("lease extension failed: ") + e.what());
                      kept = true;  // a transient failure: the next beat retries
                  }
                  lock.lock();
                  if (!kept) {
                      lost_ = true;
                      break;
                  }
              }
          }) {}
    lease_keeper(const lease_keeper&) = delete;
    lease_keeper& operator=(const lease_keeper&) = delete;
    ~lease_keeper() { stop(); }

    void stop() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }
    [[nodiscard]] bool lost() const {
        std::lock_guard lock(mutex_);
        return lost_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    bool lost_ = false;
    std::thread thread_;
};
}  // namespace detail

/// A training worker (see the file comment).
/// The queue, source and store must outlive it. Thread safety: run() on one thread;
/// request_stop() from any thread. Several workers may share the queue, source and store.
template <message_queue Queue, data_source Source, blob_store Store>
class training_worker {
  public:
    training_worker(Queue& queue, Source& source, Store& store, worker_options options = {})
        : queue_(&queue),
          source_(&source),
          registry_(store, registry_options{options.registry_prefix}),
          journal_(store, options.journal_prefix),
          options_(std::move(options)) {
        if (options_.name.empty()) options_.name = detail::process_name();
        if (options_.heartbeat.count() <= 0)
            options_.heartbeat = std::max(options_.lease / 3, std::chrono::milliseconds(1));
    }

    /// Works until asked to stop, idle for `idle_exit`, or `max_requests` are handled.
    /// @returns what it did and why it stopped
    /// @throws queue_error / storage_error only when the queue itself fails to receive (a failing
    ///         request never escapes: it is journaled and retried)
    worker_summary run() {
        worker_summary summary;
        auto last_message = std::chrono::steady_clock::now();
        record_worker("idle");
        for (;;) {
            if (const auto why = stop_reason()) {
                summary.exit_reason = *why;
                break;
            }
            if (options_.max_requests && summary.received >= *options_.max_requests) {
                summary.exit_reason = "max requests";
                break;
            }
            if (handle_one(summary)) {
                last_message = std::chrono::steady_clock::now();
                continue;
            }
            if (options_.idle_exit &&
                std::chrono::steady_clock::now() - last_message >= *options_.idle_exit) {
                summary.exit_reason = "idle";
                break;
            }
        }
        record_worker("stopped");
        worker_event e;
        e.type = worker_event::kind::stopped;
        e.message = summary.exit_reason;
        emit(e);
        return summary;
    }

    /// Receives and handles at most one message (waiting up to poll_wait); true when one came.
    bool handle_one(worker_summary& summary) {
        receive_options one_message;
        one_message.max_messages = 1;
        one_message.wait = options_.poll_wait;
        one_message.visibility = options_.lease;
        auto messages = queue_->receive(one_message);
        if (messages.empty()) {
            record_worker("idle", {}, false);
            worker_event e;
            e.type = worker_event::kind::idle;
            emit(e);
            return false;
        }
        ++summary.received;
        process(messages.front(), summary);
        return true;
    }

    /// Asks run() to return; the current request is released or finished as options say.
    void request_stop() noexcept { stop_requested_.store(true); }

    [[nodiscard]] const worker_options& options() const noexcept { return options_; }

  private:
    std::optional<std::string> stop_reason() const {
        if (stop_requested_.load()) return std::string("stop requested");
        if (const int s = stop_signal_received()) return "signal " + std::to_string(s);
        return std::nullopt;
    }

    void emit(worker_event& e) {
        e.worker = options_.name;
        if (options_.on_event) options_.on_event(e);
    }

    /// Journals the worker's state: always when `force`, else at most every journal_period (each
    /// record is a store write, an fsync on a synchronous file store). Called from the progress
    /// callback too, which a fit may call from its own threads.
    void record_worker(std::string_view state, std::string_view request_id = {},
                       bool force = true) {
        std::lock_guard lock(record_mutex_);
        const auto now = std::chrono::steady_clock::now();
        if (!force && now - last_record_ < options_.journal_period) return;
        last_record_ = now;
        try {
            journal_.record_worker(options_.name, state, request_id);
        } catch (const std::exception& e) {
            log_message(log_level::warn, "worker",
                        std::string("journal write failed: ") + e.what());
        }
    }

    void record(request_attempt a) {
        a.worker = options_.name;
        a.finished_at = detail::utc_now_iso8601();
        try {
            journal_.record_attempt(a);
        } catch (const std::exception& e) {
            log_message(log_level::warn, "worker",
                        std::string("journal write failed: ") + e.what());
        }
    }

    void process(const queue_message& message, worker_summary& summary) {
        request_attempt attempt;
        attempt.request_id = "message:" + message.id;  // until the body is parsed
        attempt.attempt = message.receive_count;
        attempt.started_at = detail::utc_now_iso8601();
        worker_event e;
        e.attempt = message.receive_count;
        std::optional<training_request> request;
        detail::lease_keeper<Queue> keeper(*queue_, message.receipt, options_.lease,
                                           options_.heartbeat);
        try {
            request = parse_training_request(message.body);
            attempt.request_id = request->request_id;
            e.request_id = request->request_id;
            e.model = request->model;
            e.estimator = request->estimator;
            e.type = worker_event::kind::received;
            emit(e);
            record_worker("training", request->request_id, false);

            trainer_options training;
            training.actor = options_.name;
            training.on_progress = [&](const progress& p) {
                worker_event step = e;
                step.type = worker_event::kind::progress;
                step.step = &p;
                emit(step);
                record_worker("training", request->request_id, false);
                if (keeper.lost()) return false;
                return !(options_.on_stop == stop_policy::release && stop_reason());
            };
            const training_outcome outcome = train(*request, *source_, registry_, training);
            keeper.stop();
            if (keeper.lost()) {
                // Another worker holds the message now; it will find the published version.
                throw training_cancelled(
                    "the lease was lost while training (another worker now holds the request)");
            }
            (void)queue_->ack(message.receipt);
            const bool published = outcome.status == training_status::published;
            (published ? summary.published : summary.rejected)++;
            attempt.status = std::string(to_string(outcome.status));
            attempt.outcome = to_json(outcome);
            record(attempt);
            e.type = published ? worker_event::kind::published : worker_event::kind::rejected;
            e.outcome = &outcome;
            e.message = outcome.gate;
            emit(e);
        } catch (const std::exception& ex) {
            keeper.stop();
            const auto* mlpipe_error = dynamic_cast<const error*>(&ex);
            const bool cancelled =
                mlpipe_error != nullptr && mlpipe_error->kind() == error_kind::cancelled;
            (cancelled ? summary.cancelled : summary.failed)++;
            attempt.status = cancelled ? "cancelled" : "failed";
            attempt.error_type = detail::error_type_of(ex);
            attempt.error = ex.what();
            record(attempt);
            // Give the message back: at once when cancelled, after retry_delay when failed. A
            // lost lease is not ours to give back.
            try {
                if (!keeper.lost()) {
                    if (cancelled || options_.retry_delay.count() == 0) {
                        (void)queue_->release(message.receipt);
                    } else {
                        (void)queue_->extend(message.receipt, options_.retry_delay);
                    }
                }
            } catch (const std::exception& q) {
                log_message(log_level::warn, "worker",
                            std::string("could not release a message: ") + q.what());
            }
            e.type = cancelled ? worker_event::kind::cancelled : worker_event::kind::failed;
            e.message = ex.what();
            emit(e);
        }
        record_worker("idle", {}, false);
    }

    Queue* queue_;
    Source* source_;
    model_registry<Store> registry_;
    request_journal<Store> journal_;
    worker_options options_;
    std::atomic<bool> stop_requested_{false};
    std::mutex record_mutex_;
    std::chrono::steady_clock::time_point last_record_{};
};

/// N training workers on threads of this process, sharing one queue, data source and store.
/// Thread safety: run() on one thread; request_stop() from any thread.
template <message_queue Queue, data_source Source, blob_store Store>
class worker_pool {
  public:
    /// @param workers number of worker threads (>= 1)
    /// @param options each worker's options; names get "#<i>" appended
    worker_pool(Queue& queue, Source& source, Store& store, unsigned workers,
                worker_options options = {}) {
        if (workers == 0) {
            throw invalid_input_error("a worker pool needs at least one worker",
                                      "pass workers >= 1", "workers");
        }
        if (options.name.empty()) options.name = detail::process_name();
        for (unsigned i = 0; i < workers; ++i) {
            worker_options o = options;
            o.name = options.name + "#" + std::to_string(i + 1);
            workers_.push_back(std::make_unique<training_worker<Queue, Source, Store>>(
                queue, source, store, std::move(o)));
        }
    }

    /// Runs every worker on its own thread until each returns; their summaries added up.
    /// @throws the first exception a worker's run() threw (after every thread has ended)
    worker_summary run() {
        std::vector<worker_summary> results(workers_.size());
        std::vector<std::exception_ptr> errors(workers_.size());
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < workers_.size(); ++i) {
            threads.emplace_back([&, i] {
                try {
                    results[i] = workers_[i]->run();
                } catch (...) {
                    errors[i] = std::current_exception();
                    request_stop();
                }
            });
        }
        for (auto& t : threads)
            t.join();
        for (const auto& e : errors)
            if (e) std::rethrow_exception(e);
        worker_summary total;
        for (const auto& r : results)
            total += r;
        total.exit_reason = results.empty() ? "" : results.front().exit_reason;
        return total;
    }

    void request_stop() noexcept {
        for (auto& w : workers_)
            w->request_stop();
    }

    [[nodiscard]] std::size_t size() const noexcept { return workers_.size(); }

  private:
    std::vector<std::unique_ptr<training_worker<Queue, Source, Store>>> workers_;
};

}  // namespace mlpipe

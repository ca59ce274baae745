// SPDX-License-Identifier: Apache-2.0
/// @file detail/thread_pool.hpp A small thread pool with blocking waits and an index-range
/// parallel_for whose results never depend on the thread count.
///
/// Why blocking waits: on a shared machine (2 vCPUs, other processes busy) threads that spin while
/// waiting for a peer burn the very core that peer needs; an OpenMP-based library ran 10-20x slower
/// with 2 threads than with 1 that way. Here idle workers sleep on a condition variable, and the
/// caller sleeps until the last worker leaves a batch.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace mlpipe::detail {

/// The thread count a `threads` option means: 0 is one per hardware thread (at least 1).
[[nodiscard]] inline unsigned resolve_threads(unsigned threads) noexcept {
    if (threads != 0) return threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

/// A fixed set of worker threads running parallel_for batches.
///
/// A pool of `threads` runs a batch on threads - 1 workers plus the calling thread; a pool of 1 has
/// no worker and runs everything inline. Each index of a batch runs exactly once, on some thread;
/// the body writes its result by index, so results do not depend on the thread count or on the
/// order the indices ran in.
///
/// Thread safety: parallel_for may be called from several threads; batches then run one after the
/// other. A body that calls parallel_for on the pool that runs it gets an inline loop (no
/// deadlock). Destruction must not overlap a call.
class thread_pool {
  public:
    /// Starts `threads` - 1 workers (0: one thread per hardware thread).
    /// Complexity: creates the threads; they sleep until work arrives.
    explicit thread_pool(unsigned threads = 1) : threads_(resolve_threads(threads)) {
        workers_.reserve(threads_ - 1);
        try {
            for (unsigned t = 1; t < threads_; ++t)
                workers_.emplace_back([this] { work(); });
        } catch (...) {
            stop_workers();
            throw;
        }
    }

    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    /// Wakes and joins the workers.
    ~thread_pool() { stop_workers(); }

    /// Threads that run a batch, the caller included.
    [[nodiscard]] unsigned threads() const noexcept { return threads_; }

    /// Calls body(i) once for every i in [0, count), spread over the pool's threads, and returns
    /// when all calls have returned.
    ///
    /// When calls throw, no new index starts, the running ones finish, and the exception of the
    /// lowest index that threw is rethrown here (on one thread: the first one, as a plain loop).
    /// Complexity: count calls of body, plus one lock per batch and one atomic increment per index.
    template <class Body>
    void parallel_for(std::size_t count, Body&& body) {
        if (count == 0) return;
        if (threads_ == 1 || count == 1 || running_here()) {
            for (std::size_t i = 0; i < count; ++i)
                body(i);
            return;
        }
        batch b;
        b.count = count;
        b.body = [&body](std::size_t i) { body(i); };
        std::lock_guard submit(submit_mutex_);
        {
            std::lock_guard lock(mutex_);
            current_ = &b;
            ++generation_;
        }
        work_ready_.notify_all();
        run(b);
        {
            std::unique_lock lock(mutex_);
            current_ = nullptr;  // late workers no longer join this batch
            batch_done_.wait(lock, [this] { return busy_ == 0; });
        }
        if (b.error) std::rethrow_exception(b.error);
    }

  private:
    struct batch {
        std::size_t count = 0;
        std::function<void(std::size_t)> body;
        std::atomic<std::size_t> next{0};
        std::atomic<bool> cancelled{false};
        std::mutex error_mutex;
        std::size_t error_index = std::numeric_limits<std::size_t>::max();
        std::exception_ptr error;
    };

    /// The pool whose batch the current thread is running, if any.
    static const thread_pool*& running_pool() noexcept {
        static thread_local const thread_pool* pool = nullptr;
        return pool;
    }
    [[nodiscard]] bool running_here() const noexcept { return running_pool() == this; }

    /// Claims and runs indices of `b` until none is left or the batch is cancelled.
    void run(batch& b) noexcept {
        const thread_pool* outer = std::exchange(running_pool(), this);
        while (!b.cancelled.load(std::memory_order_relaxed)) {
            const std::size_t i = b.next.fetch_add(1, std::memory_order_relaxed);
            if (i >= b.count) break;
            try {
                b.body(i);
            } catch (...) {
                std::lock_guard lock(b.error_mutex);
                if (i < b.error_index) {
                    b.error_index = i;
                    b.error = std::current_exception();
                }
                b.cancelled.store(true, std::memory_order_relaxed);
            }
        }
        running_pool() = outer;
    }

    void work() {
        std::unique_lock lock(mutex_);
        std::uint64_t seen = 0;
        for (;;) {
            work_ready_.wait(lock, [&] { return stopping_ || (current_ && generation_ != seen); });
            if (stopping_) return;
            seen = generation_;
            batch* b = current_;
            ++busy_;
            lock.unlock();
            run(*b);
            lock.lock();
            if (--busy_ == 0) batch_done_.notify_all();
        }
    }

    void stop_workers() noexcept {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        work_ready_.notify_all();
        for (auto& worker : workers_)
            if (worker.joinable()) worker.join();
        workers_.clear();
    }

    unsigned threads_;
    std::vector<std::thread> workers_;
    std::mutex submit_mutex_;  // one batch at a time
    std::mutex mutex_;         // guards current_, generation_, busy_, stopping_
    std::condition_variable work_ready_;
    std::condition_variable batch_done_;
    batch* current_ = nullptr;
    std::uint64_t generation_ = 0;
    unsigned busy_ = 0;
    bool stopping_ = false;
};

/// Runs body(i) for i in [0, count) on min(threads, count) threads (0: one per hardware thread),
/// with a pool made for the call. Same contract as thread_pool::parallel_for.
template <class Body>
void parallel_for(unsigned threads, std::size_t count, Body&& body) {
    const auto used = static_cast<unsigned>(std::min<std::size_t>(resolve_threads(threads), count));
    if (used <= 1) {
        for (std::size_t i = 0; i < count; ++i)
            body(i);
        return;
    }
    thread_pool pool(used);
    pool.parallel_for(count, std::forward<Body>(body));
}

}  // namespace mlpipe::detail

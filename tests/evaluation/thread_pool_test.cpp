// SPDX-License-Identifier: Apache-2.0
// Tests of detail/thread_pool.hpp: every index once, results by index whatever the thread count,
// the lowest failing index's exception, inline runs, concurrent and nested batches.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/detail/thread_pool.hpp>

using mlpipe::detail::thread_pool;

TEST_CASE("parallel_for runs every index exactly once", "[evaluation][thread_pool]") {
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
        thread_pool pool(threads);
        CHECK(pool.threads() == threads);
        for (std::size_t count :
             {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
            INFO("threads " << threads << ", count " << count);
            std::vector<std::atomic<int>> hits(count);
            pool.parallel_for(count, [&](std::size_t i) { hits[i].fetch_add(1); });
            for (std::size_t i = 0; i < count; ++i)
                REQUIRE(hits[i].load() == 1);
        }
    }
}

TEST_CASE("results written by index do not depend on the thread count",
          "[evaluation][thread_pool]") {
    const auto compute = [](unsigned threads) {
        std::vector<double> out(257);
        mlpipe::detail::parallel_for(threads, out.size(), [&](std::size_t i) {
            double x = static_cast<double>(i);
            for (int k = 0; k < 100; ++k)
                x = x * 0.5 + 1.0 / (1.0 + x);
            out[i] = x;
        });
        return out;
    };
    const auto one = compute(1);
    CHECK(compute(2) == one);
    CHECK(compute(4) == one);
    CHECK(compute(0) == one);  // 0: one per hardware thread
}

TEST_CASE("one thread runs the loop inline on the caller", "[evaluation][thread_pool]") {
    thread_pool pool(1);
    const auto caller = std::this_thread::get_id();
    std::vector<std::size_t> order;
    pool.parallel_for(5, [&](std::size_t i) {
        CHECK(std::this_thread::get_id() == caller);
        order.push_back(i);
    });
    CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4});
}

TEST_CASE("two threads run two bodies at the same time", "[evaluation][thread_pool]") {
    // Each of the first two indices waits for the other: a pool that ran them one after the other
    // would never see both arrive (the wait gives up after a minute rather than hang the suite).
    thread_pool pool(2);
    std::mutex mutex;
    std::condition_variable arrived;
    int count = 0;
    std::atomic<int> met{0};
    std::set<std::thread::id> ids;
    pool.parallel_for(2, [&](std::size_t) {
        std::unique_lock lock(mutex);
        ids.insert(std::this_thread::get_id());
        ++count;
        arrived.notify_all();
        if (arrived.wait_for(lock, std::chrono::minutes(1), [&] { return count == 2; })) ++met;
    });
    CHECK(met.load() == 2);
    CHECK(ids.size() == 2);
}

TEST_CASE("the exception of the lowest failing index reaches the caller",
          "[evaluation][thread_pool]") {
    for (unsigned threads : {1u, 2u, 4u}) {
        INFO("threads " << threads);
        thread_pool pool(threads);
        std::atomic<int> ran{0};
        try {
            pool.parallel_for(100, [&](std::size_t i) {
                ++ran;
                if (i == 13 || i == 40 || i == 77) throw std::runtime_error(std::to_string(i));
            });
            FAIL("no exception");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "13");
        }
        CHECK(ran.load() <= 100);
        // The pool still works after a failed batch.
        std::atomic<int> sum{0};
        pool.parallel_for(10, [&](std::size_t i) { sum += static_cast<int>(i); });
        CHECK(sum.load() == 45);
    }
}

TEST_CASE("many batches in a row and from several threads at once", "[evaluation][thread_pool]") {
    thread_pool pool(3);
    std::atomic<long> total{0};
    const auto submit = [&] {
        for (int batch = 0; batch < 50; ++batch)
            pool.parallel_for(20, [&](std::size_t i) { total += static_cast<long>(i); });
    };
    std::thread a(submit);
    std::thread b(submit);
    submit();
    a.join();
    b.join();
    CHECK(total.load() == 3L * 50L * 190L);
}

TEST_CASE("a body that calls parallel_for on its own pool runs it inline",
          "[evaluation][thread_pool]") {
    thread_pool pool(2);
    std::vector<std::atomic<int>> cells(4 * 5);
    pool.parallel_for(4, [&](std::size_t outer) {
        pool.parallel_for(5, [&](std::size_t inner) { cells[outer * 5 + inner].fetch_add(1); });
    });
    for (auto& c : cells)
        CHECK(c.load() == 1);
}

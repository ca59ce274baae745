// SPDX-License-Identifier: Apache-2.0
// The blob_store conformance suite: every backend (memory, file, S3 later) must pass it.
//
// Before including this header, define the type list `mlpipe_blob_store_fixtures`, a std::tuple
// of fixture types. A fixture is default-constructible and has `store()` returning a reference to
// a fresh, empty store that satisfies mlpipe::blob_store, e.g.
//   struct memory_fixture { mlpipe::memory_blob_store s; auto& store() { return s; } };
//   using mlpipe_blob_store_fixtures = std::tuple<memory_fixture>;
#pragma once

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

// A statement run first in every test, e.g. to skip when a backend's server is not running.
#ifndef MLPIPE_CONFORMANCE_PRECONDITION
#define MLPIPE_CONFORMANCE_PRECONDITION static_cast<void>(0)
#endif

#include <mlpipe/storage/blob_store.hpp>

namespace mlpipe::test {
/// Bytes that exercise binary safety: every byte value, NULs included.
inline std::string binary_bytes(std::size_t n, unsigned seed = 1) {
    std::string bytes(n, '\0');
    unsigned x = seed * 2654435761u + 1;
    for (auto& c : bytes) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    return bytes;
}
}  // namespace mlpipe::test

TEMPLATE_LIST_TEST_CASE("a blob store returns the bytes that were put, with an etag",
                        "[storage][blob_store][conformance]", mlpipe_blob_store_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& store = fixture.store();
    STATIC_REQUIRE(mlpipe::blob_store<std::remove_reference_t<decltype(store)>>);
    CHECK_FALSE(store.get("models/a").has_value());
    const std::string bytes = mlpipe::test::binary_bytes(70000);
    const std::string etag = store.put("models/a", bytes);
    CHECK_FALSE(etag.empty());
    const auto got = store.get("models/a");
    REQUIRE(got.has_value());
    CHECK(got->bytes == bytes);
    CHECK(got->etag == etag);
    // An empty blob is a blob.
    store.put("models/empty", "");
    REQUIRE(store.get("models/empty").has_value());
    CHECK(store.get("models/empty")->bytes.empty());
}

TEMPLATE_LIST_TEST_CASE("put replaces a blob and changes its etag",
                        "[storage][blob_store][conformance]", mlpipe_blob_store_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& store = fixture.store();
    const auto first = store.put("k", "one");
    const auto second = store.put("k", "two");
    CHECK(first != second);
    CHECK(store.get("k")->bytes == "two");
    CHECK(store.get("k")->etag == second);
}

TEMPLATE_LIST_TEST_CASE("put_if_absent creates a blob once and never overwrites",
                        "[storage][blob_store][conformance]", mlpipe_blob_store_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& store = fixture.store();
    const auto created = store.put_if_absent("v/1", "first");
    REQUIRE(created.has_value());
    CHECK(store.get("v/1")->etag == *created);
    CHECK_FALSE(store.put_if_absent("v/1", "second").has_value());
    CHECK(store.get("v/1")->bytes == "first");
    store.remove("v/1");
    CHECK(store.put_if_absent("v/1", "third").has_value());
    CHECK(store.get("v/1")->bytes == "third");
}

TEMPLATE_LIST_TEST_CASE("exactly one of many concurrent put_if_absent calls wins",
                        "[storage][blob_store][conformance][concurrency]",
                        mlpipe_blob_store_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& store = fixture.store();
    constexpr int threads = 6;
    constexpr int keys = 20;
    std::vector<std::vector<int>> won(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int k = 0; k < keys; ++k) {
                if (store.put_if_absent("race/" + std::to_string(k),
                                        "writer " + std::to_string(t))) {
                    won[static_cast<std::size_t>(t)].push_back(k);
                }
            }
        });
    }
    for (auto& th : pool)
        th.join();
    std::vector<int> winner(keys, -1);
    int wins = 0;
    for (int t = 0; t < threads; ++t) {
        for (const int k : won[static_cast<std::size_t>(t)]) {
            ++wins;
            winner[static_cast<std::size_t>(k)] = t;
        }
    }
    CHECK(wins == keys);
    for (int k = 0; k < keys; ++k) {
        REQUIRE(winner[static_cast<std::size_t>(k)] >= 0);
        CHECK(store.get("race/" + std::to_string(k))->bytes ==
              "writer " + std::to_string(winner[static_cast<std::size_t>(k)]));
    }
}

TEMPLATE_LIST_TEST_CASE("compare_and_swap replaces only the expected version",
                        "[storage][blob_store][conformance]", mlpipe_blob_store_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& store = fixture.store();
    CHECK_FALSE(store.compare_and_swap("alias", "no-such-etag", "x").has_value());
    CHECK_FALSE(store.get("alias").has_value());
    const auto v1 = store.put("alias", "1");
    const auto v2 = store.compare_and_swap("alias", v1, "2");
    REQUIRE(v2.has_value());
    CHECK(store.get("alias")->bytes == "2");
    CHECK(store.get("alias")->etag == *v2);
    CHECK_FALSE(store.compare_and_swap("alias", v1, "3").has_value());  // stale etag
    CHECK(store.get("alias")->bytes == "2");
}

TEMPLATE_LIST_TEST_CASE("concurrent compare-and-swap loops lose no update",
                        "[storage][blob_store][conformance][concurrency]",
                        mlpipe_blob_store_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& store = fixture.store();
    store.put("counter", "0");
    constexpr int threads = 4;
    constexpr int increments = 25;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (int i = 0; i < increments; ++i) {
                for (;;) {
                    const auto current = store.get("counter");
                    const int value = std::stoi(current->bytes);
                    if (store.compare_and_swap("counter", current->etag, std::to_string(value + 1)))
                        break;
                }
            }
        });
    }
    for (auto& th : pool)
        th.join();
    CHECK(store.get("counter")->bytes == std::to_string(threads * increments));
}

TEMPLATE_LIST_TEST_CASE("list returns keys by prefix in order, page by page",
                        "[storage][blob_store][conformance]", mlpipe_blob_store_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& store = fixture.store();
    for (int i = 9; i >= 0; --i)
        store.put("m/iris/" + std::to_string(i), "x");
    store.put("m/wine/0", "x");
    store.put("other", "x");
    const auto all = mlpipe::list_all(store, "");
    CHECK(all == std::vector<std::string>{"m/iris/0", "m/iris/1", "m/iris/2", "m/iris/3",
                                          "m/iris/4", "m/iris/5", "m/iris/6", "m/iris/7",
                                          "m/iris/8", "m/iris/9", "m/wine/0", "other"});
    std::vector<std::string> paged;
    std::string token;
    int pages = 0;
    do {
        auto page = store.list("m/iris/", token, 3);
        CHECK(page.keys.size() <= 3);
        paged.insert(paged.end(), page.keys.begin(), page.keys.end());
        token = page.next_token;
        ++pages;
    } while (!token.empty() && pages < 20);
    CHECK(pages == 4);
    REQUIRE(paged.size() == 10);
    CHECK(paged.front() == "m/iris/0");
    CHECK(paged.back() == "m/iris/9");
    CHECK(std::is_sorted(paged.begin(), paged.end()));
    CHECK(store.list("m/w", "", 10).keys == std::vector<std::string>{"m/wine/0"});
    CHECK(store.list("nothing/", "", 10).keys.empty());
    CHECK(store.list("nothing/", "", 10).next_token.empty());
    CHECK_THROWS_AS(store.list("m/", "", 0), mlpipe::invalid_input_error);
}

TEMPLATE_LIST_TEST_CASE("remove deletes a blob and ignores an absent one",
                        "[storage][blob_store][conformance]", mlpipe_blob_store_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& store = fixture.store();
    store.put("a/b", "x");
    store.remove("a/b");
    CHECK_FALSE(store.get("a/b").has_value());
    CHECK_NOTHROW(store.remove("a/b"));
    CHECK(mlpipe::list_all(store, "").empty());
}

TEMPLATE_LIST_TEST_CASE("invalid keys are refused with invalid_input_error",
                        "[storage][blob_store][conformance]", mlpipe_blob_store_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& store = fixture.store();
    const std::vector<std::string> bad = {"",
                                          "/etc/passwd",
                                          "../escape",
                                          "a/../../b",
                                          "a/./b",
                                          "..",
                                          "a//b",
                                          "a/",
                                          "a\\b",
                                          std::string("a\0b", 3),
                                          ".mlpipe/tmp/x",
                                          std::string(1025, 'k')};
    for (const auto& key : bad) {
        INFO("key of " << key.size() << " bytes");
        CHECK_THROWS_AS(store.put(key, "x"), mlpipe::invalid_input_error);
        CHECK_THROWS_AS(store.put_if_absent(key, "x"), mlpipe::invalid_input_error);
        CHECK_THROWS_AS(store.get(key), mlpipe::invalid_input_error);
        CHECK_THROWS_AS(store.compare_and_swap(key, "e", "x"), mlpipe::invalid_input_error);
        CHECK_THROWS_AS(store.remove(key), mlpipe::invalid_input_error);
    }
    CHECK_THROWS_AS(store.list("../", "", 10), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(store.list("/abs", "", 10), mlpipe::invalid_input_error);
    CHECK(mlpipe::list_all(store, "").empty());
}

TEMPLATE_LIST_TEST_CASE("concurrent readers never see partial bytes",
                        "[storage][blob_store][conformance][concurrency]",
                        mlpipe_blob_store_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& store = fixture.store();
    const std::string a(200000, 'a');
    const std::string b(300001, 'b');
    store.put("blob", a);
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::atomic<int> reads{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            while (!stop.load()) {
                const auto got = store.get("blob");
                if (!got || (got->bytes != a && got->bytes != b)) ++bad;
                ++reads;
            }
        });
    }
    for (int i = 0; i < 40; ++i)
        store.put("blob", i % 2 ? a : b);
    while (reads.load() < 10)
        std::this_thread::yield();
    stop = true;
    for (auto& th : readers)
        th.join();
    CHECK(bad.load() == 0);
    CHECK(reads.load() >= 10);
}

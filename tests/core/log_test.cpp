// SPDX-License-Identifier: Apache-2.0
// Tests of log.hpp: silent by default, hook and threshold, a throwing hook, concurrent use.
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/log.hpp>

namespace {
struct hook_guard {
    ~hook_guard() { mlpipe::set_log_hook({}); }
};
}  // namespace

TEST_CASE("the library is silent until a hook is installed", "[core][log]") {
    hook_guard guard;
    mlpipe::set_log_hook({});
    CHECK_FALSE(mlpipe::log_enabled(mlpipe::log_level::error));
    mlpipe::log_message(mlpipe::log_level::error, "test", "nobody hears this");  // must not crash
}

TEST_CASE("a hook receives records at or above its level", "[core][log]") {
    hook_guard guard;
    std::vector<std::string> seen;
    mlpipe::set_log_hook(
        [&](const mlpipe::log_record& r) {
            seen.push_back(std::string(mlpipe::to_string(r.level)) + " " +
                           std::string(r.component) + " " + std::string(r.message));
        },
        mlpipe::log_level::warn);
    CHECK(mlpipe::log_enabled(mlpipe::log_level::warn));
    CHECK_FALSE(mlpipe::log_enabled(mlpipe::log_level::info));
    mlpipe::log_message(mlpipe::log_level::info, "csv", "dropped");
    mlpipe::log_message(mlpipe::log_level::warn, "csv", "kept");
    mlpipe::log_message(mlpipe::log_level::error, "worker", "also kept");
    REQUIRE(seen.size() == 2);
    CHECK(seen[0] == "warn csv kept");
    CHECK(seen[1] == "error worker also kept");
}

TEST_CASE("set_log_hook returns the previous hook and an empty hook silences", "[core][log]") {
    hook_guard guard;
    int first = 0;
    mlpipe::set_log_hook([&](const mlpipe::log_record&) { ++first; }, mlpipe::log_level::trace);
    auto previous = mlpipe::set_log_hook({});
    REQUIRE(previous);
    mlpipe::log_message(mlpipe::log_level::error, "x", "silenced");
    CHECK(first == 0);
    previous(mlpipe::log_record{mlpipe::log_level::info, "x", "direct"});
    CHECK(first == 1);
}

TEST_CASE("a throwing hook does not escape the library", "[core][log]") {
    hook_guard guard;
    mlpipe::set_log_hook([](const mlpipe::log_record&) { throw std::runtime_error("sink broke"); });
    CHECK_NOTHROW(mlpipe::log_message(mlpipe::log_level::error, "x", "boom"));
}

TEST_CASE("records from many threads all reach the hook while it is replaced", "[core][log]") {
    hook_guard guard;
    std::atomic<int> count{0};
    mlpipe::set_log_hook([&](const mlpipe::log_record&) { ++count; }, mlpipe::log_level::info);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([] {
            for (int i = 0; i < 1000; ++i)
                mlpipe::log_message(mlpipe::log_level::info, "t", "m");
        });
    }
    for (int i = 0; i < 50; ++i) {
        mlpipe::set_log_hook([&](const mlpipe::log_record&) { ++count; }, mlpipe::log_level::info);
    }
    for (auto& t : threads)
        t.join();
    CHECK(count.load() == 4000);
}

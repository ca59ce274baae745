// SPDX-License-Identifier: Apache-2.0
// The registry under faults: publisher processes killed with SIGKILL at random points, and several
// processes publishing at once into one file store.
#include <cmath>
#include <csignal>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <mlpipe/registry.hpp>
#include <mlpipe/storage.hpp>

#include "test_support.hpp"

namespace {

std::string payload(int i) {
    // Sizes from 1 KiB to ~19 KiB, so that kills land inside writes too.
    std::string bytes(1024 + static_cast<std::size_t>(i % 7) * 3000, '\0');
    for (std::size_t k = 0; k < bytes.size(); ++k)
        bytes[k] = static_cast<char>((k * 31 + static_cast<std::size_t>(i)) & 0xFF);
    return bytes;
}

/// Checks everything a reader can see: contiguous versions, digests, request ids, artifacts.
void check_consistent(mlpipe::file_blob_store& store, int expected_requests) {
    mlpipe::model_registry registry(store);
    const auto versions = registry.versions("iris");
    REQUIRE(versions.size() == static_cast<std::size_t>(expected_requests));
    std::set<std::string> requests;
    for (std::size_t k = 0; k < versions.size(); ++k) {
        CHECK(versions[k] == k + 1);
        const auto got = registry.fetch("iris", versions[k]);  // throws on a digest mismatch
        const int i = got.info.metadata.at("i").get<int>();
        CHECK(got.bytes == payload(i));
        CHECK(got.info.request_id == "req-" + std::to_string(i));
        requests.insert(got.info.request_id);
    }
    CHECK(requests.size() == versions.size());
    // No partial artifact anywhere: every content-addressed blob hashes to its own name.
    for (const auto& key : mlpipe::list_all(store, "registry/models/iris/artifacts/")) {
        const auto blob = store.get(key);
        CHECK(mlpipe::detail::sha256_hex(blob->bytes) == key.substr(key.rfind('/') + 1));
    }
}

}  // namespace

TEST_CASE("publishers killed with SIGKILL at random points leave a consistent registry",
          "[registry][faults]") {
    mlpipe::test::temp_dir dir;
    const auto root = dir / "models";
    constexpr int total = 200;
    std::mt19937 rng(20261124);
    std::uniform_int_distribution<long> delay_us(200, 6000);
    int kills = 0;
    int rounds = 0;
    for (; rounds < 1000; ++rounds) {
        // The child arms a timer on its own CPU time, so the kill point depends neither on how
        // long fork() takes nor on other processes competing for the cores. The window widens
        // by 3% a round so that the publishes end: after about 20 rounds in an optimised build,
        // and after about 100 under the sanitizers, whose children spend several times the CPU
        // time (page faults on the shadow memory included) on the same publishes.
        const long delay =
            static_cast<long>(static_cast<double>(delay_us(rng)) * std::pow(1.03, rounds));
        const pid_t pid = ::fork();
        if (pid == 0) {
            int code = 0;
            try {
                std::signal(SIGPROF, [](int) { ::kill(::getpid(), SIGKILL); });
                itimerval timer{};
                timer.it_value.tv_sec = delay / 1000000;
                timer.it_value.tv_usec = delay % 1000000;
                ::setitimer(ITIMER_PROF, &timer, nullptr);
                // No fsync: a SIGKILL is a process crash, which fsync does not change (the page
                // cache survives), and the test stays fast.
                mlpipe::file_blob_store store(root, {.sync = false});
                mlpipe::model_registry registry(store);
                for (int i = 0; i < total; ++i) {
                    registry.publish("iris", payload(i), {{"i", i}}, "req-" + std::to_string(i),
                                     "child");
                }
            } catch (...) {
                code = 1;
            }
            ::_exit(code);
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (WIFEXITED(status)) {
            REQUIRE(WEXITSTATUS(status) == 0);
            break;
        }
        REQUIRE(WTERMSIG(status) == SIGKILL);
        ++kills;
    }
    INFO("rounds " << rounds << ", kills " << kills);
    CHECK(kills > 0);
    mlpipe::file_blob_store store(root);
    check_consistent(store, total);
    // A last publisher of every request finds each one done and writes nothing.
    const auto before = mlpipe::list_all(store, "").size();
    mlpipe::model_registry registry(store);
    for (int i = 0; i < total; i += 37)
        CHECK_FALSE(
            registry.publish("iris", payload(i), {{"i", i}}, "req-" + std::to_string(i)).created);
    CHECK(mlpipe::list_all(store, "").size() == before);
    WARN("SIGKILL fault test: " << total << " publishes, " << kills
                                << " publisher processes killed");
}

TEST_CASE("publisher processes racing on one file store get distinct versions",
          "[registry][faults]") {
    mlpipe::test::temp_dir dir;
    const auto root = dir / "models";
    constexpr int processes = 3;
    constexpr int each = 15;
    std::vector<pid_t> children;
    for (int p = 0; p < processes; ++p) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            int code = 0;
            try {
                mlpipe::file_blob_store store(root, {.sync = false});
                mlpipe::model_registry registry(store);
                for (int i = 0; i < each; ++i) {
                    const int n = p * each + i;
                    registry.publish("iris", payload(n), {{"i", n}}, "req-" + std::to_string(n));
                    // And a request every process publishes: one version only.
                    registry.publish("iris", payload(1000 + i), {{"i", 1000 + i}},
                                     "req-" + std::to_string(1000 + i));
                }
            } catch (...) {
                code = 1;
            }
            ::_exit(code);
        }
        children.push_back(pid);
    }
    for (const pid_t pid : children) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    mlpipe::file_blob_store store(root);
    check_consistent(store, processes * each + each);
}

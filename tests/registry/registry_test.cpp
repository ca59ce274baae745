// SPDX-License-Identifier: Apache-2.0
// The model registry's contract, on every embedded blob store: numbered immutable versions,
// idempotent publishing, aliases with an audit log, history, rollback, verified reads.
#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/registry.hpp>
#include <mlpipe/storage.hpp>

#include "test_support.hpp"

namespace {

struct memory_registry_fixture {
    mlpipe::memory_blob_store store;
    mlpipe::model_registry<mlpipe::memory_blob_store> registry{store};
    void corrupt(const std::string& key) { store.put(key, "tampered"); }
};
struct file_registry_fixture {
    mlpipe::test::temp_dir dir;
    mlpipe::file_blob_store store{dir / "models", {.sync = false}};
    mlpipe::model_registry<mlpipe::file_blob_store> registry{store};
    void corrupt(const std::string& key) { store.put(key, "tampered"); }
};
struct any_registry_fixture {
    mlpipe::any_blob_store store = mlpipe::open_blob_store("mem://");
    mlpipe::model_registry<mlpipe::any_blob_store> registry{store, {.prefix = "team-a/registry/"}};
    void corrupt(const std::string& key) { store.put(key, "tampered"); }
};

std::string artifact_bytes(int i) {
    return "artifact bytes #" + std::to_string(i) +
           std::string(static_cast<std::size_t>(100 + i), '\0');
}

}  // namespace

using registry_fixtures =
    std::tuple<memory_registry_fixture, file_registry_fixture, any_registry_fixture>;

TEMPLATE_LIST_TEST_CASE("publish numbers versions 1, 2, 3 and reads them back verified",
                        "[registry]", registry_fixtures) {
    TestType f;
    auto& r = f.registry;
    CHECK(r.versions("iris").empty());
    CHECK_FALSE(r.latest_version("iris").has_value());
    for (int i = 1; i <= 3; ++i) {
        const auto published = r.publish("iris", artifact_bytes(i), {{"accuracy", 0.9 + i / 100.0}},
                                         "req-" + std::to_string(i), "worker-1");
        CHECK(published.version == static_cast<std::uint64_t>(i));
        CHECK(published.created);
    }
    CHECK(r.versions("iris") == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(r.latest_version("iris") == 3u);
    const auto v2 = r.fetch("iris", 2);
    CHECK(v2.bytes == artifact_bytes(2));
    CHECK(v2.info.version == 2);
    CHECK(v2.info.sha256 == mlpipe::detail::sha256_hex(artifact_bytes(2)));
    CHECK(v2.info.size == artifact_bytes(2).size());
    CHECK(v2.info.metadata.at("accuracy").template get<double>() == Approx(0.92));
    CHECK(v2.info.request_id == "req-2");
    CHECK(v2.info.published_by == "worker-1");
    CHECK(v2.info.published_at.size() == 24);  // 2026-01-02T03:04:05.678Z
    CHECK(r.resolve("iris", "latest").bytes == artifact_bytes(3));
    CHECK(r.resolve("iris", "1").bytes == artifact_bytes(1));
    CHECK_THROWS_AS(r.fetch("iris", 4), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(r.resolve("iris", "production"), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(r.publish("../iris", "x"), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(r.publish("", "x"), mlpipe::invalid_input_error);
    r.publish("wine", artifact_bytes(9));
    CHECK(r.models() == std::vector<std::string>{"iris", "wine"});
}

TEMPLATE_LIST_TEST_CASE(
    "publishing the same request id twice returns the same version and writes nothing",
    "[registry]", registry_fixtures) {
    TestType f;
    auto& r = f.registry;
    const auto first = r.publish("iris", artifact_bytes(1), {{"run", 1}}, "request-42", "worker-1");
    const auto keys_before = mlpipe::list_all(f.store, "");
    std::vector<std::string> etags_before;
    for (const auto& k : keys_before)
        etags_before.push_back(f.store.get(k)->etag);
    const auto again = r.publish("iris", artifact_bytes(2), {{"run", 2}}, "request-42", "worker-2");
    CHECK(again.version == first.version);
    CHECK_FALSE(again.created);
    const auto keys_after = mlpipe::list_all(f.store, "");
    CHECK(keys_after == keys_before);
    for (std::size_t i = 0; i < keys_after.size(); ++i)
        CHECK(f.store.get(keys_after[i])->etag == etags_before[i]);
    CHECK(r.fetch("iris", 1).bytes == artifact_bytes(1));
    // Without a request id, every publish is new.
    CHECK(r.publish("iris", artifact_bytes(1)).version == 2);
    CHECK(r.publish("iris", artifact_bytes(1)).version == 3);
}

TEMPLATE_LIST_TEST_CASE("concurrent publishers get distinct versions and lose none",
                        "[registry][concurrency]", registry_fixtures) {
    TestType f;
    auto& r = f.registry;
    constexpr int threads = 4;
    constexpr int each = 10;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < each; ++i)
                r.publish("iris", artifact_bytes(t * 100 + i), {},
                          "t" + std::to_string(t) + "-" + std::to_string(i));
        });
    }
    // A duplicate request from several threads at once publishes once.
    std::vector<std::uint64_t> dup(3);
    for (int t = 0; t < 3; ++t) {
        pool.emplace_back([&, t] {
            dup[static_cast<std::size_t>(t)] =
                r.publish("iris", artifact_bytes(999), {}, "same-request").version;
        });
    }
    for (auto& th : pool)
        th.join();
    CHECK(dup[0] == dup[1]);
    CHECK(dup[1] == dup[2]);
    const auto versions = r.versions("iris");
    REQUIRE(versions.size() == threads * each + 1);
    for (std::size_t i = 0; i < versions.size(); ++i)
        CHECK(versions[i] == i + 1);
    std::set<std::string> requests;
    for (const auto v : versions) {
        const auto got = r.fetch("iris", v);  // verifies the digest
        requests.insert(got.info.request_id);
    }
    CHECK(requests.size() == versions.size());
}

TEMPLATE_LIST_TEST_CASE("aliases move by compare-and-swap and every move is audited",
                        "[registry][alias]", registry_fixtures) {
    TestType f;
    auto& r = f.registry;
    for (int i = 1; i <= 3; ++i)
        r.publish("iris", artifact_bytes(i));
    CHECK_FALSE(r.alias("iris", "production").has_value());
    const auto m1 = r.set_alias("iris", "production", 1, "alice", "first release");
    CHECK(m1.sequence == 1);
    CHECK_FALSE(m1.from.has_value());
    CHECK(m1.to == 1);
    CHECK(m1.sha256 == mlpipe::detail::sha256_hex(artifact_bytes(1)));
    CHECK(r.alias("iris", "production") == 1u);
    CHECK(r.resolve("iris", "production").bytes == artifact_bytes(1));
    // The champion gate: move only if production still points where we think.
    CHECK_FALSE(r.move_alias_if("iris", "production", 2, 3, "gate").has_value());
    CHECK_FALSE(r.move_alias_if("iris", "production", std::nullopt, 3, "gate").has_value());
    const auto m2 = r.move_alias_if("iris", "production", 1, 2, "gate", "beats champion");
    REQUIRE(m2.has_value());
    CHECK(m2->from == 1u);
    CHECK(m2->to == 2);
    r.set_alias("iris", "production", 3, "bob");
    CHECK_THROWS_AS(r.set_alias("iris", "production", 17, "bob"), mlpipe::invalid_input_error);
    r.set_alias("iris", "staging", 3, "carol");
    const auto history = r.history("iris", "production");
    REQUIRE(history.size() == 3);
    CHECK(history[0].actor == "alice");
    CHECK(history[0].reason == "first release");
    CHECK(history[1].from == 1u);
    CHECK(history[1].to == 2);
    CHECK(history[1].actor == "gate");
    CHECK(history[2].from == 2u);
    CHECK(history[2].to == 3);
    CHECK(history[2].actor == "bob");
    CHECK(history[2].sha256 == mlpipe::detail::sha256_hex(artifact_bytes(3)));
    CHECK_FALSE(history[2].at.empty());
    CHECK(r.history("iris", "staging").size() == 1);
}

TEMPLATE_LIST_TEST_CASE("rollback points an alias back to its previous version, audited",
                        "[registry][alias]", registry_fixtures) {
    TestType f;
    auto& r = f.registry;
    for (int i = 1; i <= 2; ++i)
        r.publish("iris", artifact_bytes(i));
    CHECK_THROWS_AS(r.rollback("iris", "production", "ops"), mlpipe::invalid_input_error);
    r.set_alias("iris", "production", 1, "alice");
    CHECK_THROWS_AS(r.rollback("iris", "production", "ops"), mlpipe::invalid_input_error);
    r.set_alias("iris", "production", 2, "alice");
    const auto back = r.rollback("iris", "production", "ops");
    CHECK(back.from == 2u);
    CHECK(back.to == 1);
    CHECK(back.actor == "ops");
    CHECK(back.reason == "rollback of move 2");
    CHECK(r.alias("iris", "production") == 1u);
    CHECK(r.history("iris", "production").size() == 3);
}

TEMPLATE_LIST_TEST_CASE("concurrent alias moves are all audited, none lost",
                        "[registry][alias][concurrency]", registry_fixtures) {
    TestType f;
    auto& r = f.registry;
    for (int i = 1; i <= 4; ++i)
        r.publish("iris", artifact_bytes(i));
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i)
                r.set_alias("iris", "production", static_cast<std::uint64_t>(t + 1),
                            "t" + std::to_string(t));
        });
    }
    for (auto& th : pool)
        th.join();
    const auto history = r.history("iris", "production");
    REQUIRE(history.size() == 20);
    for (std::size_t i = 0; i < history.size(); ++i) {
        CHECK(history[i].sequence == i + 1);
        if (i > 0) CHECK(history[i].from == history[i - 1].to);
    }
    CHECK(r.alias("iris", "production") == history.back().to);
}

TEMPLATE_LIST_TEST_CASE("corrupt artifact bytes are never returned", "[registry]",
                        registry_fixtures) {
    TestType f;
    auto& r = f.registry;
    r.publish("iris", artifact_bytes(1));
    f.corrupt(r.version_info("iris", 1)->artifact_key);
    try {
        (void)r.fetch("iris", 1);
        FAIL("no error");
    } catch (const mlpipe::storage_error& e) {
        CHECK(e.backend() == "registry");
        CHECK_THAT(e.what(), Catch::Contains("digest"));
    }
}

// SPDX-License-Identifier: Apache-2.0
// The SQLite wing beyond the conformance suites: SQL injection, read-only definitions, typed
// errors, durability across reopening, and several processes on one queue with consumers killed
// mid-lease.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <mlpipe/sqlite.hpp>

#include "sqlite_support.hpp"
#include "test_support.hpp"

using mlpipe::sqlite::sqlite_data_source;
using mlpipe::sqlite::sqlite_message_queue;
using namespace std::chrono_literals;

TEST_CASE("dataset parameters carrying SQL are matched literally and change nothing",
          "[sqlite][data_source][injection]") {
    mlpipe::test::temp_dir dir;
    const auto path = dir / "warehouse.db";
    mlpipe::test::make_conformance_database(path);
    const std::string evil_label = "b'; DROP TABLE rows; --";
    mlpipe::test::sqlite_exec(path,
                              "INSERT INTO rows VALUES (7, 7, 70, 'b''; DROP TABLE rows; --')");
    sqlite_data_source source(
        path, {{"by_label",
                "SELECT f1, f2, label FROM rows WHERE label = :label ORDER BY id",
                "label",
                {},
                ""},
               {"since", "SELECT f1, f2, label FROM rows WHERE id > @since", "label", {}, ""}});
    const auto fetch = [&](const std::string& name, const std::string& key,
                           mlpipe::data_value value) {
        mlpipe::fetch_request request{name};
        request.parameters[key] = std::move(value);
        return source.fetch(request).data.n_samples();
    };
    CHECK(fetch("by_label", "label", std::string("a")) == 3);
    for (const std::string attack : {"a' OR '1'='1", "x'; DROP TABLE rows; --", "a' --", "a'/*",
                                     "' UNION SELECT 1, 2, 3 --", "a\"; DELETE FROM rows; --"}) {
        INFO(attack);
        CHECK(fetch("by_label", "label", attack) == 0);
    }
    CHECK(fetch("by_label", "label", evil_label) == 1);  // the one row that really has that label
    CHECK(fetch("since", "since", std::string("0 OR 1=1")) == 0);
    CHECK(fetch("since", "since", std::int64_t{5}) == 2);
    // Nothing changed.
    sqlite_data_source check(
        path, {{"count", "SELECT id AS f, 'x' AS label FROM rows", "label", {}, ""}});
    CHECK(check.fetch(mlpipe::fetch_request{"count"}).data.n_samples() == 7);
    // Parameters are exact: none missing, none extra.
    CHECK_THROWS_AS(source.fetch(mlpipe::fetch_request{"by_label"}), mlpipe::invalid_input_error);
    mlpipe::fetch_request extra{"by_label",
                                {{"label", std::string("a")}, {"limit", std::int64_t{1}}}};
    CHECK_THROWS_AS(source.fetch(extra), mlpipe::invalid_input_error);
}

TEST_CASE("data set definitions must be single read-only statements with named parameters",
          "[sqlite][data_source]") {
    mlpipe::test::temp_dir dir;
    const auto path = dir / "warehouse.db";
    mlpipe::test::make_conformance_database(path);
    const auto define = [&](const std::string& sql) {
        sqlite_data_source source(path, {{"d", sql, "", {}, ""}});
    };
    CHECK_THROWS_AS(define("DELETE FROM rows"), mlpipe::configuration_error);
    CHECK_THROWS_AS(define("SELECT f1 FROM rows; DROP TABLE rows"), mlpipe::configuration_error);
    CHECK_THROWS_AS(define("INSERT INTO rows(f1) VALUES (1) RETURNING f1"),
                    mlpipe::configuration_error);
    CHECK_THROWS_AS(define("SELECT f1 FROM rows WHERE id > ?"), mlpipe::configuration_error);
    CHECK_THROWS_AS(define("SELECT f1 FROM no_such_table"), mlpipe::configuration_error);
    CHECK_THROWS_AS(sqlite_data_source(path, {{"d", "SELECT f1 FROM rows", "label", {}, ""}}),
                    mlpipe::configuration_error);  // no such label column
    CHECK_THROWS_AS(sqlite_data_source(dir / "missing.db", {}), mlpipe::storage_error);
    CHECK_NOTHROW(define("SELECT f1, f2 FROM rows"));
    CHECK(std::filesystem::exists(path));
    sqlite_data_source check(path, {{"n", "SELECT count(*) AS n FROM rows", "", {}, ""}});
    CHECK(check.fetch(mlpipe::fetch_request{"n"}).data.features()(0, 0) == 6.0);
}

TEST_CASE("non-numeric features and NULLs give format errors naming the row, or NaN on request",
          "[sqlite][data_source]") {
    mlpipe::test::temp_dir dir;
    const auto path = dir / "warehouse.db";
    mlpipe::test::sqlite_exec(path,
                              "CREATE TABLE t (x REAL, y, label INTEGER);"
                              "INSERT INTO t VALUES (1, 2, 0), (2, NULL, 1), (3, 'oops', 1);");
    sqlite_data_source strict(
        path, {{"first", "SELECT x, y, label FROM t WHERE rowid = 1", "label", {}, ""},
               {"nulls", "SELECT x, y, label FROM t WHERE rowid <= 2", "label", {}, ""},
               {"text", "SELECT x, y, label FROM t", "label", {}, ""}});
    const auto first = strict.fetch(mlpipe::fetch_request{"first"}).data;
    CHECK(first.classes().kind() == mlpipe::label_kind::integer);
    CHECK_THROWS_AS(strict.fetch(mlpipe::fetch_request{"nulls"}), mlpipe::format_error);
    try {
        (void)strict.fetch(mlpipe::fetch_request{"text"});
        FAIL("no error");
    } catch (const mlpipe::format_error& e) {
        CHECK(e.where().line == 2);  // the row with NULL comes first
    }
    sqlite_data_source lenient(
        path, {{"nulls", "SELECT x, y, label FROM t WHERE rowid <= 2", "label", {}, ""}},
        {.missing = mlpipe::missing_policy::nan});
    const auto data = lenient.fetch(mlpipe::fetch_request{"nulls"}).data;
    CHECK(std::isnan(data.features()(1, 1)));
}

TEST_CASE("a durable queue keeps messages and leases across reopening", "[sqlite][message_queue]") {
    mlpipe::test::temp_dir dir;
    const auto path = dir / "queue.db";
    std::string receipt;
    {
        sqlite_message_queue q(path);
        q.send("one");
        q.send("two");
        const auto got = q.receive({1, 0ms, 10min});
        REQUIRE(got.size() == 1);
        receipt = got[0].receipt;
    }
    sqlite_message_queue q(path);
    CHECK(q.stats().visible == 1);
    CHECK(q.stats().in_flight == 1);
    CHECK(q.ack(receipt));
    // Two named queues in one file are independent.
    mlpipe::sqlite::sqlite_queue_options other_options;
    other_options.queue = "other";
    sqlite_message_queue other(path, other_options);
    CHECK(other.stats().visible == 0);
    other.send("x");
    CHECK(q.stats().visible == 1);
    CHECK_THROWS_AS(
        mlpipe::open_message_queue("sqlite://" + path.string() + "?durability=sometimes"),
        mlpipe::configuration_error);
}

namespace {

/// One consumer process of the fault test: acks messages and logs "<body> <receive count>" after
/// each successful ack; kills itself (SIGKILL, mid-lease) on poison messages and now and then.
[[noreturn]] void consume(const std::filesystem::path& path, const std::filesystem::path& log_dir) {
    int code = 0;
    try {
        mlpipe::sqlite::sqlite_queue_options options;
        options.max_receives = 3;
        sqlite_message_queue q(path, options);
        std::ofstream log(log_dir / (std::to_string(::getpid()) + ".log"), std::ios::app);
        std::srand(static_cast<unsigned>(::getpid()));
        for (;;) {
            const auto got = q.receive({5, 200ms, 300ms});
            if (got.empty()) {
                const auto s = q.stats();
                if (s.visible + s.in_flight == 0) break;
                continue;
            }
            for (const auto& m : got) {
                if (m.body.rfind("poison", 0) == 0 || std::rand() % 60 == 0) ::raise(SIGKILL);
                if (q.ack(m.receipt)) log << m.body << ' ' << m.receive_count << std::endl;
            }
        }
    } catch (...) {
        code = 1;
    }
    ::_exit(code);
}

}  // namespace

TEST_CASE("several processes share a queue and consumers killed mid-lease lose nothing",
          "[sqlite][message_queue][faults]") {
    mlpipe::test::temp_dir dir;
    const auto path = dir / "queue.db";
    const auto logs = dir / "logs";
    std::filesystem::create_directories(logs);
    { sqlite_message_queue create(path); }
    constexpr int processes = 4;
    constexpr int per_process = 500;
    // Four producers at once; each message also carries a deduplication id, sent twice.
    std::vector<pid_t> producers;
    for (int p = 0; p < processes; ++p) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            int code = 0;
            try {
                sqlite_message_queue q(path);
                for (int i = 0; i < per_process; ++i) {
                    const std::string body = (i % 100 == 7 ? "poison-" : "job-") +
                                             std::to_string(p) + "-" + std::to_string(i);
                    const auto id = q.send(body, body);
                    if (i % 50 == 0 && q.send(body, body) != id) code = 2;
                }
            } catch (...) {
                code = 1;
            }
            ::_exit(code);
        }
        producers.push_back(pid);
    }
    for (const pid_t pid : producers) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    sqlite_message_queue q(path);
    REQUIRE(q.stats().visible == processes * per_process);

    // Four consumers at a time; every one killed is replaced until the queue is drained.
    int live = 0;
    int kills = 0;
    int spawned = 0;
    const auto spawn = [&] {
        const pid_t pid = ::fork();
        if (pid == 0) consume(path, logs);
        ++live;
        ++spawned;
    };
    for (int c = 0; c < processes; ++c)
        spawn();
    while (live > 0) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        REQUIRE(pid > 0);
        --live;
        if (WIFSIGNALED(status)) {
            ++kills;
            REQUIRE(spawned < 2000);
            spawn();
        } else {
            REQUIRE(WEXITSTATUS(status) == 0);
        }
    }

    std::map<std::string, int> acked;
    int redelivered = 0;
    for (const auto& entry : std::filesystem::directory_iterator(logs)) {
        std::ifstream in(entry.path());
        std::string body;
        unsigned count = 0;
        while (in >> body >> count) {
            ++acked[body];
            if (count > 1) ++redelivered;
        }
    }
    std::set<std::string> dead;
    for (const auto& m : q.dead_letters(10000))
        dead.insert(m.body);
    int lost = 0;
    int twice = 0;
    for (int p = 0; p < processes; ++p) {
        for (int i = 0; i < per_process; ++i) {
            const std::string body =
                (i % 100 == 7 ? "poison-" : "job-") + std::to_string(p) + "-" + std::to_string(i);
            const int a = acked.count(body) ? acked[body] : 0;
            const bool d = dead.count(body) != 0;
            if (a + (d ? 1 : 0) == 0) ++lost;
            if (a + (d ? 1 : 0) > 1) ++twice;
            if (i % 100 == 7) CHECK(d);
        }
    }
    const auto stats = q.stats();
    CHECK(lost == 0);
    CHECK(twice == 0);
    CHECK(stats.visible + stats.in_flight == 0);
    CHECK(stats.dead == dead.size());
    CHECK(acked.size() + dead.size() == static_cast<std::size_t>(processes * per_process));
    CHECK(redelivered > 0);
    CHECK(kills > 0);
    WARN("sqlite queue fault test: " << processes * per_process << " messages, " << acked.size()
                                     << " acked once, " << dead.size() << " dead-lettered, "
                                     << redelivered << " acked after a redelivery, " << kills
                                     << " consumers killed mid-lease");
}

// SPDX-License-Identifier: Apache-2.0
// Training workers and pools over the memory queue, data source and store: leases kept by
// heartbeats, idempotent publishing under redelivery, poison requests dead-lettered after exactly
// max_receives, stop requests, idle exit; and retraining triggers.
#include <atomic>
#include <chrono>
#include <numeric>
#include <set>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include <mlpipe/jobs.hpp>
#include <mlpipe/storage/memory_blob_store.hpp>
#include <mlpipe/storage/memory_message_queue.hpp>

#include "delayed_source.hpp"
#include "jobs_support.hpp"

namespace {

using namespace std::chrono_literals;

struct worker_fixture {
    mlpipe::memory_data_source source;
    mlpipe::memory_blob_store store;
    mlpipe::memory_message_queue queue{mlpipe::queue_options{.max_receives = 3}};
    mlpipe::model_registry<mlpipe::memory_blob_store> registry{store};
    mlpipe::request_journal<mlpipe::memory_blob_store> journal{store};

    worker_fixture() { source.add("iris", mlpipe::test::real_data("iris.csv")); }

    void send(const mlpipe::training_request& r) { queue.send(mlpipe::to_json(r).dump()); }

    static mlpipe::worker_options quick(std::string name = "w") {
        mlpipe::worker_options o;
        o.name = std::move(name);
        o.poll_wait = 20ms;
        o.idle_exit = 200ms;
        return o;
    }
};

}  // namespace

TEST_CASE_METHOD(worker_fixture, "A worker trains every queued request and exits when idle",
                 "[jobs][worker]") {
    send(mlpipe::test::iris_request("a", "logistic_regression"));
    send(mlpipe::test::iris_request("b", "linear_svm"));
    send(mlpipe::test::iris_request("c", "k_nearest_neighbors"));
    std::vector<std::string> events;
    auto options = quick();
    options.on_event = [&](const mlpipe::worker_event& e) {
        if (e.type == mlpipe::worker_event::kind::published) events.push_back(e.request_id);
    };
    mlpipe::training_worker worker(queue, source, store, options);
    const auto summary = worker.run();
    CHECK(summary.received == 3);
    CHECK(summary.published == 3);
    CHECK(summary.exit_reason == "idle");
    CHECK(events == std::vector<std::string>{"a", "b", "c"});
    CHECK(registry.versions("iris") == std::vector<std::uint64_t>{1, 2, 3});
    const auto stats = queue.stats();
    CHECK(stats.visible + stats.in_flight + stats.dead == 0);
    const auto attempts = journal.attempts("b");
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].status == "published");
    CHECK(attempts[0].worker == "w");
    CHECK(attempts[0].outcome.at("version") == 2);
}

TEST_CASE_METHOD(worker_fixture,
                 "A request that always fails is dead-lettered after exactly max_receives, "
                 "and healthy requests keep flowing",
                 "[jobs][worker]") {
    auto poison = mlpipe::test::iris_request("poison");
    poison.dataset.name = "no-such-data";
    send(poison);
    queue.send("{ this is not a request");
    for (int i = 0; i < 4; ++i)
        send(mlpipe::test::iris_request("healthy-" + std::to_string(i)));
    mlpipe::worker_pool pool(queue, source, store, 2, quick("pool"));
    const auto summary = pool.run();
    CHECK(summary.published == 4);
    CHECK(summary.failed == 6);  // two poison messages, three receives each
    CHECK(registry.versions("iris").size() == 4);
    const auto stats = queue.stats();
    CHECK(stats.dead == 2);
    CHECK(stats.visible + stats.in_flight == 0);
    const auto attempts = journal.attempts("poison");
    REQUIRE(attempts.size() == 3);
    for (std::uint32_t i = 0; i < 3; ++i) {
        CHECK(attempts[i].attempt == i + 1);
        CHECK(attempts[i].status == "failed");
        CHECK(attempts[i].error_type == "invalid_input");
        CHECK(attempts[i].error.find("no-such-data") != std::string::npos);
    }
    const auto dead = queue.dead_letters(10);
    REQUIRE(dead.size() == 2);
    CHECK(dead[0].receive_count == 3);
}

TEST_CASE_METHOD(worker_fixture, "A worker journals that it is alive while idle and while training",
                 "[jobs][worker]") {
    send(mlpipe::test::iris_request("beat"));
    auto options = quick();
    options.journal_period = 0ms;  // a record at every idle poll and every progress step
    std::set<std::string> idle_records;
    std::size_t training_records = 0;
    options.on_event = [&](const mlpipe::worker_event& e) {
        const auto workers = journal.workers();
        REQUIRE(workers.size() == 1);
        const auto& w = workers.front();
        if (e.type == mlpipe::worker_event::kind::idle && w.at("state") == "idle")
            idle_records.insert(w.at("at").get<std::string>());
        if (e.type == mlpipe::worker_event::kind::progress && w.at("state") == "training" &&
            w.at("request_id") == "beat")
            ++training_records;
    };
    mlpipe::training_worker worker(queue, source, store, options);
    CHECK(worker.run().published == 1);
    CHECK(training_records > 0);      // the journal says "training" while it trains
    CHECK(idle_records.size() >= 2);  // and renews "idle" while it waits
    CHECK(journal.workers().at(0).at("state") == "stopped");
}

TEST_CASE_METHOD(worker_fixture, "Heartbeats keep a lease alive through a training longer than it",
                 "[jobs][worker]") {
    send(mlpipe::test::iris_request("long"));
    mlpipe::test::delayed_source<mlpipe::memory_data_source> slow{source, 600ms};
    auto options = quick();
    options.lease = 150ms;
    options.heartbeat = 40ms;
    mlpipe::worker_pool pool(queue, slow, store, 2, options);
    const auto summary = pool.run();
    CHECK(summary.received == 1);  // never redelivered to the other worker
    CHECK(summary.published == 1);
    CHECK(registry.versions("iris").size() == 1);
}

TEST_CASE_METHOD(
    worker_fixture,
    "A worker that loses its lease neither acknowledges nor publishes a second version",
    "[jobs][worker]") {
    send(mlpipe::test::iris_request("contested"));
    mlpipe::test::delayed_source<mlpipe::memory_data_source> slow{source, 800ms};
    auto stalled_options = quick("stalled");
    stalled_options.lease = 100ms;
    stalled_options.heartbeat = 10s;  // no heartbeat in time: the lease runs out
    stalled_options.max_requests = 1;
    mlpipe::training_worker stalled(queue, slow, store, stalled_options);
    mlpipe::worker_summary stalled_summary;
    std::thread t([&] { stalled_summary = stalled.run(); });
    std::this_thread::sleep_for(300ms);
    mlpipe::training_worker healthy(queue, source, store, quick("healthy"));
    const auto healthy_summary = healthy.run();
    t.join();
    CHECK(healthy_summary.published == 1);
    // The stalled worker finished its fetch after the other published: same version, no ack.
    CHECK(registry.versions("iris").size() == 1);
    CHECK(stalled_summary.received == 1);
    CHECK(queue.stats().visible + queue.stats().in_flight == 0);
}

TEST_CASE_METHOD(worker_fixture, "A stop request releases the current request at once",
                 "[jobs][worker]") {
    send(mlpipe::test::iris_request("interrupted"));
    mlpipe::test::delayed_source<mlpipe::memory_data_source> slow{source, 300ms};
    auto options = quick();
    options.idle_exit.reset();
    mlpipe::training_worker worker(queue, slow, store, options);
    std::thread stopper([&] {
        std::this_thread::sleep_for(100ms);
        worker.request_stop();
    });
    const auto summary = worker.run();
    stopper.join();
    CHECK(summary.exit_reason == "stop requested");
    CHECK(summary.cancelled == 1);
    CHECK(registry.versions("iris").empty());
    CHECK(queue.stats().visible == 1);  // released, not left to its lease
    CHECK(journal.attempts("interrupted").at(0).status == "cancelled");
}

TEST_CASE_METHOD(worker_fixture,
                 "With the finish policy a stop request lets the current request finish",
                 "[jobs][worker]") {
    send(mlpipe::test::iris_request("finished"));
    send(mlpipe::test::iris_request("left-queued"));
    mlpipe::test::delayed_source<mlpipe::memory_data_source> slow{source, 300ms};
    auto options = quick();
    options.idle_exit.reset();
    options.on_stop = mlpipe::stop_policy::finish;
    mlpipe::training_worker worker(queue, slow, store, options);
    std::thread stopper([&] {
        std::this_thread::sleep_for(100ms);
        worker.request_stop();
    });
    const auto summary = worker.run();
    stopper.join();
    CHECK(summary.exit_reason == "stop requested");
    CHECK(summary.published == 1);
    CHECK(registry.published_version("iris", "finished") == 1u);
    CHECK(queue.stats().visible == 1);  // the second request waits for another worker
}

TEST_CASE_METHOD(worker_fixture, "Retraining triggers queue due work once per watermark",
                 "[jobs][retraining]") {
    const auto data = mlpipe::test::real_data("iris.csv");
    std::vector<Eigen::Index> first_rows;
    std::vector<std::int64_t> first_marks;
    for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
        if (i % 5 != 0) {
            first_rows.push_back(i);
            first_marks.push_back(i + 1);
        }
    }
    source.add("iris", data.subset(first_rows), first_marks);
    mlpipe::retraining_policy policy;
    policy.candidates = {mlpipe::test::iris_request("", "logistic_regression"),
                         mlpipe::test::iris_request("", "gaussian_naive_bayes")};
    for (auto& c : policy.candidates) {
        c.promote = "production";
        c.validation.champion = mlpipe::champion_spec{};
    }
    policy.min_new_rows = 20;

    auto d = mlpipe::check_retraining(policy, source, registry, queue, journal);
    CHECK(d.due);
    CHECK(d.reason == "no version yet");
    REQUIRE(d.queued.size() == 2);
    CHECK(d.queued[0] == "iris@150#1-logistic_regression");
    // Checked again before any worker ran: nothing new is queued.
    d = mlpipe::check_retraining(policy, source, registry, queue, journal);
    CHECK(d.queued.empty());
    CHECK(d.already_queued.size() == 2);
    CHECK(queue.stats().visible == 2);

    mlpipe::training_worker worker(queue, source, store, quick());
    CHECK(worker.run().published >= 1);
    REQUIRE(registry.alias("iris", "production"));

    // No new rows: not due.
    d = mlpipe::check_retraining(policy, source, registry, queue, journal);
    CHECK_FALSE(d.due);
    CHECK(d.new_rows == 0);

    // All rows arrive (30 new, past the watermark the production version was trained at).
    std::vector<std::int64_t> all_marks(static_cast<std::size_t>(data.n_samples()));
    for (std::size_t i = 0; i < all_marks.size(); ++i)
        all_marks[i] = static_cast<std::int64_t>(i + 1) + (i % 5 == 0 ? 1000 : 0);
    source.add("iris", data, all_marks);
    d = mlpipe::check_retraining(policy, source, registry, queue, journal);
    CHECK(d.due);
    CHECK(d.new_rows == 30);
    CHECK(d.queued.size() == 2);
    CHECK(d.queued[1] == "iris@1146#2-gaussian_naive_bayes");
}

TEST_CASE_METHOD(worker_fixture, "A version older than the maximum age is due once per age window",
                 "[jobs][retraining]") {
    const auto data = mlpipe::test::real_data("iris.csv");
    std::vector<std::int64_t> marks(static_cast<std::size_t>(data.n_samples()));
    std::iota(marks.begin(), marks.end(), std::int64_t{1});
    source.add("iris", data, marks);
    mlpipe::retraining_policy policy;
    policy.candidates = {mlpipe::test::iris_request("", "gaussian_naive_bayes")};
    policy.max_age = std::chrono::seconds(0);
    policy.min_new_rows = 1000;
    auto d = mlpipe::check_retraining(policy, source, registry, queue, journal);
    REQUIRE(d.queued.size() == 1);
    CHECK(d.queued[0] == "iris@150");
    mlpipe::training_worker worker(queue, source, store, quick());
    CHECK(worker.run().published == 1);

    policy.max_age = std::chrono::hours(1);
    d = mlpipe::check_retraining(policy, source, registry, queue, journal);
    CHECK_FALSE(d.due);  // 0 new rows of 1000, and version 1 is seconds old

    policy.max_age = std::chrono::seconds(0);
    d = mlpipe::check_retraining(policy, source, registry, queue, journal);
    CHECK(d.due);
    CHECK(d.reason.find("older than") != std::string::npos);
    REQUIRE(d.queued.size() == 1);
    CHECK(d.queued[0].rfind("iris@150~", 0) == 0);  // the age window names the request
}

// SPDX-License-Identifier: Apache-2.0
// Worker processes under faults, over the durable SQLite queue, an SQLite warehouse and the file
// model store: workers killed with SIGKILL at random moments (mid-training, mid-publish) and
// restarted; a worker paused with SIGSTOP past its lease while another completes its request; a
// worker terminated with SIGTERM. Every request ends published or dead-lettered, none is lost, no
// request id has two versions, every visible version is complete.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <mlpipe/artifact.hpp>
#include <mlpipe/jobs.hpp>
#include <mlpipe/sqlite.hpp>
#include <mlpipe/storage/file_blob_store.hpp>

#include "../sqlite/sqlite_support.hpp"
#include "jobs_support.hpp"

namespace {

using namespace std::chrono_literals;

/// A directory laid out as jobs_test_worker expects, with iris in the warehouse.
struct pipeline_dir {
    mlpipe::test::temp_dir dir;
    pipeline_dir() {
        const auto data = mlpipe::test::real_data("iris.csv");
        std::ostringstream sql;
        sql << "CREATE TABLE iris (id INTEGER PRIMARY KEY, sepal_length REAL, sepal_width REAL, "
               "petal_length REAL, petal_width REAL, label TEXT); INSERT INTO iris VALUES ";
        for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
            sql << (i == 0 ? "" : ",") << "(" << i + 1;
            for (Eigen::Index j = 0; j < 4; ++j)
                sql << "," << data.features()(i, j);
            sql << ",'" << data.classes().name(static_cast<std::size_t>(data.targets()[i])) << "')";
        }
        sql << ";";
        mlpipe::test::sqlite_exec(dir / "warehouse.db", sql.str());
        std::filesystem::create_directories(dir / "store");
    }
    mlpipe::sqlite::sqlite_message_queue queue() const {
        mlpipe::sqlite::sqlite_queue_options qo;
        qo.queue = "training";
        qo.max_receives = 10;
        return mlpipe::sqlite::sqlite_message_queue(dir / "queue.db", qo);
    }
};

/// A started jobs_test_worker process, its output appended to a log file.
pid_t start_worker(const pipeline_dir& d, const std::string& name,
                   const std::vector<std::string>& flags) {
    std::vector<std::string> args = {MLPIPE_TEST_WORKER, d.dir.path().string(), name};
    args.insert(args.end(), flags.begin(), flags.end());
    const std::string log = (d.dir / "workers.log").string();
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

std::string read_file(const std::filesystem::path& p);

/// Waits until worker `name` has installed its signal handlers (it says "<name> ready").
void wait_ready(const pipeline_dir& d, const std::string& name) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (read_file(d.dir / "workers.log").find(name + " ready\n") == std::string::npos) {
        REQUIRE(std::chrono::steady_clock::now() < until);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Checks the registry of `d`: each version complete and loadable, each request id at most once.
/// Returns request id -> version.
std::map<std::string, std::uint64_t> check_registry(const pipeline_dir& d) {
    mlpipe::file_blob_store store(d.dir / "store");
    mlpipe::model_registry registry(store);
    std::map<std::string, std::uint64_t> by_request;
    for (const auto v : registry.versions("iris")) {
        const auto resolved = registry.fetch("iris", v);  // verifies the digest
        const auto model = mlpipe::load_any(std::as_bytes(std::span(resolved.bytes)));
        CHECK(model.n_features() == 4);
        const auto [it, inserted] = by_request.emplace(resolved.info.request_id, v);
        INFO("request " << resolved.info.request_id << " has versions " << it->second << " and "
                        << v);
        CHECK(inserted);
    }
    return by_request;
}

}  // namespace

TEST_CASE("Worker processes killed at random and restarted lose no request and publish each once",
          "[jobs][faults][processes]") {
    pipeline_dir d;
    auto queue = d.queue();
    constexpr int requests = 100;
    for (int i = 0; i < requests; ++i) {
        auto r = mlpipe::test::iris_request("req-" + std::to_string(i),
                                            i % 3 == 0 ? "linear_svm" : "logistic_regression");
        queue.send(mlpipe::to_json(r).dump());
    }
    const std::vector<std::string> flags = {"--lease-ms", "800", "--fetch-delay-ms", "60"};
    std::vector<pid_t> workers;
    std::vector<std::string> names;
    for (int w = 0; w < 3; ++w) {
        names.push_back("w" + std::to_string(w));
        workers.push_back(start_worker(d, names.back(), flags));
    }

    std::mt19937 random(12345);
    int kills = 0;
    const auto deadline = std::chrono::steady_clock::now() + 240s;
    for (;;) {
        const auto stats = queue.stats();
        if (stats.visible + stats.in_flight == 0) break;
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(50 + random() % 250));
        if (kills < 30) {
            const std::size_t w = random() % workers.size();
            ::kill(workers[w], SIGKILL);
            CHECK(wait_exit(workers[w]) == 128 + SIGKILL);
            ++kills;
            names[w] = "w" + std::to_string(w) + "-" + std::to_string(kills);
            workers[w] = start_worker(d, names[w], flags);
        }
    }
    for (std::size_t w = 0; w < workers.size(); ++w)
        wait_ready(d, names[w]);
    for (const pid_t pid : workers) {
        ::kill(pid, SIGTERM);
        CHECK(wait_exit(pid) == 0);
    }
    CHECK(kills >= 10);

    const auto published = check_registry(d);
    std::set<std::string> dead;
    for (const auto& m : queue.dead_letters(1000))
        dead.insert(mlpipe::parse_training_request(m.body).request_id);
    for (int i = 0; i < requests; ++i) {
        const std::string id = "req-" + std::to_string(i);
        INFO(id);
        CHECK((published.count(id) + dead.count(id)) == 1);
    }
    // Requests whose successful attempt was not the first: a kill interrupted them mid-lease.
    mlpipe::file_blob_store store(d.dir / "store");
    mlpipe::request_journal journal(store);
    int redelivered = 0;
    for (const auto& [id, version] : published) {
        const auto attempts = journal.attempts(id);
        if (!attempts.empty() && attempts.back().attempt > 1) ++redelivered;
    }
    CHECK(redelivered > 0);
    std::printf(
        "fault test: %d requests, %d SIGKILLs, %zu published, %zu dead-lettered, %d "
        "published after a killed attempt\n",
        requests, kills, published.size(), dead.size(), redelivered);
}

TEST_CASE("A worker paused past its lease while another completes its request publishes nothing",
          "[jobs][faults][processes]") {
    pipeline_dir d;
    auto queue = d.queue();
    queue.send(mlpipe::to_json(mlpipe::test::iris_request("paused")).dump());
    const pid_t slow = start_worker(
        d, "slow", {"--lease-ms", "400", "--fetch-delay-ms", "1500", "--idle-exit-ms", "1500"});
    // Wait until the slow worker holds the message, then pause it past its lease.
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (queue.stats().in_flight == 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(10ms);
    REQUIRE(queue.stats().in_flight == 1);
    ::kill(slow, SIGSTOP);
    std::this_thread::sleep_for(800ms);
    const pid_t fast = start_worker(d, "fast", {"--idle-exit-ms", "1000"});
    CHECK(wait_exit(fast) == 0);  // published and acknowledged, then idle
    CHECK(check_registry(d).size() == 1);
    ::kill(slow, SIGCONT);
    CHECK(wait_exit(slow) == 0);
    const auto published = check_registry(d);
    CHECK(published.size() == 1);
    CHECK(published.count("paused") == 1);
    const auto stats = queue.stats();
    CHECK(stats.visible + stats.in_flight + stats.dead == 0);
    const auto log = read_file(d.dir / "workers.log");
    INFO(log);
    CHECK(log.find("fast published paused") != std::string::npos);
}

TEST_CASE("SIGTERM makes a worker release its request and exit cleanly",
          "[jobs][faults][processes]") {
    pipeline_dir d;
    auto queue = d.queue();
    queue.send(mlpipe::to_json(mlpipe::test::iris_request("terminated")).dump());
    const pid_t worker = start_worker(d, "t", {"--fetch-delay-ms", "3000"});
    wait_ready(d, "t");
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (queue.stats().in_flight == 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(10ms);
    REQUIRE(queue.stats().in_flight == 1);
    ::kill(worker, SIGTERM);
    CHECK(wait_exit(worker) == 0);
    const auto stats = queue.stats();
    CHECK(stats.visible == 1);  // released for another worker, not left to its lease
    CHECK(stats.in_flight == 0);
    CHECK(check_registry(d).empty());
    const auto log = read_file(d.dir / "workers.log");
    INFO(log);
    CHECK(log.find("t exit signal 15") != std::string::npos);
}

// SPDX-License-Identifier: Apache-2.0
// The end-to-end pipeline on the embedded defaults, as a class that
// examples/end_to_end_pipeline.cpp and the `mlpipe demo` command (tools/mlpipe) both run: an SQLite
// warehouse whose rows arrive in batches, a retraining trigger, a durable SQLite training queue, a
// pool of training workers that train several estimator kinds, validate them, publish to a file
// model store and promote the best to "production", and a predictor that serves held-out rows and
// picks up each new production version without a restart.
//
// The backends are run-time handles (any_blob_store, any_message_queue, any_data_source), so the
// same pipeline runs on other ones: tests/aws/pipeline_test.cpp runs it on S3, SQS and PostgreSQL.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <mlpipe/mlpipe.hpp>
#include <mlpipe/sqlite.hpp>

namespace pipeline_example {

using clock_type = std::chrono::steady_clock;

inline double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

/// Appends rows [begin, end) of `data` to the SQLite warehouse table "observations"; the row id
/// is the watermark.
inline void load_sqlite_batch(const std::filesystem::path& db_path,
                              const mlpipe::dataset<double>& data,
                              const std::vector<Eigen::Index>& rows, std::size_t begin,
                              std::size_t end) {
    auto db = mlpipe::sqlite::connection::open(
        db_path.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, std::chrono::seconds(30));
    std::string create = "CREATE TABLE IF NOT EXISTS observations (id INTEGER PRIMARY KEY";
    std::string insert = "INSERT INTO observations VALUES (?";
    for (const auto& name : data.feature_names()) {
        create += ", \"" + name + "\" REAL";
        insert += ", ?";
    }
    create += ", label TEXT)";
    insert += ", ?)";
    db.exec(create.c_str());
    db.exec("BEGIN");
    mlpipe::sqlite::statement statement(db.get(), insert);
    for (std::size_t k = begin; k < end; ++k) {
        const Eigen::Index i = rows[k];
        int column = 1;
        statement.bind(column++, static_cast<std::int64_t>(k + 1));
        for (Eigen::Index j = 0; j < data.n_features(); ++j)
            statement.bind(column++, data.features()(i, j));
        statement.bind(
            column++,
            std::string_view(data.classes().name(static_cast<std::size_t>(data.targets()[i]))));
        statement.step();
        statement.reset();
    }
    db.exec("COMMIT");
}

/// The candidates the trigger queues for each retraining: four estimator kinds, each gated on a
/// minimum accuracy and on beating the production champion.
inline mlpipe::retraining_policy make_policy() {
    mlpipe::retraining_policy policy;
    const auto candidate = [](std::string kind, nlohmann::json hyperparameters, bool scale) {
        mlpipe::training_request r;
        r.model = "digits";
        r.estimator = std::move(kind);
        r.hyperparameters = std::move(hyperparameters);
        if (scale) r.preprocessing.push_back({"standard_scaler", nlohmann::json::object()});
        r.dataset.name = "observations";
        r.validation.method = mlpipe::validation_method::k_fold;
        r.validation.folds = 3;
        r.validation.metric = "accuracy";
        r.validation.min_score = 0.80;
        r.validation.champion = mlpipe::champion_spec{"production", 0.0};
        r.promote = "production";
        r.seed = 2024;
        return r;
    };
    policy.candidates = {
        candidate("logistic_regression", {{"C", 0.1}, {"max_iter", 300}}, true),
        candidate("linear_svm", {{"C", 0.05}}, true),
        candidate("gaussian_naive_bayes", nlohmann::json::object(), false),
        candidate("k_nearest_neighbors", {{"k", 3}, {"weights", "distance"}}, true),
    };
    policy.min_new_rows = 200;
    return policy;
}

/// The data set the workers train on: every row of table "observations" in id order (the id is
/// the watermark).
inline mlpipe::dataset_definition observations() {
    return {"observations", "SELECT * FROM observations ORDER BY id", "label", {}, "id"};
}

/// Where the demo's parts live.
struct demo_backends {
    std::string name;       ///< printed in the title: "embedded defaults", ...
    std::string where;      ///< printed under the title: "work directory: ...", ...
    std::string warehouse;  ///< where the rows go, as printed
    mlpipe::any_blob_store store;
    mlpipe::any_message_queue queue;
    /// Appends rows [begin, end) of `data` (row ids `rows`) to table "observations", with the
    /// 1-based position as id.
    std::function<void(const mlpipe::dataset<double>& data, const std::vector<Eigen::Index>& rows,
                       std::size_t begin, std::size_t end)>
        load_batch;
    /// Opens the warehouse once the table exists.
    std::function<mlpipe::any_data_source()> open_warehouse;
};

/// The embedded defaults in `dir`: warehouse.db (SQLite), queue.db (the durable SQLite queue,
/// queue "training", 3 receives), models/ (a file store).
inline demo_backends embedded_backends(const std::filesystem::path& dir) {
    mlpipe::sqlite::sqlite_queue_options queue;
    queue.queue = "training";
    queue.max_receives = 3;
    const auto db = dir / "warehouse.db";
    return {
        "embedded defaults",
        "work directory: " + dir.string(),
        db.string(),
        mlpipe::any_blob_store::make<mlpipe::file_blob_store>(dir / "models"),
        mlpipe::any_message_queue::make<mlpipe::sqlite::sqlite_message_queue>(dir / "queue.db",
                                                                              queue),
        [db](const mlpipe::dataset<double>& data, const std::vector<Eigen::Index>& rows,
             std::size_t begin, std::size_t end) { load_sqlite_batch(db, data, rows, begin, end); },
        [db] {
            return mlpipe::any_data_source::make<mlpipe::sqlite::sqlite_data_source>(
                db, std::vector<mlpipe::dataset_definition>{observations()});
        }};
}

/// What a run ended with, for tests that compare runs on different backends.
struct demo_result {
    std::vector<double> served_accuracy;   ///< per round, on the rows never seen in training
    std::vector<std::string> served_kind;  ///< per round, the production model's estimator
    std::uint64_t published = 0;           ///< versions published in all
};

class pipeline_demo {
  public:
    /// The demo on the embedded defaults in `dir`.
    pipeline_demo(const std::filesystem::path& data_path, const std::filesystem::path& dir)
        : pipeline_demo(data_path, embedded_backends(dir)) {}

    pipeline_demo(const std::filesystem::path& data_path, demo_backends backends)
        : backends_(std::move(backends)),
          data_(mlpipe::read_csv<double>(data_path, {})),
          store_(backends_.store),
          registry_(store_),
          journal_(store_),
          queue_(backends_.queue),
          predictor_(store_, serving_options()),
          handler_(predictor_, mlpipe::handler_options{"digits", "production"}) {}

    /// Runs the whole story; returns 0 (the tests read `result()`).
    int run() {
        const auto started = clock_type::now();
        std::printf("mlpipe %s end-to-end pipeline (%s)\n", mlpipe::version().data(),
                    backends_.name.c_str());
        std::printf("%s\n", backends_.where.c_str());
        std::printf("data: %lld rows x %lld features, %zu classes\n\n",
                    static_cast<long long>(data_.n_samples()),
                    static_cast<long long>(data_.n_features()), data_.n_classes());

        // Hold out a fifth of the rows: they never enter the warehouse; the predictor serves them.
        mlpipe::split_options split;
        split.test_fraction = 0.2;
        split.seed = 99;
        const auto parts =
            mlpipe::split_rows(data_.n_samples(), data_.targets(), data_.n_classes(), split);
        arriving_ = parts.train;
        serving_ = data_.subset(parts.test);
        const std::size_t first_batch = arriving_.size() * 3 / 5;

        step("1", "warehouse: the first batch of rows arrives");
        backends_.load_batch(data_, arriving_, 0, first_batch);
        std::printf("    %zu rows in %s (table observations); %lld rows kept aside for serving\n",
                    first_batch, backends_.warehouse.c_str(),
                    static_cast<long long>(serving_.n_samples()));
        retrain_round("2");

        step("4", "a new batch of rows arrives in the warehouse");
        backends_.load_batch(data_, arriving_, first_batch, arriving_.size());
        std::printf("    %zu more rows (%zu in all)\n", arriving_.size() - first_batch,
                    arriving_.size());
        retrain_round("5");

        step("7", "versions of model \"digits\"");
        print_versions();
        step("8", "audit log of alias \"production\"");
        for (const auto& r : registry_.history("digits", "production")) {
            std::printf("    move %llu: %s -> v%llu by %s (%s)\n",
                        static_cast<unsigned long long>(r.sequence),
                        r.from ? ("v" + std::to_string(*r.from)).c_str() : "(unset)",
                        static_cast<unsigned long long>(r.to), r.actor.c_str(), r.reason.c_str());
        }
        std::printf("\ndone in %.1f s\n", seconds_since(started));
        result_.published = registry_.versions("digits").size();
        return 0;
    }

    [[nodiscard]] const demo_result& result() const noexcept { return result_; }

  private:
    /// The predictor re-checks aliases only on a storage event (or after an hour): the demo shows
    /// the event path. Deployments without events set a TTL of seconds.
    static mlpipe::predictor_options serving_options() {
        mlpipe::predictor_options o;
        o.alias_ttl = std::chrono::hours(1);
        return o;
    }

    static void step(const char* number, const std::string& text) {
        std::printf("\n[%s] %s\n", number, text.c_str());
    }

    /// Trigger -> queue -> worker pool -> registry; then serve the held-out rows.
    void retrain_round(const std::string& first_step) {
        auto warehouse = backends_.open_warehouse();
        const auto policy = make_policy();
        step(first_step.c_str(),
             "retraining trigger (policy: >= " + std::to_string(*policy.min_new_rows) +
                 " new rows since the production version)");
        const auto decision =
            mlpipe::check_retraining(policy, warehouse, registry_, queue_, journal_);
        std::printf("    %s: %s\n", decision.due ? "due" : "not due", decision.reason.c_str());
        for (const auto& id : decision.queued)
            std::printf("    queued %s\n", id.c_str());
        const auto again = mlpipe::check_retraining(policy, warehouse, registry_, queue_, journal_);
        std::printf("    checked again at once: %zu queued, %zu already queued (no duplicates)\n",
                    again.queued.size(), again.already_queued.size());

        const unsigned workers = 2;
        step(std::to_string(std::stoi(first_step) + 1).c_str(),
             "training workers: a pool of " + std::to_string(workers) +
                 " threads drains the queue, then exits when idle");
        mlpipe::worker_options options;
        options.name = "worker";
        options.poll_wait = std::chrono::milliseconds(100);
        options.idle_exit = std::chrono::milliseconds(300);
        std::mutex print;
        options.on_event = [&](const mlpipe::worker_event& e) {
            using kind = mlpipe::worker_event::kind;
            std::lock_guard lock(print);
            if (e.type == kind::received) {
                std::printf("    %s  received %s\n", e.worker.c_str(), e.request_id.c_str());
            } else if (e.type == kind::progress && e.step->stage == "fold") {
                std::printf("    %s    %s: fold %lld/%lld cross-validated\n", e.worker.c_str(),
                            e.estimator.c_str(), static_cast<long long>(e.step->step),
                            static_cast<long long>(e.step->steps));
            } else if (e.type == kind::published || e.type == kind::rejected) {
                const auto& o = *e.outcome;
                std::printf(
                    "    %s  %s %s: held-out accuracy %.4f, %s%s%s\n", e.worker.c_str(),
                    e.type == kind::published ? "published" : "rejected",
                    o.version ? ("v" + std::to_string(*o.version)).c_str() : o.estimator.c_str(),
                    o.score, o.gate.c_str(), o.promotion.empty() ? "" : "; ", o.promotion.c_str());
            } else if (e.type == kind::failed) {
                std::printf("    %s  FAILED %s: %s\n", e.worker.c_str(), e.request_id.c_str(),
                            e.message.c_str());
            }
        };
        const auto t = clock_type::now();
        mlpipe::worker_pool pool(queue_, warehouse, store_, workers, options);
        const auto summary = pool.run();
        const auto stats = queue_.stats();
        std::printf(
            "    %llu requests in %.2f s: %llu published, %llu rejected, %llu failed; queue: "
            "%llu visible, %llu in flight, %llu dead\n",
            static_cast<unsigned long long>(summary.received), seconds_since(t),
            static_cast<unsigned long long>(summary.published),
            static_cast<unsigned long long>(summary.rejected),
            static_cast<unsigned long long>(summary.failed),
            static_cast<unsigned long long>(stats.visible),
            static_cast<unsigned long long>(stats.in_flight),
            static_cast<unsigned long long>(stats.dead));
        if (served_version_ != 0) notify_alias_change();
        serve(std::to_string(std::stoi(first_step) + 1) + "b");
    }

    /// Serves the held-out rows through the predictor: one Lambda-style invocation shown in full,
    /// then every row, one request each, timed.
    void serve(const std::string& number) {
        const auto first =
            predictor_.predict("digits", "production", serving_.features().topRows(1));
        step(number.c_str(), "serving through the predictor (alias \"production\")");
        if (served_version_ != 0 && first.version() != served_version_) {
            std::printf("    picked up v%llu without a restart (was v%llu)\n",
                        static_cast<unsigned long long>(first.version()),
                        static_cast<unsigned long long>(served_version_));
        }
        served_version_ = first.version();
        std::string event = R"({"instances": [[)";
        for (Eigen::Index j = 0; j < serving_.n_features(); ++j)
            event +=
                (j == 0 ? "" : ",") + std::to_string(static_cast<int>(serving_.features()(0, j)));
        event += "]]}";
        const std::string answer = handler_.handle(event);
        const auto shown = nlohmann::json::parse(answer);
        std::printf("    handle({\"instances\": [[%d values]]}) -> predictions %s, model %s v%s\n",
                    static_cast<int>(serving_.n_features()),
                    shown.value("predictions", nlohmann::json()).dump().c_str(),
                    shown.value("model", "").c_str(),
                    shown.value("version", nlohmann::json()).dump().c_str());
        std::size_t correct = 0;
        std::vector<double> micros;
        for (Eigen::Index i = 0; i < serving_.n_samples(); ++i) {
            const auto t = clock_type::now();
            const auto p = predictor_.predict("digits", "production", serving_.features().row(i));
            micros.push_back(1e6 * seconds_since(t));
            if (p.classes[0] == serving_.targets()[i]) ++correct;
        }
        std::sort(micros.begin(), micros.end());
        std::printf(
            "    served v%llu (%s): accuracy on %lld rows never seen in training %.4f; "
            "latency per row p50 %.1f us, p99 %.1f us\n",
            static_cast<unsigned long long>(first.version()), first.source->model.kind().c_str(),
            static_cast<long long>(serving_.n_samples()),
            static_cast<double>(correct) / static_cast<double>(serving_.n_samples()),
            micros[micros.size() / 2], micros[micros.size() * 99 / 100]);
        result_.served_accuracy.push_back(static_cast<double>(correct) /
                                          static_cast<double>(serving_.n_samples()));
        result_.served_kind.push_back(first.source->model.kind());
    }

    /// Tells the predictor the production alias changed, as a storage notification would.
    void notify_alias_change() {
        const std::string event =
            R"({"Records": [{"eventSource": "aws:s3", "s3": {"object": {"key": "registry/models/digits/aliases/production.json"}}}]})";
        std::printf("    storage event for registry/models/digits/aliases/production.json -> %s\n",
                    handler_.handle(event).c_str());
    }

    void print_versions() {
        const auto production = registry_.alias("digits", "production");
        std::printf("    %-8s %-22s %6s %10s %10s  %s\n", "version", "estimator", "rows",
                    "accuracy", "champion", "alias");
        for (const auto v : registry_.versions("digits")) {
            const auto info = registry_.version_info("digits", v);
            if (!info) continue;
            const auto& m = info->metadata;
            std::printf(
                "    v%-7llu %-22s %6llu %10.4f %10s  %s\n", static_cast<unsigned long long>(v),
                m.value("estimator", "").c_str(),
                static_cast<unsigned long long>(m.value("rows", std::uint64_t{0})),
                m.value("score", 0.0),
                m.contains("champion_version")
                    ? ("v" + std::to_string(m.at("champion_version").get<std::uint64_t>())).c_str()
                    : "-",
                production == v ? "production" : "");
        }
    }

    demo_backends backends_;
    mlpipe::dataset<double> data_;
    mlpipe::any_blob_store store_;
    mlpipe::model_registry<mlpipe::any_blob_store> registry_;
    mlpipe::request_journal<mlpipe::any_blob_store> journal_;
    mlpipe::any_message_queue queue_;
    mlpipe::predictor<mlpipe::any_blob_store> predictor_;
    mlpipe::handler<mlpipe::any_blob_store> handler_;
    demo_result result_;
    std::uint64_t served_version_ = 0;
    std::vector<Eigen::Index> arriving_;
    mlpipe::dataset<double> serving_;
};

}  // namespace pipeline_example

// SPDX-License-Identifier: Apache-2.0
// The trainer: a request from data to a published, gated, promoted version, on real data
// (iris, breast cancer) in a memory data source and a memory registry.
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/artifact.hpp>
#include <mlpipe/jobs/trainer.hpp>
#include <mlpipe/storage/memory_blob_store.hpp>

#include "jobs_support.hpp"

namespace {

using mlpipe::training_status;

struct trainer_fixture {
    mlpipe::memory_data_source source;
    mlpipe::memory_blob_store store;
    mlpipe::model_registry<mlpipe::memory_blob_store> registry{store};
    trainer_fixture() { source.add("iris", mlpipe::test::real_data("iris.csv")); }
    mlpipe::training_outcome train(const mlpipe::training_request& r,
                                   mlpipe::trainer_options options = {}) {
        return mlpipe::train(r, source, registry, options);
    }
};

}  // namespace

TEST_CASE_METHOD(trainer_fixture, "A request is trained, evaluated and published with its lineage",
                 "[jobs][trainer]") {
    const auto out = train(mlpipe::test::iris_request("iris-1"));
    REQUIRE(out.status == training_status::published);
    CHECK(out.version == 1u);
    CHECK(out.created);
    CHECK(out.rows == 150);
    CHECK(out.test_rows + out.train_rows == 150);
    CHECK(out.test_rows > 15);
    CHECK(out.test_rows < 45);
    CHECK(out.score > 0.85);
    CHECK(out.score <= 1.0);
    CHECK(out.gate_passed);

    const auto resolved = registry.resolve("iris", "1");
    CHECK(resolved.info.request_id == "iris-1");
    CHECK(resolved.info.metadata.at("score") == out.score);
    CHECK(resolved.info.metadata.at("rows") == 150);
    const auto model = mlpipe::load_any(std::as_bytes(std::span(resolved.bytes)));
    CHECK(model.kind() == "logistic_regression");
    CHECK(model.manifest().lineage.request_id == "iris-1");
    CHECK(model.manifest().lineage.dataset_name == "iris");
    CHECK(model.manifest().lineage.row_count == 120);
    CHECK(model.manifest().lineage.dataset_digest.rfind("sha256:", 0) == 0);
    CHECK(model.manifest().preprocessing.size() == 1);
    CHECK(model.manifest().metrics.at("holdout_accuracy") == out.score);

    // The published model scores the held-out rows as the trainer said: same rows, same seed.
    const auto data = mlpipe::test::real_data("iris.csv");
    const auto parts = mlpipe::detail::stable_holdout(data, 0.2, 7);
    REQUIRE(parts.test.size() == out.test_rows);
    const auto test = data.subset(parts.test);
    CHECK(mlpipe::accuracy_score(test.targets(), model.predict(test.features())) == out.score);
}

TEST_CASE_METHOD(trainer_fixture, "A request trained twice publishes one version",
                 "[jobs][trainer]") {
    const auto first = train(mlpipe::test::iris_request("same-id"));
    const auto second = train(mlpipe::test::iris_request("same-id"));
    CHECK(first.created);
    CHECK_FALSE(second.created);
    CHECK(second.version == first.version);
    CHECK(registry.versions("iris").size() == 1);
}

TEST_CASE_METHOD(trainer_fixture, "The minimum score gate rejects and publishes nothing",
                 "[jobs][trainer]") {
    auto r = mlpipe::test::iris_request("too-strict");
    r.validation.min_score = 1.01;
    const auto out = train(r);
    CHECK(out.status == training_status::rejected);
    CHECK_FALSE(out.gate_passed);
    CHECK(out.gate.find("minimum 1.0100") != std::string::npos);
    CHECK_FALSE(out.version);
    CHECK(registry.versions("iris").empty());
}

TEST_CASE_METHOD(trainer_fixture, "A candidate must beat the champion to be published and promoted",
                 "[jobs][trainer]") {
    // A weak champion: 1-nearest neighbour on the unscaled data... then a stronger candidate.
    auto weak = mlpipe::test::iris_request("weak", "gaussian_naive_bayes");
    weak.promote = "production";
    weak.validation.champion = mlpipe::champion_spec{};
    const auto first = train(weak);
    REQUIRE(first.status == training_status::published);
    CHECK(first.promoted);
    CHECK(registry.alias("iris", "production") == first.version);
    CHECK(first.gate.find("no champion") != std::string::npos);

    // The same model again under another id scores exactly the same: a margin makes it lose.
    auto same = weak;
    same.request_id = "same-again";
    same.validation.champion->margin = 0.001;
    const auto lost = train(same);
    CHECK(lost.status == training_status::rejected);
    CHECK(lost.champion_version == first.version);
    CHECK(lost.champion_score == first.score);
    CHECK(registry.versions("iris").size() == 1);

    // Without a margin an equal score passes (>=), and the alias moves.
    same.request_id = "same-no-margin";
    same.validation.champion->margin = 0.0;
    const auto tied = train(same);
    CHECK(tied.status == training_status::published);
    CHECK(tied.promoted);
    CHECK(registry.alias("iris", "production") == tied.version);
    const auto history = registry.history("iris", "production");
    REQUIRE(history.size() == 2);
    CHECK(history[1].reason.find("same-no-margin") != std::string::npos);
}

TEST_CASE_METHOD(trainer_fixture, "k-fold validation gates on the mean fold score",
                 "[jobs][trainer]") {
    auto r = mlpipe::test::iris_request("kfold");
    r.validation.method = mlpipe::validation_method::k_fold;
    r.validation.folds = 4;
    r.validation.metric = "f1_macro";
    r.validation.min_score = 0.5;
    int folds_seen = 0;
    mlpipe::trainer_options options;
    options.on_progress = [&](const mlpipe::progress& p) {
        if (p.stage == "fold") ++folds_seen;
        return true;
    };
    const auto out = train(r, options);
    REQUIRE(out.status == training_status::published);
    REQUIRE(out.cv_mean);
    CHECK(*out.cv_mean > 0.8);
    CHECK(folds_seen == 4);
    CHECK(out.gate.find("k-fold mean") != std::string::npos);
}

TEST_CASE_METHOD(trainer_fixture, "A progress callback that says stop cancels without publishing",
                 "[jobs][trainer]") {
    mlpipe::trainer_options options;
    options.on_progress = [](const mlpipe::progress& p) { return p.stage != "evaluate"; };
    CHECK_THROWS_AS(train(mlpipe::test::iris_request("stopped"), options),
                    mlpipe::training_cancelled);
    CHECK(registry.versions("iris").empty());
}

TEST_CASE_METHOD(trainer_fixture, "Bad data and unknown data sets are typed errors",
                 "[jobs][trainer]") {
    auto r = mlpipe::test::iris_request("missing-data");
    r.dataset.name = "irises";
    try {
        (void)train(r);
        FAIL("no error");
    } catch (const mlpipe::invalid_input_error& e) {
        CHECK(e.subject() == "dataset");
        CHECK(std::string(e.what()).find("irises") != std::string::npos);
    }

    auto data = mlpipe::test::real_data("iris.csv");
    mlpipe::feature_matrix<double> x = data.features();
    x(3, 2) = std::numeric_limits<double>::quiet_NaN();
    source.add("iris-nan",
               mlpipe::dataset<double>(x, data.targets(), data.classes(), data.feature_names()));
    r.dataset.name = "iris-nan";
    CHECK_THROWS_AS(train(r), mlpipe::invalid_input_error);
    // With an imputer first, the same data trains.
    r.preprocessing.insert(r.preprocessing.begin(),
                           mlpipe::step_spec{"simple_imputer", nlohmann::json::object()});
    CHECK(train(r).status == training_status::published);
}

TEST_CASE("Held-out rows stay held out as the data set grows", "[jobs][trainer]") {
    const auto data = mlpipe::test::real_data("wine.csv");
    std::vector<Eigen::Index> first;
    for (Eigen::Index i = 0; i < data.n_samples(); i += 2)
        first.push_back(i);
    const auto early = mlpipe::detail::stable_holdout(data.subset(first), 0.25, 11);
    const auto late = mlpipe::detail::stable_holdout(data, 0.25, 11);
    const std::set<Eigen::Index> late_test(late.test.begin(), late.test.end());
    for (const auto i : early.test)
        CHECK(late_test.count(first[static_cast<std::size_t>(i)]) == 1);
    const double share =
        static_cast<double>(late.test.size()) / static_cast<double>(data.n_samples());
    CHECK(share > 0.15);
    CHECK(share < 0.35);
    // Another seed holds out other rows.
    CHECK(mlpipe::detail::stable_holdout(data, 0.25, 12).test != late.test);
}

TEST_CASE_METHOD(trainer_fixture, "Concurrent trainings of one model leave the alias on the best",
                 "[jobs][trainer]") {
    source.add("wine", mlpipe::test::real_data("wine.csv"));
    const std::vector<std::string> kinds = {"logistic_regression", "linear_svm",
                                            "gaussian_naive_bayes", "k_nearest_neighbors"};
    std::vector<mlpipe::training_outcome> outcomes(kinds.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        threads.emplace_back([&, i] {
            auto r = mlpipe::test::iris_request("wine-" + kinds[i], kinds[i]);
            r.model = "wine";
            r.dataset.name = "wine";
            r.promote = "production";
            r.validation.champion = mlpipe::champion_spec{"production", 0.0};
            outcomes[i] = train(r);
        });
    }
    for (auto& t : threads)
        t.join();
    double best = 0;
    for (const auto& o : outcomes)
        best = std::max(best, o.score);
    const auto production = registry.alias("wine", "production");
    REQUIRE(production);
    CHECK(registry.version_info("wine", *production)->metadata.at("score") == best);
}

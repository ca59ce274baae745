// SPDX-License-Identifier: Apache-2.0
// Tests of decision_tree and random_forest: exact fits, limits, importances, determinism across
// thread counts, out-of-bag scores, accuracy on the shipped data sets, callbacks, bad input.
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mlpipe/data/csv.hpp>
#include <mlpipe/data/split.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/evaluation/grid_search.hpp>
#include <mlpipe/evaluation/metrics.hpp>
#include <mlpipe/evaluation/stratified_k_fold.hpp>
#include <mlpipe/models/tree/decision_tree.hpp>
#include <mlpipe/models/tree/random_forest.hpp>

#include "test_support.hpp"

static_assert(mlpipe::classifier<mlpipe::decision_tree<double>>);
static_assert(mlpipe::classifier<mlpipe::decision_tree<float>>);
static_assert(mlpipe::classifier<mlpipe::random_forest<double>>);
static_assert(mlpipe::classifier<mlpipe::random_forest<float>>);

using mlpipe::decision_tree;
using mlpipe::random_forest;

namespace {

/// XOR of the signs of two coordinates, on a jittered grid (no point on an axis).
mlpipe::dataset<double> xor_data() {
    mlpipe::feature_matrix<double> x(64, 2);
    mlpipe::class_index_vector y(64);
    for (int i = 0; i < 64; ++i) {
        const double a = (i % 8) - 3.5 + 0.01 * (i % 3);
        const double b = (i / 8) - 3.5 - 0.01 * (i % 5);
        x(i, 0) = a;
        x(i, 1) = b;
        y[i] = (a > 0) != (b > 0) ? 1 : 0;
    }
    return {x, y, mlpipe::label_map::from_integers({0, 1})};
}

/// The subject (parameter name) of the invalid_input_error `f` throws.
template <class F>
std::string error_subject(F&& f) {
    try {
        f();
    } catch (const mlpipe::invalid_input_error& e) {
        return e.subject();
    }
    return "<no error>";
}

std::pair<mlpipe::dataset<double>, mlpipe::dataset<double>> real_split(const std::string& name) {
    const auto data = mlpipe::read_csv(mlpipe::test::data_path(name + ".csv"));
    const auto parts = mlpipe::split_rows(data.n_samples(), data.targets(), data.n_classes(),
                                          {.test_fraction = 0.2, .seed = 0});
    return {data.subset(parts.train), data.subset(parts.test)};
}

}  // namespace

TEST_CASE("a decision tree fits XOR exactly", "[models][tree]") {
    const auto data = xor_data();
    for (auto criterion : {mlpipe::split_criterion::gini, mlpipe::split_criterion::entropy}) {
        decision_tree<double> tree({.criterion = criterion});
        const auto report = tree.fit(data);
        CHECK(report.status == mlpipe::fit_status::converged);
        CHECK(tree.predict(data.features()) == data.targets());
        CHECK(tree.depth() >= 2);
        const auto p = tree.predict_proba(data.features());
        CHECK(p.minCoeff() == 0.0);  // pure leaves
        CHECK(p.maxCoeff() == 1.0);
    }
    decision_tree<double> stump({.max_depth = 1});
    (void)stump.fit(data);
    CHECK(stump.depth() == 1);
    CHECK(stump.leaf_count() == 2);
    CHECK(mlpipe::accuracy_score(data.targets(), stump.predict(data.features())) < 0.8);
}

TEST_CASE("depth and leaf-size limits hold", "[models][tree]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 300, .n_features = 6, .n_informative = 4, .n_classes = 3, .seed = 3});
    for (std::int64_t depth : {1, 2, 4}) {
        decision_tree<double> tree({.max_depth = depth});
        (void)tree.fit(data);
        CHECK(tree.depth() == depth);
    }
    decision_tree<double> full;
    (void)full.fit(data);
    CHECK(full.depth() > 4);
    CHECK(mlpipe::accuracy_score(data.targets(), full.predict(data.features())) == 1.0);
    // min_samples_leaf = 30 on 300 rows: at most 10 leaves, and every leaf's probabilities are
    // multiples of 1/size with size >= 30.
    decision_tree<double> coarse({.min_samples_leaf = 30});
    (void)coarse.fit(data);
    CHECK(coarse.leaf_count() <= 10);
    CHECK(coarse.leaf_count() >= 2);
    decision_tree<double> few({.min_samples_split = 301});
    (void)few.fit(data);
    CHECK(few.node_count() == 1);
    CHECK(few.feature_importances().isZero());
    random_forest<double> forest({.n_estimators = 4, .max_depth = 3});
    (void)forest.fit(data);
    for (std::size_t t = 0; t < forest.n_trees(); ++t)
        CHECK(forest.tree_depth(t) <= 3);
}

TEST_CASE("feature importances are normalised and find the informative features",
          "[models][tree]") {
    // Only feature 2 decides the class; the others are noise.
    const auto noise = mlpipe::make_classification(
        {.n_samples = 400, .n_features = 5, .n_informative = 2, .n_redundant = 0, .seed = 4});
    mlpipe::feature_matrix<double> x = noise.features();
    mlpipe::class_index_vector y(x.rows());
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        y[i] = x(i, 2) > 0.3 ? 1 : 0;
    const mlpipe::dataset<double> data(x, y, mlpipe::label_map::from_integers({0, 1}));
    decision_tree<double> tree;
    (void)tree.fit(data);
    CHECK(tree.feature_importances().sum() == Approx(1.0));
    CHECK(tree.feature_importances()[2] == Approx(1.0));  // one split on feature 2 suffices
    CHECK(tree.node_count() == 3);
    random_forest<double> forest({.n_estimators = 10});
    (void)forest.fit(data);
    const auto& imp = forest.feature_importances();
    CHECK(imp.sum() == Approx(1.0));
    CHECK(imp.minCoeff() >= 0.0);
    Eigen::Index top = 0;
    imp.maxCoeff(&top);
    CHECK(top == 2);
}

TEST_CASE("a random forest is the same whatever the thread count", "[models][tree][forest]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 300, .n_features = 8, .n_informative = 4, .n_classes = 3, .seed = 5});
    random_forest<double> one({.n_estimators = 6, .oob_score = true, .seed = 9});
    random_forest<double> two({.n_estimators = 6, .oob_score = true, .seed = 9});
    mlpipe::fit_options single;
    mlpipe::fit_options pair;
    pair.threads = 2;
    (void)one.fit(data, single);
    (void)two.fit(data, pair);
    const auto p = one.predict_proba(data.features());
    CHECK(two.predict_proba(data.features()) == p);
    CHECK(one.feature_importances() == two.feature_importances());
    CHECK(one.oob_score() == two.oob_score());
    random_forest<double> other({.n_estimators = 6, .seed = 10});
    (void)other.fit(data, pair);
    CHECK(other.predict_proba(data.features()) != p);
    // predict_proba_row agrees with the batch, bit for bit, and so do parallel batches.
    std::vector<double> out(3);
    for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
        one.predict_proba_row(std::span<const double>(data.features().row(i).data(), 8), out);
        for (Eigen::Index c = 0; c < 3; ++c)
            REQUIRE(out[static_cast<std::size_t>(c)] == p(i, c));
    }
    // Batches shorter than, equal to and just past the 16 rows a tree walks at once.
    for (const Eigen::Index rows : {0, 1, 3, 15, 16, 17, 33}) {
        INFO(rows << " rows");
        CHECK(one.predict_proba(data.features().topRows(rows)) == p.topRows(rows));
    }
    random_forest<double> parallel_predict({.n_estimators = 6, .seed = 9, .predict_threads = 2});
    (void)parallel_predict.fit(data);
    CHECK(parallel_predict.predict_proba(data.features()) == p);
    // Probabilities are means of leaf frequencies.
    CHECK((p.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
}

TEMPLATE_TEST_CASE("a forest's batch prediction equals its single-row prediction, bit for bit",
                   "[models][tree][forest]", float, double) {
    // Batches of 256 rows or more measure how the rows flow through the first tree; on
    // make_hastie_10_2 they keep meeting in large groups, so the other trees are partitioned (at
    // each split); on the 5-class problem they scatter over small leaves and every tree is walked
    // row by row. Small batches are always walked. Fully grown trees have pure leaves only, and
    // their forests count votes; depth-limited trees have mixed leaves, and their forests sum
    // probabilities. Every way gives the same bits.
    const auto hastie = mlpipe::make_hastie_10_2({.n_samples = 3000, .seed = 4});
    const auto classes = mlpipe::make_classification(
        {.n_samples = 3000, .n_features = 12, .n_informative = 8, .n_classes = 5, .seed = 4});
    for (const auto* data : {&hastie, &classes}) {
        const auto typed = data->template cast<TestType>();
        for (const std::int64_t max_depth : {0, 7}) {
            INFO("max_depth " << max_depth << ", " << data->n_classes() << " classes");
            random_forest<TestType> forest(
                {.n_estimators = 12, .max_depth = max_depth, .seed = 3, .predict_threads = 2});
            (void)forest.fit(typed);
            const auto k = static_cast<Eigen::Index>(typed.n_classes());
            // Only the one-hot rows in the leaf table when every leaf is pure.
            const std::size_t leaf_rows =
                forest.packed().leaf_values().size() / static_cast<std::size_t>(k);
            CHECK((leaf_rows == static_cast<std::size_t>(k)) == (max_depth == 0));
            const auto d = static_cast<std::size_t>(typed.n_features());
            const auto p = forest.predict_proba(typed.features());
            std::vector<TestType> out(static_cast<std::size_t>(k));
            for (Eigen::Index i = 0; i < typed.n_samples(); ++i) {
                forest.predict_proba_row(
                    std::span<const TestType>(typed.features().row(i).data(), d), out);
                for (Eigen::Index c = 0; c < k; ++c)
                    REQUIRE(out[static_cast<std::size_t>(c)] == p(i, c));
            }
            for (const Eigen::Index rows : {255, 256, 257, 1000}) {
                INFO(rows << " rows");
                CHECK(forest.predict_proba(typed.features().bottomRows(rows)) ==
                      p.bottomRows(rows));
            }
        }
    }
}

TEST_CASE("tree models reach sensible accuracy on the shipped data sets", "[models][tree]") {
    // Stratified 80/20 split, seed 0 (examples/model_accuracy's). scikit-learn 1.2 on the same
    // rows: DecisionTreeClassifier(random_state=0) and RandomForestClassifier(n_estimators=20,
    // random_state=0) score within a few points of the floors' margins below.
    struct expectation {
        const char* name;
        double tree_floor;
        double forest_floor;
    };
    for (const auto& e :
         {expectation{"iris", 0.86, 0.9}, expectation{"wine", 0.85, 0.94},
          expectation{"breast_cancer", 0.88, 0.92}, expectation{"digits", 0.80, 0.92}}) {
        INFO(e.name);
        const auto [train, test] = real_split(e.name);
        decision_tree<double> tree;
        (void)tree.fit(train);
        const double tree_accuracy =
            mlpipe::accuracy_score(test.targets(), tree.predict(test.features()));
        random_forest<double> forest({.n_estimators = 20, .oob_score = true});
        mlpipe::fit_options options;
        options.threads = 2;
        (void)forest.fit(train, options);
        const double forest_accuracy =
            mlpipe::accuracy_score(test.targets(), forest.predict(test.features()));
        WARN(e.name << ": tree " << tree_accuracy << ", forest " << forest_accuracy << ", oob "
                    << forest.oob_score());
        CHECK(tree_accuracy >= e.tree_floor);
        CHECK(forest_accuracy >= e.forest_floor);
        // The out-of-bag estimate tracks held-out accuracy.
        CHECK(std::abs(forest.oob_score() - forest_accuracy) < 0.08);
    }
}

TEST_CASE("float and double trees agree on the same data", "[models][tree]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 200, .n_features = 5, .n_informative = 3, .n_classes = 3, .seed = 8});
    const auto data_f = data.cast<float>();
    random_forest<double> d({.n_estimators = 5});
    random_forest<float> f({.n_estimators = 5});
    (void)d.fit(data);
    (void)f.fit(data_f);
    const auto pd = d.predict(data.features());
    const auto pf = f.predict(data_f.features());
    Eigen::Index same = 0;
    for (Eigen::Index i = 0; i < pd.size(); ++i)
        same += pd[i] == pf[i] ? 1 : 0;
    CHECK(same >= pd.size() - 2);
}

TEST_CASE("weights: zero-weight rows are left out, balanced means n / (k count)",
          "[models][tree]") {
    const auto data = mlpipe::make_classification({.n_samples = 200,
                                                   .n_features = 5,
                                                   .n_informative = 3,
                                                   .n_classes = 3,
                                                   .weights = {0.6, 0.3, 0.1},
                                                   .seed = 12});
    std::vector<double> weight(200, 1.0);
    std::vector<Eigen::Index> kept;
    for (Eigen::Index i = 0; i < 200; ++i) {
        if (i % 3 == 0) {
            weight[static_cast<std::size_t>(i)] = 0.0;
        } else {
            kept.push_back(i);
        }
    }
    decision_tree<double> weighted({.seed = 2});
    decision_tree<double> subset({.seed = 2});
    (void)weighted.fit(data, weight);
    (void)subset.fit(data.subset(kept));
    CHECK(weighted.predict_proba(data.features()) == subset.predict_proba(data.features()));

    const auto counts = data.class_counts();
    std::vector<double> explicit_weights;
    for (auto c : counts)
        explicit_weights.push_back(200.0 / (3.0 * static_cast<double>(c)));
    random_forest<double> balanced(
        {.n_estimators = 4, .max_depth = 4, .class_weight = mlpipe::class_weighting::balanced});
    random_forest<double> by_hand(
        {.n_estimators = 4, .max_depth = 4, .class_weights = explicit_weights});
    random_forest<double> plain({.n_estimators = 4, .max_depth = 4});
    (void)balanced.fit(data);
    (void)by_hand.fit(data);
    (void)plain.fit(data);
    const auto p = balanced.predict_proba(data.features());
    CHECK(by_hand.predict_proba(data.features()) == p);
    CHECK(plain.predict_proba(data.features()) != p);
    // Balancing raises the rare class's mean probability.
    CHECK(p.col(2).mean() > plain.predict_proba(data.features()).col(2).mean());
}

TEST_CASE("a forest reports each tree and stops when a callback asks", "[models][tree][forest]") {
    const auto data = mlpipe::make_classification({.n_samples = 150, .n_features = 4, .seed = 6});
    std::vector<std::int64_t> steps;
    mlpipe::fit_options options;
    options.on_progress = [&](const mlpipe::progress& p) {
        CHECK(p.stage == "tree");
        CHECK(p.steps == 10);
        steps.push_back(p.step);
        return p.step < 3;
    };
    random_forest<double> forest({.n_estimators = 10});
    const auto report = forest.fit(data, options);
    CHECK(report.status == mlpipe::fit_status::stopped_by_callback);
    CHECK(report.iterations == 3);
    CHECK(forest.n_trees() == 3);
    CHECK(steps == std::vector<std::int64_t>{1, 2, 3});
    CHECK(forest.predict(data.features()).size() == 150);  // usable

    steps.clear();
    options.on_progress = [&](const mlpipe::progress& p) {
        steps.push_back(p.step);
        return true;
    };
    options.threads = 2;
    CHECK(forest.fit(data, options).status == mlpipe::fit_status::converged);
    CHECK(steps.size() == 10);
    CHECK(forest.n_trees() == 10);
}

TEST_CASE("tree hyperparameters round-trip through JSON and drive a grid search",
          "[models][tree]") {
    using nlohmann::json;
    const auto p = mlpipe::random_forest_params::from_json(
        json::parse(R"({"n_estimators": 7, "max_features": 0.5, "criterion": "entropy",
                        "class_weight": "balanced", "max_depth": 3})"));
    CHECK(p.n_estimators == 7);
    CHECK(p.max_features == mlpipe::max_features_option::of_fraction(0.5));
    CHECK(p.criterion == mlpipe::split_criterion::entropy);
    CHECK(mlpipe::random_forest_params::from_json(p.to_json()).to_json() == p.to_json());
    for (const char* text : {R"("all")", R"("sqrt")", R"("log2")", "3", "0.25", "null"}) {
        const auto q =
            mlpipe::decision_tree_params::from_json(json{{"max_features", json::parse(text)}});
        CHECK(mlpipe::decision_tree_params::from_json(q.to_json()).max_features == q.max_features);
    }
    CHECK(error_subject([] {
              (void)mlpipe::decision_tree_params::from_json(json{{"max_features", "half"}});
          }) == "decision_tree.max_features");
    CHECK(error_subject([] {
              (void)mlpipe::decision_tree_params::from_json(json{{"depth", 3}});
          }) == "decision_tree.depth");

    const auto data = mlpipe::make_classification(
        {.n_samples = 120, .n_features = 4, .n_informative = 2, .seed = 7});
    const auto folds = mlpipe::stratified_k_fold(data, {.n_splits = 3});
    const auto factory = [](const json& h) {
        return decision_tree<double>(mlpipe::decision_tree_params::from_json(h));
    };
    const auto result = mlpipe::grid_search(factory, json::parse(R"({"max_depth": [1, 3]})"), data,
                                            folds, mlpipe::make_scorers({"accuracy"}));
    REQUIRE(result.candidates.size() == 2);
    CHECK(result.candidates[0].params == json{{"max_depth", 1}});
}

TEST_CASE("tree models reject bad input and nonsense hyperparameters with typed errors",
          "[models][tree]") {
    CHECK(error_subject([] { random_forest<double>({.n_estimators = 0}); }) == "n_estimators");
    CHECK(error_subject([] { decision_tree<double>({.max_depth = -1}); }) == "max_depth");
    CHECK(error_subject([] { random_forest<double>({.max_depth = -2}); }) == "max_depth");
    CHECK(error_subject([] { decision_tree<double>({.min_samples_leaf = 0}); }) ==
          "min_samples_leaf");
    CHECK(error_subject([] { decision_tree<double>({.min_samples_split = 1}); }) ==
          "min_samples_split");
    CHECK(error_subject([] {
              decision_tree<double>(
                  {.max_features = mlpipe::max_features_option::of_fraction(1.5)});
          }) == "max_features");
    CHECK(error_subject([] {
              decision_tree<double>({.max_features = mlpipe::max_features_option::of_count(0)});
          }) == "max_features");
    CHECK(error_subject([] { random_forest<double>({.bootstrap = false, .oob_score = true}); }) ==
          "oob_score");
    CHECK(error_subject([] {
              decision_tree<double>({.class_weights = {1.0, -1.0}});
          }) == "class_weights");

    const auto data = mlpipe::make_classification({.n_samples = 40, .n_features = 4, .seed = 3});
    decision_tree<double> too_many({.max_features = mlpipe::max_features_option::of_count(5)});
    CHECK(error_subject([&] { (void)too_many.fit(data); }) == "max_features");
    decision_tree<double> tree;
    CHECK_THROWS_AS(tree.predict(data.features()), mlpipe::not_fitted_error);
    std::vector<double> out(2);
    CHECK_THROWS_AS(
        tree.predict_proba_row(std::span<const double>(data.features().row(0).data(), 4), out),
        mlpipe::not_fitted_error);
    CHECK(error_subject([&] { (void)tree.fit(data, std::vector<double>(3, 1.0)); }) ==
          "sample_weight");
    CHECK(error_subject([&] { (void)tree.fit(data, std::vector<double>(40, 0.0)); }) ==
          "sample_weight");
    (void)tree.fit(data);
    CHECK_THROWS_AS(tree.predict(mlpipe::feature_matrix<double>::Zero(1, 3)),
                    mlpipe::invalid_input_error);
    mlpipe::feature_matrix<double> x = data.features();
    x(1, 2) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(tree.predict(x), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(tree.predict_proba_row(std::span<const double>(x.row(1).data(), 4), out),
                    mlpipe::invalid_input_error);
    CHECK_THROWS_AS(tree.fit({x, data.targets(), data.classes()}), mlpipe::invalid_input_error);
    x(1, 2) = std::numeric_limits<double>::infinity();
    random_forest<double> forest({.n_estimators = 2});
    CHECK_THROWS_AS(forest.fit({x, data.targets(), data.classes()}), mlpipe::invalid_input_error);
    const mlpipe::class_index_vector one_class = mlpipe::class_index_vector::Zero(40);
    CHECK_THROWS_AS(forest.fit({data.features(), one_class, data.classes()}),
                    mlpipe::invalid_input_error);
    CHECK_THROWS_AS(forest.fit({mlpipe::feature_matrix<double>(0, 4), mlpipe::class_index_vector(0),
                                data.classes()}),
                    mlpipe::invalid_input_error);
}

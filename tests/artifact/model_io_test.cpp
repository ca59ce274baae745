// SPDX-License-Identifier: Apache-2.0
// Tests of artifact/model_io.hpp and artifact/any_model.hpp: every kind and scalar type saves,
// encodes, decodes and loads back to bit-identical predictions; mismatches are typed errors.
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/artifact.hpp>
#include <mlpipe/artifact/any_model.hpp>
#include <mlpipe/data/csv.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/models.hpp>
#include <mlpipe/preprocessing.hpp>

#include "test_support.hpp"

using namespace mlpipe;

namespace {
template <class Scalar>
dataset<Scalar> wine() {
    return read_csv<Scalar>(test::data_path("wine.csv"));
}

/// Saves `model`, encodes, decodes, loads as Model and through load_any: predictions must be equal
/// bit for bit.
template <class Model>
void check_round_trip(const Model& model, const feature_matrix<typename Model::scalar_type>& x) {
    using scalar = typename Model::scalar_type;
    const auto bytes = encode_artifact(to_artifact(model));
    const auto back = load<Model>(decode_artifact(bytes));
    const auto expected = model.predict_proba(x);
    CHECK(back.predict_proba(x) == expected);
    CHECK(back.predict(x) == model.predict(x));
    CHECK(back.classes() == model.classes());
    CHECK(back.feature_names() == model.feature_names());

    const any_model any = load_any(bytes);
    CHECK(any.kind() == decode_artifact(bytes).manifest().kind);
    CHECK(any.n_features() == model.n_features());
    const feature_matrix<double> xd = x.template cast<double>();
    const auto any_proba = any.predict_proba(xd);
    CHECK(any_proba == expected.template cast<double>());
    // One pass gives what the two calls give, bit for bit.
    const auto both = predict_with_proba(model, x);
    CHECK(both.classes == model.predict(x));
    CHECK(both.probabilities == expected);
    const auto any_both = any.predict_with_proba(xd);
    CHECK(any_both.classes == any.predict(xd));
    CHECK(any_both.probabilities == any_proba);
    std::vector<double> row(static_cast<std::size_t>(any_proba.cols()));
    any.predict_proba_row(
        std::span<const double>(xd.row(0).data(), static_cast<std::size_t>(xd.cols())), row);
    CHECK(row[0] == static_cast<double>(expected(0, 0)));
    (void)sizeof(scalar);
}

template <class Scalar>
void check_every_kind() {
    const auto data = wine<Scalar>();
    const auto& x = data.features();
    using steps = std::vector<any_transformer<Scalar>>;
    {
        pipeline<logistic_regression<Scalar>> m(steps{standard_scaler<Scalar>{}});
        (void)m.fit(data);
        check_round_trip(m, x);
    }
    {
        pipeline<linear_svm<Scalar>> m(steps{min_max_scaler<Scalar>{}},
                                       linear_svm<Scalar>({.probability = true}));
        (void)m.fit(data);
        check_round_trip(m, x);
    }
    {
        gaussian_naive_bayes<Scalar> m;
        (void)m.fit(data);
        check_round_trip(m, x);
        check_round_trip(pipeline<gaussian_naive_bayes<Scalar>>::restore({}, m, m.feature_names()),
                         x);
    }
    {
        pipeline<k_nearest_neighbors<Scalar>> m(
            steps{simple_imputer<Scalar>({.strategy = impute_strategy::median}),
                  standard_scaler<Scalar>{}},
            k_nearest_neighbors<Scalar>({.k = 3, .weights = neighbor_weighting::distance}));
        (void)m.fit(data);
        check_round_trip(m, x);
    }
    {
        decision_tree<Scalar> m({.max_depth = 6, .seed = 3});
        (void)m.fit(data);
        check_round_trip(m, x);
        const auto back =
            load<decision_tree<Scalar>>(decode_artifact(encode_artifact(to_artifact(m))));
        CHECK(back.feature_importances() == m.feature_importances());
        CHECK(back.node_count() == m.node_count());
    }
    {
        pipeline<random_forest<Scalar>> m(
            steps{standard_scaler<Scalar>{}},
            random_forest<Scalar>({.n_estimators = 7, .oob_score = true}));
        (void)m.fit(data);
        check_round_trip(m, x);
        const auto back = load<pipeline<random_forest<Scalar>>>(to_artifact(m));
        CHECK(back.model().oob_score() == m.model().oob_score());
        CHECK(back.model().n_trees() == 7);
    }
    for (std::size_t classes : {3u, 2u}) {
        // Three classes (softmax output), and two (one logistic output unit).
        auto labels = data.targets();
        if (classes == 2) labels = (labels.array() > 0).template cast<std::int32_t>();
        const dataset<Scalar> part(x, labels,
                                   classes == 2 ? label_map::from_integers({0, 1}) : data.classes(),
                                   data.feature_names());
        pipeline<mlp<Scalar>> m(
            steps{standard_scaler<Scalar>{}},
            mlp<Scalar>(
                {.hidden_layer_sizes = {6, 4}, .activation = mlp_activation::tanh, .max_iter = 3}));
        (void)m.fit(part);
        check_round_trip(m, x);
        const auto a = to_artifact(m);
        CHECK(a.manifest().kind == "mlp");
        CHECK(a.find_tensor("layers.0.weights") != nullptr);
        CHECK(a.find_tensor("layers.2.biases") != nullptr);
        CHECK(a.find_tensor("layers.3.weights") == nullptr);
    }
}
}  // namespace

TEST_CASE("every kind round-trips to bit-identical predictions (double)", "[artifact][models]") {
    check_every_kind<double>();
}

TEST_CASE("every kind round-trips to bit-identical predictions (float)", "[artifact][models]") {
    check_every_kind<float>();
}

TEST_CASE("a forest is stored as packed tensors, and corrupt trees are format errors",
          "[artifact][models][tree]") {
    using Catch::Matchers::Contains;
    const auto data = wine<double>();
    random_forest<double> m({.n_estimators = 3});
    (void)m.fit(data);
    const auto a = to_artifact(m);
    CHECK(a.manifest().kind == "random_forest");
    const std::size_t nodes = m.packed().nodes().size();
    CHECK(a.tensor("nodes").shape() == std::vector<std::uint64_t>{nodes, 16});
    CHECK(a.tensor("tree_roots").element_count() == 3);
    CHECK(a.manifest().hyperparameters["max_features"] == "sqrt");
    CHECK(a.tensors().size() == 4);  // nodes, roots, leaf table, importances: no per-node JSON

    // The records are {f64 threshold, i32 feature, i32 child}, little-endian.
    const auto records = a.tensor("nodes").values<std::uint8_t>();
    const auto root = m.packed().nodes()[0];
    REQUIRE(root.feature >= 0);
    CHECK(mlpipe::detail::load_le<double>(records.data()) == root.threshold);
    CHECK(mlpipe::detail::load_le<std::int32_t>(records.data() + 8) == root.feature);
    CHECK(mlpipe::detail::load_le<std::int32_t>(records.data() + 12) == root.child);

    // A child pointing back to its parent would loop forever: rejected.
    const auto replace = [&](const std::string& name, std::vector<std::int32_t> values) {
        artifact b(a.manifest());
        for (const auto& t : a.tensors()) {
            if (t.name() == name) {
                b.add_tensor<std::int32_t>(name, values, {values.size()});
            } else {
                b.add_tensor(t);
            }
        }
        return b;
    };
    const auto patch_root = [&](std::size_t offset, std::int32_t value) {
        std::vector<std::uint8_t> bytes(records.begin(), records.end());
        mlpipe::detail::store_le(bytes.data() + offset, value);
        artifact b(a.manifest());
        for (const auto& t : a.tensors()) {
            if (t.name() == "nodes") {
                b.add_tensor<std::uint8_t>("nodes", bytes, t.shape());
            } else {
                b.add_tensor(t);
            }
        }
        return b;
    };
    CHECK_THROWS_AS(load<random_forest<double>>(patch_root(12, 0)), format_error);  // looped
    CHECK_THROWS_AS(load<random_forest<double>>(patch_root(8, 13)), format_error);  // wine has 13
    CHECK_THROWS_AS(load<random_forest<float>>(a), format_error);  // f64 records, not f32
    CHECK_THROWS_AS(load<random_forest<double>>(replace("tree_roots", {0, 5, 3})), format_error);
    CHECK_THROWS_AS(load_any(replace("tree_roots", {1})), format_error);

    // The first leaf rows must be the one-hot rows that pure leaves share (batch prediction
    // counts those leaves as votes): a first row of {0.5, 0.5, 0} is a probability, but refused.
    const auto leaves = a.tensor("leaf_values");
    const auto values = leaves.values<double>();
    std::vector<double> bent(values.begin(), values.end());
    bent[0] = 0.5;
    bent[1] = 0.5;
    artifact b(a.manifest());
    for (const auto& t : a.tensors()) {
        if (t.name() == "leaf_values") {
            b.add_tensor<double>("leaf_values", bent, t.shape());
        } else {
            b.add_tensor(t);
        }
    }
    CHECK_THROWS_AS(load<random_forest<double>>(b), format_error);
    CHECK_THROWS_WITH(load<random_forest<double>>(b), Contains("one-hot"));
}

TEST_CASE("a forest stored as parallel node tensors (the earlier layout) still loads",
          "[artifact][models][tree]") {
    const auto data = wine<float>();
    random_forest<float> m({.n_estimators = 4, .seed = 2});
    (void)m.fit(data);
    const auto a = to_artifact(m);
    // The layout of development builds before the node records (the v1 golden tree files).
    artifact legacy(a.manifest());
    std::vector<std::int32_t> feature;
    std::vector<std::int32_t> child;
    std::vector<float> threshold;
    for (const auto& v : m.packed().nodes()) {
        feature.push_back(v.feature);
        child.push_back(v.child);
        threshold.push_back(v.threshold);
    }
    legacy.add_tensor<std::int32_t>("node_feature", feature, {feature.size()});
    legacy.add_tensor<std::int32_t>("node_child", child, {child.size()});
    legacy.add_tensor<float>("node_threshold", threshold, {threshold.size()});
    for (const auto& t : a.tensors())
        if (t.name() != "nodes") legacy.add_tensor(t);
    const auto loaded = load<random_forest<float>>(legacy);
    CHECK(loaded.predict_proba(data.features()) == m.predict_proba(data.features()));
    CHECK(to_artifact(loaded) == a);  // saved again in today's layout

    child[0] = 0;  // a loop: still checked
    artifact looped(a.manifest());
    for (const auto& t : legacy.tensors()) {
        if (t.name() == "node_child") {
            looped.add_tensor<std::int32_t>("node_child", child, {child.size()});
        } else {
            looped.add_tensor(t);
        }
    }
    CHECK_THROWS_AS(load<random_forest<float>>(looped), format_error);
}

TEST_CASE("a forest loaded from a file views the mapping in place and outlives the artifact",
          "[artifact][models][tree]") {
    const auto data = wine<double>();
    random_forest<double> m({.n_estimators = 5, .seed = 1});
    (void)m.fit(data);
    const auto expected = m.predict_proba(data.features());
    mlpipe::test::temp_dir dir;
    const auto path = dir.path() / "forest.mlpa";
    save_artifact_file(path, to_artifact(m));

    std::optional<random_forest<double>> mapped;
    {
        const auto a = load_artifact_file(path);
        mapped = load<random_forest<double>>(a);
        // No copy: the forest's node array is the tensor's bytes inside the mapping.
        CHECK(static_cast<const void*>(mapped->packed().nodes().data()) ==
              static_cast<const void*>(a.tensor("nodes").bytes().data()));
    }
    std::filesystem::remove(path);  // the forest holds the mapping, not the name
    CHECK(mapped->predict_proba(data.features()) == expected);

    // Bytes that nothing keeps alive (a view without a handle) are copied into the forest.
    std::optional<random_forest<double>> copied;
    {
        const auto bytes = encode_artifact(to_artifact(m));
        const auto a = decode_artifact_view(bytes);
        copied = load<random_forest<double>>(a);
        CHECK(static_cast<const void*>(copied->packed().nodes().data()) !=
              static_cast<const void*>(a.tensor("nodes").bytes().data()));
    }
    CHECK(copied->predict_proba(data.features()) == expected);
}

TEST_CASE("a one-hot encoder travels inside the pipeline's artifact", "[artifact][models]") {
    const auto raw =
        make_classification({.n_samples = 200, .n_features = 4, .n_informative = 2, .seed = 5});
    feature_matrix<double> x = raw.features();
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        x(i, 3) = static_cast<double>(i % 3);  // a categorical column
    const dataset<double> data(x, raw.targets(), raw.classes(), {"a", "b", "c", "colour"});
    pipeline<logistic_regression<double>> m(
        {one_hot_encoder<double>({.columns = {"colour"}}), standard_scaler<double>{}});
    (void)m.fit(data);
    check_round_trip(m, x);
    const auto a = to_artifact(m);
    REQUIRE(a.manifest().preprocessing.size() == 2);
    CHECK(a.manifest().preprocessing[0]["kind"] == "one_hot_encoder");
    CHECK(a.manifest().features.names == std::vector<std::string>{"a", "b", "c", "colour"});
}

TEST_CASE("the manifest describes the model", "[artifact][models]") {
    const auto data = wine<double>();
    logistic_regression<double> m({.C = 0.25});
    (void)m.fit(data);
    artifact_manifest base;
    base.metrics = {{"accuracy", 0.97}};
    base.lineage.request_id = "req-1";
    const auto a = to_artifact(m, base);
    CHECK(a.manifest().kind == "logistic_regression");
    CHECK(a.manifest().scalar_type == tensor_dtype::f64);
    CHECK(a.manifest().hyperparameters["C"] == 0.25);
    CHECK(a.manifest().features.count == 13);
    CHECK(a.manifest().labels == data.classes());
    CHECK(a.manifest().metrics["accuracy"] == 0.97);
    CHECK(a.manifest().lineage.request_id == "req-1");
    CHECK(a.find_tensor("coef") != nullptr);
}

TEST_CASE("loading the wrong kind, scalar type or shape is a format error saying so",
          "[artifact][models]") {
    using Catch::Matchers::Contains;
    const auto data = wine<double>();
    logistic_regression<double> lr;
    (void)lr.fit(data);
    const auto a = to_artifact(lr);
    CHECK_THROWS_WITH(load<gaussian_naive_bayes<double>>(a),
                      Contains("holds a \"logistic_regression\""));
    CHECK_THROWS_WITH(load<logistic_regression<float>>(a), Contains("scalar type is f64"));
    CHECK_NOTHROW(load<pipeline<logistic_regression<double>>>(a));

    pipeline<logistic_regression<double>> pipe({standard_scaler<double>{}});
    (void)pipe.fit(data);
    CHECK_THROWS_WITH(load<logistic_regression<double>>(to_artifact(pipe)),
                      Contains("pipeline with 1 preprocessing"));

    auto unknown = a;
    unknown.manifest().kind = "quantum_forest";
    CHECK_THROWS_WITH(load_any(unknown), Contains("unknown model kind \"quantum_forest\""));
    auto bad_hyper = a;
    bad_hyper.manifest().hyperparameters["warp"] = 9;
    CHECK_THROWS_AS(load<logistic_regression<double>>(bad_hyper), format_error);
    auto bad_labels = a;
    bad_labels.manifest().labels = label_map::from_strings({"a", "b", "c", "d"});
    CHECK_THROWS_AS(load<logistic_regression<double>>(bad_labels), format_error);
    auto bad_schema = a;
    bad_schema.manifest().features.names.pop_back();
    CHECK_THROWS_AS(load_any(bad_schema), format_error);
    artifact missing(a.manifest());
    CHECK_THROWS_WITH(load<logistic_regression<double>>(missing), Contains("no tensor named"));
    CHECK_THROWS_AS(to_artifact(logistic_regression<double>{}), not_fitted_error);

    // An mlp's layer tensors must have the shapes its hyperparameters, features and classes imply.
    mlp<double> net({.hidden_layer_sizes = {5}, .max_iter = 2});
    (void)net.fit(data);
    const auto na = to_artifact(net);
    CHECK_NOTHROW(load<mlp<double>>(na));
    auto other_width = na;
    other_width.manifest().hyperparameters["hidden_layer_sizes"] = {6};
    CHECK_THROWS_WITH(load<mlp<double>>(other_width), Contains("layers.0.weights"));
    auto deeper = na;
    deeper.manifest().hyperparameters["hidden_layer_sizes"] = {5, 5};
    CHECK_THROWS_AS(load_any(deeper), format_error);
    auto zero_width = na;
    zero_width.manifest().hyperparameters["hidden_layer_sizes"] = {0};
    CHECK_THROWS_AS(load<mlp<double>>(zero_width), format_error);
}
